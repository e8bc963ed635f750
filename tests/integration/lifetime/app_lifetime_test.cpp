// tests/integration/lifetime/app_lifetime_test.cpp — the one lifetime rule
// (include/looplab/README.md) for the layers above ws: resp::Client and socketio::Socket,
// which a user never owns (disconnect() is its close()). The same cases as for the net
// layer: ended inside its own listener, ended twice, nothing after the end, the loop ends.
#include "../socketio/sio_integration_support.hpp"
#include "looplab/resp/client.hpp"
#include "support/lifetime_probe.hpp"
#include "support/pollers.hpp"
#include "support/refusing_tcp_port.hpp"

using namespace looplab;
using looplab::testing::LifetimeProbe;
using looplab::testing::runs_to_end;
using looplab::testing::test_pollers;
using namespace std::chrono_literals;

TEST_CASE("a resp::Client may be closed twice and leaves nothing behind",
          "[lifetime][resp][integration]") {
    // Not yet here: destroying the client inside its "connect" or "end" listener. Its
    // EventEmitter is a member, freed under the running emit (ASan: heap-use-after-free in
    // the listener); see include/looplab/README.md, "Not yet".
    const std::string poller = GENERATE(from_range(test_pollers()));
    const std::string victim = "close twice";
    CAPTURE(poller, victim);
    loop::EventLoop loop{poller};
    // A "server" that accepts and says nothing, then closes when the client does.
    auto listener = net::TcpListener::bind(loop, net::Address::loopback(0)).value();
    std::unique_ptr<net::TcpConnection> server_side;
    REQUIRE(listener.start([&](std::unique_ptr<net::TcpConnection> accepted) {
        server_side = std::move(accepted);
        server_side->on(events::close, [&] { server_side.reset(); });
        REQUIRE(server_side->start());
        listener.stop();
    }));
    testing::RefusingTcpPort refusing;
    resp::ClientOptions options;
    options.reconnect = false;
    const net::Address server = victim == "end" ? refusing.address() : listener.local_address();
    if (victim == "end") listener.stop();
    auto client = std::make_unique<resp::Client>(loop, server, options);
    LifetimeProbe probe{victim};
    probe.set_destroy([&] { client.reset(); });
    for (const char* event : {"connect", "ready", "disconnect", "reconnecting", "end"})
        client->connection().on(event, probe.on(event));
    int failed_commands = 0;
    client->command({"PING"}, [&](Result<resp::Reply> reply) {
        CHECK_FALSE(reply);
        ++failed_commands;
    });
    client->connect();
    if (victim == "close twice") {
        REQUIRE(loop.run_until([&] { return probe.heard("connect"); }, 3s));
        client->close();
        client->close();
        REQUIRE(loop.run_until([&] { return probe.heard("end"); }, 3s));
        probe.gone();
    }

    CHECK(runs_to_end(loop));
    CAPTURE(probe.story());
    CHECK(probe.is_gone());
    CHECK(probe.late().empty());
    // Destroyed while connected: no callback at all; ended (refused or closed): it failed once,
    // before "end".
    CHECK(failed_commands == (victim == "connect" ? 0 : 1));
    CHECK(server_side == nullptr);   // the server saw the connection end
}

TEST_CASE(
    "a socketio::Socket may disconnect inside its own listener, twice, and hears nothing after",
    "[lifetime][socketio][integration]") {
    using sio_integration::SioFixture;
    using sio_integration::WsClient;
    SioFixture fixture;
    LifetimeProbe probe{"chat"};
    socketio::Socket* server_socket = nullptr;
    probe.set_destroy([&] {
        server_socket->disconnect();
        server_socket->disconnect();
    });
    fixture.io.on_connection([&](socketio::Socket& socket) {
        server_socket = &socket;
        socket.on("chat", probe.on("chat"));
        socket.on_disconnecting(probe.on("disconnecting"));
        socket.on_disconnect(probe.on("disconnect"));
    });
    WsClient client{fixture};
    REQUIRE(fixture.run_until([&] { return client.is_connected(); }));
    client.send("0");
    REQUIRE(fixture.run_until([&] { return !client.received.empty(); }));
    // Two events in one turn: the second one would be late.
    client.send(R"(2["chat",1])");
    client.send(R"(2["chat",2])");

    REQUIRE(fixture.run_until([&] { return client.received.size() >= 2; }));
    CHECK(client.received[1] == sio_integration::txt("1"));   // the peer is told: disconnected
    REQUIRE(fixture.run_until([&] { return probe.heard("disconnect"); }));
    CAPTURE(probe.story());
    // "disconnecting" and "disconnect" are the ending it owes, exactly once each; no "chat".
    CHECK(probe.late() == std::vector<std::string>{"disconnecting", "disconnect"});

    client.close();
    fixture.io.close();
    fixture.http.close();
    CHECK(runs_to_end(fixture.loop));
    CHECK(probe.late() == std::vector<std::string>{"disconnecting", "disconnect"});
}
