// tests/integration/lifetime/eio_lifetime_test.cpp — the one lifetime rule
// (include/looplab/README.md) for engineio::Server and socketio::Server: (a) destroyed inside
// each of their listeners (two per event for Socket.IO, two messages in one POST for
// Engine.IO), so that the next one would be late; (b) closed twice. Each checks that nothing
// is reported after the end, that the HTTP server they were attached to lives on, and that
// loop.run() returns.
#include "looplab/engineio/server.hpp"
#include "looplab/http/server.hpp"
#include "looplab/socketio/server.hpp"
#include "looplab/socketio/socket.hpp"
#include "support/lifetime_probe.hpp"
#include "support/pollers.hpp"
#include "support/raw_client.hpp"
#include "support/ws_peer.hpp"

#include <fmt/format.h>

#include <string>

using namespace looplab;
using looplab::testing::LifetimeProbe;
using looplab::testing::RawClient;
using looplab::testing::runs_to_end;
using looplab::testing::test_pollers;
using namespace std::chrono_literals;

namespace {

// Reports every call to the probe; the victim's call destroys the server, then goes on
// reading what it was given, as a real listener might.
struct ProbeListener final : engineio::ServerListener {
    explicit ProbeListener(LifetimeProbe& probe) : probe(probe) {}
    void on_open(engineio::Session& session) override {
        sid = session.id();
        probe.hear("open");
    }
    void on_message(engineio::Session&, std::string_view data, bool) override {
        const std::string copy{data};   // the bytes die with the server: copied first
        probe.hear("message");
        messages.push_back(copy);
    }
    void on_close(engineio::Session&, engineio::CloseReason, std::string_view) override {
        probe.hear("close");
    }
    LifetimeProbe& probe;
    std::string sid;
    std::vector<std::string> messages;
};

// One HTTP request on its own connection.
std::unique_ptr<RawClient> request(loop::EventLoop& loop, const net::Address& server,
                                   std::string_view method, std::string_view target,
                                   std::string_view body = {}) {
    auto client = std::make_unique<RawClient>(loop, server);
    client->send(fmt::format("{} {} HTTP/1.1\r\nHost: localhost\r\nContent-Length: {}\r\n\r\n{}",
                             method, target, body.size(), body));
    return client;
}

constexpr std::string_view kPolling = "/engine.io/?EIO=4&transport=polling";

// A Socket.IO server on an HTTP server, destroyed by the probe's victim, and one WebSocket
// peer for it. The test adds its listeners to `io`, then calls connect_peer().
struct DoomedSocketIo {
    DoomedSocketIo(const std::string& poller, std::string victim)
        : loop{poller}, probe{std::move(victim)} {
        socketio::ServerOptions options;
        options.log = [](std::string_view) {};
        io = std::make_unique<socketio::Server>(loop, options);
        probe.set_destroy([this] { io.reset(); });
    }

    // Attaches the server, listens, and connects the peer's WebSocket (each step REQUIREd).
    void connect_peer() {
        io->attach(http);
        REQUIRE(http.listen(net::Address::loopback(0)));
        testing::connect_ws(client, http.local_address(), "/socket.io/?EIO=4&transport=websocket",
                            peer);
        REQUIRE(loop.run_until([&] { return peer.connection || peer.failed; }, 3s));
        REQUIRE(peer.connection);
    }

    loop::EventLoop loop;
    http::Server http{loop};
    std::unique_ptr<socketio::Server> io;
    LifetimeProbe probe;
    ws::WebSocketClient client{loop};
    testing::WsPeer peer;
};

}   // namespace

TEST_CASE("an engineio::Server may be destroyed inside each call of its listener",
          "[lifetime][engineio][integration]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    const std::string victim = GENERATE(as<std::string>{}, "open", "message", "close");
    CAPTURE(poller, victim);
    loop::EventLoop loop{poller};
    http::Server http{loop};
    engineio::ServerOptions options;
    options.log = [](std::string_view) {};
    auto engine = std::make_unique<engineio::Server>(loop, options);
    LifetimeProbe probe{victim};
    probe.set_destroy([&] { engine.reset(); });
    ProbeListener listener{probe};
    engine->set_listener(listener);
    engine->attach(http);
    REQUIRE(http.listen(net::Address::loopback(0)));

    auto handshake = request(loop, http.local_address(), "GET", kPolling);
    REQUIRE(loop.run_until([&] { return probe.heard("open"); }, 3s));
    std::unique_ptr<RawClient> post;
    if (victim != "open") {
        const std::string target = fmt::format("{}&sid={}", kPolling, listener.sid);
        // Two packets in one body: the second one would be late. Or the close packet.
        post = request(loop, http.local_address(), "POST", target,
                       victim == "message" ? "4one\x1e"
                                             "4two"
                                           : "1");
        REQUIRE(loop.run_until([&] { return probe.is_gone(); }, 3s));
        REQUIRE(loop.run_until([&] { return post->received.find("ok") != std::string::npos; }, 3s));
    }
    CHECK(engine == nullptr);
    http.close();   // the HTTP server lived on: closed now, so that the loop may end

    CHECK(runs_to_end(loop));
    CAPTURE(probe.story());
    CHECK(probe.late().empty());
    if (victim == "message") CHECK(listener.messages == std::vector<std::string>{"one"});
}

TEST_CASE("closing every engineio session twice is harmless", "[lifetime][engineio][integration]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    loop::EventLoop loop{poller};
    http::Server http{loop};
    engineio::ServerOptions options;
    options.log = [](std::string_view) {};
    engineio::Server engine{loop, options};
    LifetimeProbe probe;
    ProbeListener listener{probe};
    engine.set_listener(listener);
    engine.attach(http);
    REQUIRE(http.listen(net::Address::loopback(0)));
    auto handshake = request(loop, http.local_address(), "GET", kPolling);
    REQUIRE(loop.run_until([&] { return probe.heard("open"); }, 3s));

    engine.close_all();
    engine.close_all();
    REQUIRE(loop.run_until([&] { return probe.heard("close"); }, 3s));
    // A polling session closed by us waits for the peer's next GET to tell it ("1").
    auto poll = request(loop, http.local_address(), "GET",
                        fmt::format("{}&sid={}", kPolling, listener.sid));
    REQUIRE(loop.run_until([&] { return engine.session_count() == 0; }, 3s));
    http.close();

    CHECK(runs_to_end(loop));
    CAPTURE(probe.story());
    CHECK(probe.story() == "open close");   // on_close exactly once
    CHECK(engine.session_count() == 0);
}

TEST_CASE("a socketio::Server may be destroyed inside each of its listeners",
          "[lifetime][socketio][integration]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    const std::string victim = GENERATE(as<std::string>{}, "middleware", "connection", "chat",
                                        "ack", "disconnecting", "disconnect");
    CAPTURE(poller, victim);
    DoomedSocketIo doomed{poller, victim};
    // Plain references, not a structured binding: clang 14 cannot capture one in a lambda.
    auto& loop = doomed.loop;
    auto& http = doomed.http;
    auto& io = doomed.io;
    auto& probe = doomed.probe;
    auto& peer = doomed.peer;
    // Two of each: the second one of the victim's must not run.
    for (int copy = 0; copy < 2; ++copy) {
        io->use([heard = probe.on("middleware")](socketio::Socket&, socketio::Next next) mutable {
            heard();
            next();   // after the server is gone: does nothing
        });
        io->on_connection([&probe](socketio::Socket& socket) {
            probe.hear("connection");
            if (probe.is_gone()) return;   // the socket went with the server
            for (int each = 0; each < 2; ++each) {
                socket.on("chat", probe.on("chat"));
                socket.on_disconnecting(probe.on("disconnecting"));
                socket.on_disconnect(probe.on("disconnect"));
                // The first listener asks for acks 0 and 1: the peer answers both in one turn.
                socket.emit_with_ack("ask", each, 3s,
                                     [&probe](std::optional<socketio::AckError>,
                                              const socketio::Args&) { probe.hear("ack"); });
            }
        });
    }
    doomed.connect_peer();
    peer.socket().send_text("40");   // join "/"
    if (victim == "chat") {
        // Two events in one turn: the second one would be late.
        peer.socket().send_text(R"(42["chat",1])");
        peer.socket().send_text(R"(42["chat",2])");
    }
    if (victim == "ack") {
        // Both answers in one turn: the second one would be late.
        REQUIRE(loop.run_until([&] { return probe.heard("connection"); }, 3s));
        peer.socket().send_text("430[0]");
        peer.socket().send_text("431[1]");
    }
    if (victim == "disconnecting" || victim == "disconnect") {
        REQUIRE(loop.run_until([&] { return probe.heard("connection"); }, 3s));
        peer.socket().send_text("41");   // leave "/"
    }
    REQUIRE(loop.run_until([&] { return probe.is_gone(); }, 3s));
    REQUIRE(loop.run_until([&] { return peer.closed.has_value(); }, 3s));
    CHECK(peer.closed->code == 1006);   // destroyed: the WebSocket was dropped
    http.close();   // the HTTP server lived on: closed now, so that the loop may end

    CHECK(runs_to_end(loop));
    CAPTURE(probe.story());
    CHECK(probe.late().empty());
}

TEST_CASE(
    "a socketio::Server destroyed in one namespace's \"disconnect\" while another "
    "namespace's socket of the same client waits for an ack",
    "[lifetime][socketio][integration]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    DoomedSocketIo doomed{poller, "disconnect"};
    auto& probe = doomed.probe;
    auto& io = doomed.io;
    io->on_connection([&probe](socketio::Socket& socket) {
        probe.hear("connection /");
        socket.on_disconnect(probe.on("disconnect"));
    });
    io->of("/other").on_connection([&probe](socketio::Socket& socket) {
        probe.hear("connection /other");
        socket.emit_with_ack("ask", 3s,
                             [&probe](std::optional<socketio::AckError>, const socketio::Args&) {
                                 probe.hear("ack");
                             });
    });
    doomed.connect_peer();
    doomed.peer.socket().send_text("40");
    doomed.peer.socket().send_text("40/other,");
    REQUIRE(doomed.loop.run_until([&] { return probe.heard("connection /other"); }, 3s));
    doomed.peer.socket().close(ws::CloseCode::Normal, "bye");   // both lose their transport

    REQUIRE(doomed.loop.run_until([&] { return probe.is_gone(); }, 3s));
    doomed.http.close();
    CHECK(runs_to_end(doomed.loop));
    CAPTURE(probe.story());
    CHECK(probe.late().empty());   // the ack of "/other" was not failed after the end
}
