// tests/integration/lifetime/net_lifetime_test.cpp — the one lifetime rule
// (include/looplab/README.md) for the net layer and timers, in the same three cases for each
// type: (a) destroyed inside each of its own listeners, (b) closed twice, also after the peer
// vanished, (c) closed while output is pending, also from inside on_high_watermark. Each
// checks that nothing fires after the end, what the peer sees, and that loop.run() returns.
#include "../net/net_test_support.hpp"
#include "looplab/net/udp_socket.hpp"
#include "support/lifetime_probe.hpp"
#include "support/no_more_fds.hpp"
#include "support/pollers.hpp"

#include <string>

using namespace looplab;
using namespace looplab::net;
using looplab::testing::LifetimeProbe;
using looplab::testing::runs_to_end;
using looplab::testing::test_pollers;
using namespace std::chrono_literals;

namespace {

// Our connection (the object under test) and its peer; the peer records its ending and
// destroys itself in its own on_close, so that only what `ours` leaves behind can keep the
// loop running.
struct TcpPair {
    explicit TcpPair(loop::EventLoop& loop) {
        auto listener = TcpListener::bind(loop, Address::loopback(0)).value();
        REQUIRE(listener.start([this](std::unique_ptr<TcpConnection> accepted) {
            peer = std::move(accepted);
            peer->on(events::data, [this](ByteBuffer& input) {
                peer_received.add(input.readable());
                input.consume(input.size());
            });
            peer->on(events::end, [this] { peer_ending += "end "; });
            peer->on(events::error, [this](const Error&) { peer_ending += "error "; });
            peer->on(events::close, [this] {
                peer_ending += "close";
                peer.reset();
            });
            REQUIRE(peer->start());
        }));
        ours = test::connect_now(loop, listener.local_address());
        REQUIRE(loop.run_until([&] { return peer != nullptr; }, 3s));
    }
    // Every listener of `ours` to the probe (`copies` listeners per event: the ones after
    // the one that destroys must not run), then start.
    void listen_with(LifetimeProbe& probe, int copies = 1, bool as_owner = false) {
        // The usual owner destroys it in its close listener, after which nothing may come.
        if (as_owner)
            ours->on(events::close, [this, &probe] {
                probe.hear("close");
                probe.gone();
                ours.reset();
            });
        for (int i = 0; i < copies; ++i) {
            ours->on(events::data, probe.on("data"));
            ours->on(events::end, probe.on("end"));
            ours->on(events::error, probe.on("error"));
            if (!as_owner) ours->on(events::close, probe.on("close"));
            ours->on(events::high_watermark, probe.on("high_watermark"));
            ours->on(events::drain, probe.on("drain"));
        }
        REQUIRE(ours->start());
    }
    // More than the kernel takes at once on loopback, so most of it waits in our buffer.
    void send_a_lot() {
        ours->set_watermarks(16 * 1024, 64 * 1024);
        sent.add(big);
        ours->send(std::span{big});
    }

    std::unique_ptr<TcpConnection> ours;
    std::unique_ptr<TcpConnection> peer;
    std::string peer_ending;   // "end close", "error close"
    test::Checksum peer_received;
    test::Checksum sent;
    std::vector<std::uint8_t> big = test::pattern(16 * 1024 * 1024);
};

}   // namespace

TEST_CASE("a TcpConnection may be destroyed inside each of its own listeners",
          "[lifetime][net][tcp][integration]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    const std::string victim =
        GENERATE(as<std::string>{}, "data", "end", "error", "close", "high_watermark", "drain");
    CAPTURE(poller, victim);
    loop::EventLoop loop{poller};
    TcpPair pair{loop};
    LifetimeProbe probe{victim};
    probe.set_destroy([&] { pair.ours.reset(); });
    pair.listen_with(probe, 2);   // the second listener of the victim's event must not run

    // What makes the victim's event happen.
    if (victim == "data") pair.peer->send("hello");
    if (victim == "end") pair.peer->shutdown_write();
    if (victim == "error") pair.peer->abort();   // a reset: ours reads ECONNRESET
    if (victim == "close") pair.peer->close();
    if (victim == "high_watermark" || victim == "drain") pair.send_a_lot();

    CHECK(runs_to_end(loop));
    CAPTURE(probe.story());
    CHECK(probe.is_gone());
    CHECK(probe.late().empty());
    CHECK(pair.ours == nullptr);
    CHECK(pair.peer == nullptr);   // it saw the ending and closed
}

TEST_CASE("closing a TcpConnection twice is harmless, also after the peer vanished",
          "[lifetime][net][tcp][integration]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    const std::string how = GENERATE(as<std::string>{}, "close close", "close abort", "abort close",
                                     "peer gone, close close");
    CAPTURE(poller, how);
    loop::EventLoop loop{poller};
    TcpPair pair{loop};
    LifetimeProbe probe;
    pair.listen_with(probe, 1, /*as_owner=*/true);

    if (how.starts_with("peer gone")) {
        pair.peer->abort();
        pair.peer.reset();
    }
    if (how.ends_with("close close")) {
        pair.ours->close();
        pair.ours->close();
    } else if (how == "close abort") {
        pair.ours->close();
        pair.ours->abort();
    } else {
        pair.ours->abort();
        pair.ours->close();
    }

    CHECK(runs_to_end(loop));
    CAPTURE(probe.story(), pair.peer_ending);
    CHECK(probe.heard("close"));
    CHECK(probe.late().empty());
    if (how == "close close") CHECK(pair.peer_ending == "end close");     // a clean goodbye
    if (how == "abort close") CHECK(pair.peer_ending == "error close");   // a reset
    CHECK(pair.peer == nullptr);
}

TEST_CASE("closing a TcpConnection with output pending still delivers it all",
          "[lifetime][net][tcp][integration]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    const std::string where = GENERATE(as<std::string>{}, "after send", "in on_high_watermark");
    CAPTURE(poller, where);
    loop::EventLoop loop{poller};
    TcpPair pair{loop};
    LifetimeProbe probe;
    pair.listen_with(probe, 1, /*as_owner=*/true);
    if (where == "in on_high_watermark") {
        pair.ours->on(events::high_watermark, [&](std::size_t pending) {
            CHECK(pending > 0);
            pair.ours->close();
            pair.ours->close();   // twice, from inside the send() that is still running
        });
        pair.send_a_lot();
    } else {
        pair.send_a_lot();
        REQUIRE(pair.ours->pending_output() > 0);
        pair.ours->close();
    }

    CHECK(runs_to_end(loop));
    CAPTURE(probe.story(), pair.peer_ending);
    CHECK(probe.late().empty());
    CHECK(probe.heard("close"));
    CHECK_FALSE(probe.heard("error"));
    CHECK(pair.peer_ending == "end close");
    CHECK(pair.peer_received.bytes == pair.sent.bytes);
    CHECK(pair.peer_received.value == pair.sent.value);
}

TEST_CASE("a TcpListener may be destroyed inside on_accept and on_error; stop() twice is harmless",
          "[lifetime][net][tcp][integration]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    const std::string victim = GENERATE(as<std::string>{}, "accept", "error", "stop twice");
    CAPTURE(poller, victim);
    loop::EventLoop loop{poller};
    auto listener =
        std::make_unique<TcpListener>(TcpListener::bind(loop, Address::loopback(0)).value());
    LifetimeProbe probe{victim};
    probe.set_destroy([&] { listener.reset(); });
    std::vector<std::unique_ptr<TcpConnection>> accepted;
    listener->on(events::error, probe.on("error"));
    // Two clients wait in the backlog: one accept turn would hand both over.
    std::vector<std::unique_ptr<TcpConnection>> clients;
    for (int i = 0; i < 2; ++i)
        clients.push_back(test::connect_now(loop, listener->local_address()));

    if (victim == "error") {
        testing::NoMoreFds no_more_fds{listener->fd()};
        REQUIRE(listener->start(probe.on("accept")));
        REQUIRE(loop.run_until([&] { return probe.is_gone(); }, 3s));
    } else if (victim == "accept") {
        REQUIRE(listener->start([&](std::unique_ptr<TcpConnection> connection) {
            accepted.push_back(std::move(connection));
            probe.on("accept")();
        }));
    } else {
        REQUIRE(listener->start([&](std::unique_ptr<TcpConnection> connection) {
            accepted.push_back(std::move(connection));
            listener->stop();
            listener->stop();
        }));
    }
    REQUIRE(loop.run_until([&] { return probe.is_gone() || !accepted.empty(); }, 3s));
    if (victim == "stop twice") {
        listener->stop();
        probe.gone();
    }
    // The clients end too, so that only the listener could keep the loop running.
    for (auto& client : clients) client->abort();
    accepted.clear();

    CHECK(runs_to_end(loop));
    CAPTURE(probe.story());
    CHECK(probe.late().empty());
    CHECK(accepted.empty());
    if (victim == "accept") CHECK(listener == nullptr);
}

TEST_CASE("a TcpConnector may be destroyed inside its own callback, other attempts never report",
          "[lifetime][net][tcp][integration]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    const std::string victim = GENERATE(as<std::string>{}, "connected", "refused");
    CAPTURE(poller, victim);
    loop::EventLoop loop{poller};
    auto server = TcpListener::bind(loop, Address::loopback(0)).value();
    test::RefusingTcpPort refusing;
    auto connector = std::make_unique<TcpConnector>(loop);
    LifetimeProbe probe{victim};
    probe.set_destroy([&] { connector.reset(); });
    // The first attempt reports and destroys the connector; the second, to an address that
    // never answers (TEST-NET-1), is still in flight and must never report.
    const Address first = victim == "connected" ? server.local_address() : refusing.address();
    connector->connect(first, [&](Result<std::unique_ptr<TcpConnection>> made) {
        CHECK(made.has_value() == (victim == "connected"));
        probe.on(victim == "connected" ? "connected" : "refused")();
    });
    connector->connect(Address::from_ip("192.0.2.1", 9).value(), probe.on("late attempt"),
                       ConnectOptions{.timeout = 200ms, .local = std::nullopt});

    CHECK(runs_to_end(loop));
    CAPTURE(probe.story());
    CHECK(probe.is_gone());
    CHECK(probe.late().empty());   // (an attempt that failed at once may report first: not late)
}

TEST_CASE("a UdpSocket may be destroyed inside on_datagram and on_error; stop() twice is harmless",
          "[lifetime][net][udp][integration]") {
    // (UDP keeps no output: a send is handed to the kernel or refused at once, so "close during
    // a send" has nothing to wait for.)
    const std::string poller = GENERATE(from_range(test_pollers()));
    const std::string victim = GENERATE(as<std::string>{}, "datagram", "error", "stop twice");
    CAPTURE(poller, victim);
    loop::EventLoop loop{poller};
    auto socket = std::make_unique<UdpSocket>(UdpSocket::bind(loop, Address::loopback(0)).value());
    LifetimeProbe probe{victim};
    probe.set_destroy([&] { socket.reset(); });
    socket->on(events::error, probe.on("error"));

    if (victim == "stop twice") {
        REQUIRE(socket->start([&](const Datagram&) {
            probe.hear("datagram");
            socket->stop();
            socket->stop();
            probe.gone();
        }));
    } else {
        REQUIRE(socket->start(probe.on("datagram")));
    }
    auto sender = UdpSocket::bind(loop, Address::loopback(0)).value();
    if (victim == "error") {
        // A connected socket hears the ICMP "port unreachable" of its send on the next call.
        const Address nobody =
            UdpSocket::bind(loop, Address::loopback(0))->local_address();   // closed again
        REQUIRE(socket->connect(nobody));
        REQUIRE(socket->send("anyone?"));
    } else {
        // Two datagrams wait: one receive turn would deliver both.
        REQUIRE(sender.send_to(socket->local_address(), "one"));
        REQUIRE(sender.send_to(socket->local_address(), "two"));
    }

    CHECK(runs_to_end(loop));
    CAPTURE(probe.story());
    CHECK(probe.is_gone());
    CHECK(probe.late().empty());
    if (victim != "stop twice") CHECK(socket == nullptr);
    if (victim == "stop twice") socket->stop();   // and once more, from outside
}

TEST_CASE("a timer may be cancelled inside its own callback, and twice",
          "[lifetime][loop][integration]") {
    // A timer's handle is its TimerId; cancel_timer() is its close() and its destruction.
    const std::string poller = GENERATE(from_range(test_pollers()));
    const std::string how = GENERATE(as<std::string>{}, "interval cancels itself",
                                     "timeout cancels itself", "cancelled twice before");
    CAPTURE(poller, how);
    loop::EventLoop loop{poller};
    LifetimeProbe probe{"tick"};
    loop::TimerId timer = 0;
    probe.set_destroy([&] {
        loop.cancel_timer(timer);
        loop.cancel_timer(timer);
    });
    if (how == "interval cancels itself") timer = loop.set_interval(1ms, probe.on("tick"));
    if (how == "timeout cancels itself") timer = loop.set_timeout(1ms, probe.on("tick"));
    if (how == "cancelled twice before") {
        timer = loop.set_interval(1ms, probe.on("late tick"));
        loop.cancel_timer(timer);
        loop.cancel_timer(timer);
        probe.gone();
    }

    CHECK(runs_to_end(loop));
    CAPTURE(probe.story());
    CHECK(probe.late().empty());
    loop.cancel_timer(timer);   // long gone: still harmless
}
