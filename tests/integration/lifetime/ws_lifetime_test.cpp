// tests/integration/lifetime/ws_lifetime_test.cpp — the one lifetime rule
// (include/looplab/README.md) for WebSocketConnection, in both roles, and WebSocketClient:
// (a) destroyed inside each of its own listeners, (b) closed twice, also after the peer
// vanished, (c) closed while output is pending, also from inside on_high_watermark. Each
// checks that nothing fires after the end, what the peer sees, and that loop.run() returns.
#include "looplab/http/server.hpp"
#include "looplab/ws/web_socket_client.hpp"
#include "support/lifetime_probe.hpp"
#include "support/pollers.hpp"
#include "support/refusing_tcp_port.hpp"

#include <string>

using namespace looplab;
using namespace looplab::ws;
using looplab::testing::LifetimeProbe;
using looplab::testing::runs_to_end;
using looplab::testing::test_pollers;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t kChunk = 32 * 1024;

// Both ends of one WebSocket on 127.0.0.1. `ours` (the object under test) is the server's
// end or the client's; the other one, `peer`, records how it ended and destroys itself in
// its own on_close, so that only what `ours` leaves behind can keep the loop running.
struct WsPair {
    WsPair(loop::EventLoop& loop, Role our_role) : http(loop) {
        WebSocketOptions options;
        options.high_watermark = 64 * 1024;   // reached after a few chunks
        options.max_buffered_amount = 256 * 1024 * 1024;
        http.take_upgrades_with([&, options](const http::Request& request,
                                             std::unique_ptr<net::TcpConnection> tcp,
                                             std::string leftover) {
            server_end =
                accept_upgrade(loop, request, std::move(tcp), std::move(leftover), {}, options);
        });
        REQUIRE(http.listen(net::Address::loopback(0)));
        WebSocketClient client{loop};
        ClientOptions client_options;
        client_options.web_socket = options;
        client.connect(
            http.local_address(), "localhost", "/",
            [&](Result<std::unique_ptr<WebSocketConnection>> made) {
                REQUIRE(made);
                client_end = std::move(made).value();
            },
            client_options);
        REQUIRE(loop.run_until([&] { return server_end && client_end; }, 3s));
        http.close();   // the HTTP server is done: only the WebSocket may keep the loop up
        auto& mine = our_role == Role::Server ? server_end : client_end;
        auto& theirs = our_role == Role::Server ? client_end : server_end;
        ours = std::move(mine);
        peer = std::move(theirs);
        peer->socket().on(events::message, [this](const Message& message) {
            ++peer_messages;
            peer_bytes += message.payload.size();
        });
        peer->socket().on(events::close, [this](const CloseInfo& info) {
            peer_ending = info;
            peer.reset();
        });
        peer->start();
    }
    // Every listener of `ours` to the probe (`copies` listeners per event: the ones after
    // the one that destroys must not run), then start.
    void listen_with(LifetimeProbe& probe, int copies = 1, bool as_owner = false) {
        WebSocket& socket = ours->socket();
        // The usual owner destroys it in its close listener, after which nothing may come.
        if (as_owner)
            socket.on(events::close, [this, &probe](const CloseInfo& info) {
                probe.hear("close");
                probe.gone();
                our_ending = info;
                ours.reset();
            });
        for (int i = 0; i < copies; ++i) {
            socket.on(events::message, probe.on("message"));
            socket.on(events::ping, probe.on("ping"));
            socket.on(events::pong, probe.on("pong"));
            if (!as_owner) socket.on(events::close, probe.on("close"));
            socket.on(events::frame, probe.on("frame"));
            socket.on(events::high_watermark, probe.on("high_watermark"));
            socket.on(events::drain, probe.on("drain"));
        }
        ours->start();
    }
    // Sends chunks until the high watermark was crossed (or `ours` is gone).
    void send_past_high_watermark(LifetimeProbe& probe) {
        const std::string chunk(kChunk, 'x');
        while (ours && !probe.heard("high_watermark")) {
            REQUIRE(ours->socket().send_text(chunk));
            ++sent_messages;
        }
    }

    http::Server http;
    std::unique_ptr<WebSocketConnection> server_end;
    std::unique_ptr<WebSocketConnection> client_end;
    std::unique_ptr<WebSocketConnection> ours;
    std::unique_ptr<WebSocketConnection> peer;
    std::optional<CloseInfo> peer_ending;
    std::optional<CloseInfo> our_ending;   // what our close listener heard (as_owner)
    std::size_t peer_messages = 0;
    std::size_t peer_bytes = 0;
    std::size_t sent_messages = 0;
};

Role role_named(const std::string& name) { return name == "server" ? Role::Server : Role::Client; }

}   // namespace

TEST_CASE("a WebSocketConnection may be destroyed inside each of its own listeners",
          "[lifetime][ws][integration]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    const std::string role = GENERATE(as<std::string>{}, "server", "client");
    const std::string victim = GENERATE(as<std::string>{}, "message", "frame", "ping", "pong",
                                        "close", "high_watermark", "drain");
    CAPTURE(poller, role, victim);
    loop::EventLoop loop{poller};
    WsPair pair{loop, role_named(role)};
    LifetimeProbe probe{victim};
    probe.set_destroy([&] { pair.ours.reset(); });
    pair.listen_with(probe, 2);   // the second listener of the victim's event must not run

    // What makes the victim's event happen. Two messages, so that the second one, in the
    // same read, would be late if the parser went on after the destruction.
    if (victim == "message" || victim == "frame") {
        pair.peer->socket().send_text("one");
        pair.peer->socket().send_text("two");
    }
    if (victim == "ping") pair.peer->socket().ping("are you there?");
    if (victim == "pong") pair.ours->socket().ping("are you there?");
    if (victim == "close") pair.peer->socket().close(CloseCode::Normal, "bye");
    if (victim == "high_watermark" || victim == "drain") pair.send_past_high_watermark(probe);

    CHECK(runs_to_end(loop));
    CAPTURE(probe.story());
    CHECK(probe.is_gone());
    CHECK(probe.late().empty());
    CHECK(pair.ours == nullptr);
    CHECK(pair.peer == nullptr);
    REQUIRE(pair.peer_ending);
    if (victim == "close") {
        CHECK(pair.peer_ending->was_clean);   // the close frame was answered before on_close
    } else {
        CHECK(pair.peer_ending->code == 1006);   // destroyed open: TCP gone, no close frame
    }
}

TEST_CASE("closing a WebSocket twice is harmless, also after the peer vanished",
          "[lifetime][ws][integration]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    const std::string role = GENERATE(as<std::string>{}, "server", "client");
    const bool peer_vanished = GENERATE(false, true);
    CAPTURE(poller, role, peer_vanished);
    loop::EventLoop loop{poller};
    WsPair pair{loop, role_named(role)};
    LifetimeProbe probe;
    pair.listen_with(probe, 1, /*as_owner=*/true);

    if (peer_vanished) pair.peer.reset();   // TCP gone at once, no close frame
    pair.ours->socket().close(CloseCode::Normal, "bye");
    pair.ours->socket().close(CloseCode::GoingAway, "twice");

    CHECK(runs_to_end(loop));
    CAPTURE(probe.story());
    CHECK(probe.late().empty());
    REQUIRE(pair.our_ending);
    if (peer_vanished) {
        CHECK(pair.our_ending->code == 1006);
    } else {
        CHECK(pair.our_ending->code == 1000);
        CHECK(pair.our_ending->was_clean);
        REQUIRE(pair.peer_ending);
        CHECK(pair.peer_ending->code == 1000);   // the first close() counted, not the second
        CHECK(pair.peer_ending->reason == "bye");
    }
}

TEST_CASE("closing a WebSocket with output pending delivers it before the close frame",
          "[lifetime][ws][integration]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    const std::string role = GENERATE(as<std::string>{}, "server", "client");
    const std::string where = GENERATE(as<std::string>{}, "after send", "in on_high_watermark");
    CAPTURE(poller, role, where);
    loop::EventLoop loop{poller};
    WsPair pair{loop, role_named(role)};
    LifetimeProbe probe;
    pair.listen_with(probe, 1, /*as_owner=*/true);
    if (where == "in on_high_watermark") {
        pair.ours->socket().on(events::high_watermark, [&](std::size_t buffered) {
            probe.hear("high_watermark");
            CHECK(buffered >= 64 * 1024);
            pair.ours->socket().close();
            pair.ours->socket().close();
        });
        pair.send_past_high_watermark(probe);
        CHECK_FALSE(pair.ours->socket().send_text("after close"));
    } else {
        pair.send_past_high_watermark(probe);
        REQUIRE(pair.ours->socket().buffered_amount() > 0);
        pair.ours->socket().close();
    }

    CHECK(runs_to_end(loop));
    CAPTURE(probe.story());
    CHECK(probe.late().empty());
    CHECK(probe.heard("close"));
    REQUIRE(pair.peer_ending);
    CHECK(pair.peer_ending->code == 1000);
    CHECK(pair.peer_messages == pair.sent_messages);
    CHECK(pair.peer_bytes == pair.sent_messages * kChunk);
}

TEST_CASE(
    "a WebSocketClient may be destroyed inside its own callback, other handshakes never report",
    "[lifetime][ws][integration]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    const std::string victim = GENERATE(as<std::string>{}, "connected", "refused");
    CAPTURE(poller, victim);
    loop::EventLoop loop{poller};
    http::Server http{loop};
    std::vector<std::unique_ptr<WebSocketConnection>> accepted;
    http.take_upgrades_with([&](const http::Request& request,
                                std::unique_ptr<net::TcpConnection> tcp, std::string leftover) {
        accepted.push_back(accept_upgrade(loop, request, std::move(tcp), std::move(leftover)));
    });
    REQUIRE(http.listen(net::Address::loopback(0)));
    testing::RefusingTcpPort refusing;
    auto client = std::make_unique<WebSocketClient>(loop);
    LifetimeProbe probe{victim};
    probe.set_destroy([&] { client.reset(); });
    std::unique_ptr<WebSocketConnection> made_connection;
    const net::Address first = victim == "connected" ? http.local_address() : refusing.address();
    client->connect(first, "localhost", "/",
                    [&](Result<std::unique_ptr<WebSocketConnection>> made) {
                        if (made) made_connection = std::move(made).value();
                        probe.on(victim == "connected" ? "connected" : "refused")();
                    });
    // Still in its handshake when the client goes: the server never answers this one.
    client->connect(net::Address::from_ip("192.0.2.1", 9).value(), "localhost", "/",
                    probe.on("late handshake"));

    REQUIRE(loop.run_until([&] { return probe.is_gone(); }, 3s));
    if (made_connection) {
        made_connection->start();
        made_connection->socket().close();
    }
    for (auto& connection : accepted) {
        if (connection) connection->start();
    }
    http.close();

    CHECK(runs_to_end(loop));
    CAPTURE(probe.story());
    CHECK(probe.late().empty());
}
