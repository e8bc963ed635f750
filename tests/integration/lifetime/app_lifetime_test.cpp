// tests/integration/lifetime/app_lifetime_test.cpp — the one lifetime rule
// (include/looplab/README.md) for the layers above ws: resp::Client and socketio::Socket,
// which a user never owns (disconnect() is its close()). The same cases as for the net
// layer: destroyed (or ended) inside its own listener, with two listeners per event, ended
// twice, nothing after the end, the loop ends.
#include "../socketio/sio_integration_support.hpp"
#include "looplab/resp/client.hpp"
#include "support/lifetime_probe.hpp"
#include "support/pollers.hpp"
#include "support/refusing_tcp_port.hpp"

#include <algorithm>

using namespace looplab;
using looplab::testing::LifetimeProbe;
using looplab::testing::runs_to_end;
using looplab::testing::test_pollers;
using namespace std::chrono_literals;

namespace {

// A Redis server that knows two commands, enough for every event of a resp::Client: PING
// (+PONG) and SUBSCRIBE (its confirmation and two messages, in one write, so that the
// second one would be late). `close_after_connect` hangs up as soon as the client connects.
struct FakeRedis {
    explicit FakeRedis(loop::EventLoop& loop)
        : listener(net::TcpListener::bind(loop, net::Address::loopback(0)).value()) {
        REQUIRE(listener.start([this](std::unique_ptr<net::TcpConnection> accepted) {
            listener.stop();   // one client: only what the client leaves may keep the loop up
            connection = std::move(accepted);
            connection->on(events::data, [this](net::ByteBuffer& input) { answer(input); });
            connection->on(events::close, [this] { connection.reset(); });
            REQUIRE(connection->start());
            if (close_after_connect) connection->close();
        }));
    }
    void answer(net::ByteBuffer& input) {
        const std::string text{input.readable_text()};
        input.consume(input.size());
        std::string reply;
        for (std::size_t at = text.find("PING"); at != std::string::npos;
             at = text.find("PING", at + 1))
            reply += "+PONG\r\n";
        if (text.find("SUBSCRIBE") != std::string::npos)
            reply +=
                "*3\r\n$9\r\nsubscribe\r\n$4\r\nchat\r\n:1\r\n"
                "*3\r\n$7\r\nmessage\r\n$4\r\nchat\r\n$3\r\none\r\n"
                "*3\r\n$7\r\nmessage\r\n$4\r\nchat\r\n$3\r\ntwo\r\n";
        connection->send(reply);
    }

    net::TcpListener listener;
    std::unique_ptr<net::TcpConnection> connection;
    bool close_after_connect = false;
};

}   // namespace

TEST_CASE("a resp::Client may be destroyed inside each of its own listeners and callbacks",
          "[lifetime][resp][integration]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    const std::string victim = GENERATE(as<std::string>{}, "connect", "ready", "disconnect",
                                        "reconnecting", "end", "subscribe", "message", "reply");
    CAPTURE(poller, victim);
    loop::EventLoop loop{poller};
    FakeRedis redis{loop};
    redis.close_after_connect = victim == "disconnect" || victim == "reconnecting";
    if (victim == "end") redis.listener.stop();   // the client is refused: nobody connects
    testing::RefusingTcpPort refusing;
    resp::ClientOptions options;
    options.reconnect = victim == "reconnecting";
    const net::Address server =
        victim == "end" ? refusing.address() : redis.listener.local_address();
    auto client = std::make_unique<resp::Client>(loop, server, options);
    LifetimeProbe probe{victim};
    probe.set_destroy([&] { client.reset(); });
    // Two listeners per event: the second one of the victim's event must not run.
    for (int copy = 0; copy < 2; ++copy) {
        for (const char* event : {"connect", "ready", "disconnect", "reconnecting", "end"})
            client->connection().on(event, probe.on(event));
        for (const char* event : {"subscribe", "message"})
            client->pubsub().on(event, probe.on(event));
    }
    if (victim == "subscribe" || victim == "message") client->subscribe({"chat"});
    if (victim == "reply") {
        // Both replies come in one read: the second callback would be late.
        client->command({"PING"}, probe.on("reply"));
        client->command({"PING"}, probe.on("reply"));
    }
    client->connect();

    CHECK(runs_to_end(loop));
    CAPTURE(probe.story());
    CHECK(probe.is_gone());
    CHECK(probe.late().empty());
    CHECK(client == nullptr);
    CHECK(redis.connection == nullptr);   // the server saw the connection end
}

TEST_CASE("a resp::Client may be closed twice and leaves nothing behind",
          "[lifetime][resp][integration]") {
    // Destroyed inside its own listeners: the test case above.
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
