// tests/integration/socketio_client/reconnection_test.cpp — the client coming back by itself:
// a dropped transport (with what was emitted meanwhile delivered after), a server destroyed
// and made again on the same port, connection state recovery, and a silent server (ping
// timeout) or one that sends garbage (parse error), on every poller.
#include "client_support.hpp"

#include "looplab/socketio/client.hpp"
#include "looplab/ws/web_socket_connection.hpp"

using namespace sio_client_test;

namespace {

socketio::Socket* only_socket(socketio::Server& io) {
    const auto& sockets = io.main_namespace().sockets();
    return sockets.size() == 1 ? sockets.begin()->second : nullptr;
}

}   // namespace

TEST_CASE("client: a dropped transport reconnects, and what was emitted meanwhile arrives after",
          "[socketio_client][integration]") {
    const std::string poller = GENERATE(from_range(testing::test_pollers()));
    ServerFixture server{poller};
    std::vector<std::string> received;
    int connections = 0;
    server.io->on_connection([&](socketio::Socket& s) {
        ++connections;
        s.on("msg", [&](const socketio::Args& args) { received.push_back(args[0].as_string()); });
        s.on("sum", [](const socketio::Args& args, const socketio::Ack& ack) {
            ack(args[0].as_int() + args[1].as_int());
        });
    });
    socketio_client::Manager manager{server.loop, socketio_client::server_url(server.address),
                                     fast_options()};
    ManagerEvents manager_events{manager};
    auto& socket = manager.socket("/");
    Recorder recorder{socket};
    bool volatile_sent = true;
    std::int64_t sum = 0;
    // Emitted from inside "disconnect": the socket is not connected, so they wait. The ack
    // of a packet still in the buffer survives the disconnection.
    socket.on_disconnect([&](DisconnectReason) {
        CHECK(socket.emit("msg", "one"));
        CHECK(socket.emit("msg", "two"));
        CHECK(socket.emit_with_ack("sum", 1, 2, 2000ms, [&](Result<socketio::Args> r) {
            sum = r ? (*r)[0].as_int() : -1;
        }));
        volatile_sent = socket.volatile_emit("msg", "lost on purpose");
        CHECK(socket.buffered_count() == 3);
    });
    socket.connect();
    REQUIRE(server.run_until([&] { return socket.connected(); }));
    const std::string first_id = socket.id();

    // The server ends the Engine.IO session: for the client the transport is gone.
    socketio::Socket* on_server = only_socket(*server.io);
    REQUIRE(on_server != nullptr);
    REQUIRE(on_server->client().session() != nullptr);
    on_server->client().session()->close();

    REQUIRE(server.run_until([&] { return received.size() == 2 && sum != 0; }));
    CHECK(received == std::vector<std::string>{"one", "two"});
    CHECK(sum == 3);
    CHECK_FALSE(volatile_sent);
    CHECK(recorder.events ==
          std::vector<std::string>{"connect", "disconnect:transport close", "connect"});
    CHECK(connections == 2);
    CHECK(socket.id() != first_id);
    CHECK(socket.buffered_count() == 0);
    CHECK(manager_events.count("reconnect_attempt") == 1);
    CHECK(manager_events.count("reconnect") == 1);
    CHECK(manager_events.count("close") == 1);
}

TEST_CASE("client: the server is destroyed and made again on the same port; the client comes back",
          "[socketio_client][integration]") {
    const std::string poller = GENERATE(from_range(testing::test_pollers()));
    ServerFixture server{poller};
    socketio_client::Manager manager{server.loop, socketio_client::server_url(server.address),
                                     fast_options()};
    ManagerEvents manager_events{manager};
    auto& socket = manager.socket("/");
    Recorder recorder{socket};
    socket.connect();
    REQUIRE(server.run_until([&] { return socket.connected(); }));

    server.stop();
    REQUIRE(server.run_until([&] { return !socket.connected(); }));
    CHECK(recorder.disconnects == std::vector<DisconnectReason>{DisconnectReason::TransportClose});
    // While it is gone, retries fail (connection refused) and more follow.
    REQUIRE(server.run_until([&] { return manager_events.count("reconnect_error") >= 2; }));
    CHECK(socket.active());
    CHECK(recorder.connect_errors.size() >= 2);   // each failed attempt tells the socket

    server.start();   // same port
    REQUIRE(server.run_until([&] { return socket.connected(); }));
    CHECK(recorder.connects == 2);
    CHECK(manager_events.count("reconnect") == 1);
    CHECK(manager_events.count("reconnect_failed") == 0);
    CHECK(server.io->main_namespace().socket_count() == 1);
}

TEST_CASE(
    "client: Server::close() (\"server shutting down\" there) is a transport close here, and the "
    "client retries",
    "[socketio_client][integration]") {
    const std::string poller = GENERATE(from_range(testing::test_pollers()));
    ServerFixture server{poller};
    std::vector<std::string> server_reasons;
    server.io->on_connection([&](socketio::Socket& s) {
        s.on_disconnect(
            [&](socketio::DisconnectReason why) { server_reasons.emplace_back(to_string(why)); });
    });
    socketio_client::Manager manager{server.loop, socketio_client::server_url(server.address),
                                     fast_options()};
    auto& socket = manager.socket("/");
    Recorder recorder{socket};
    socket.connect();
    REQUIRE(server.run_until([&] { return socket.connected(); }));
    server.io->close();
    REQUIRE(server.run_until([&] { return recorder.connects == 2; }));
    CHECK(server_reasons == std::vector<std::string>{"server shutting down"});
    CHECK(recorder.disconnects == std::vector<DisconnectReason>{DisconnectReason::TransportClose});
}

TEST_CASE("client: reconnection gives up after reconnection_attempts",
          "[socketio_client][integration]") {
    const std::string poller = GENERATE(from_range(testing::test_pollers()));
    ServerFixture server{poller};
    auto options = fast_options();
    options.reconnection_attempts = 2;
    options.reconnection_delay = 5ms;
    socketio_client::Manager manager{server.loop, socketio_client::server_url(server.address),
                                     options};
    ManagerEvents manager_events{manager};
    auto& socket = manager.socket("/");
    socket.connect();
    REQUIRE(server.run_until([&] { return socket.connected(); }));
    server.stop();
    REQUIRE(server.run_until([&] { return manager_events.count("reconnect_failed") == 1; }));
    CHECK(manager_events.count("reconnect_attempt") == 2);
    CHECK(manager_events.count("reconnect_error") == 2);
    server.run_for(50ms);
    CHECK(manager_events.count("reconnect_attempt") == 2);   // no more
    CHECK_FALSE(manager.is_reconnecting());
}

TEST_CASE("client: connection state recovery brings back the same socket and the missed events",
          "[socketio_client][integration]") {
    const std::string poller = GENERATE(from_range(testing::test_pollers()));
    socketio::ServerOptions options;
    options.recovery.enabled = true;
    ServerFixture server{poller, options};
    int fresh = 0, recovered = 0;
    server.io->on_connection([&](socketio::Socket& s) {
        if (s.recovered()) return void(++recovered);
        ++fresh;
        s.emit("hello", 1);
    });
    auto client_options = fast_options();
    client_options.reconnection_delay = 150ms;   // time for the server to emit while we are away
    client_options.randomization_factor = 0;
    socketio_client::Manager manager{server.loop, socketio_client::server_url(server.address),
                                     client_options};
    auto& socket = manager.socket("/", {.auth = json::Value::object({{"user", "ada"}})});
    std::vector<json::Array> events;
    socket.on_any(
        [&](std::string_view event, const socketio::Args& args, const socketio_client::Ack&) {
            json::Array all = args.to_array();
            all.insert(all.begin(), json::Value{std::string{event}});
            events.push_back(std::move(all));
        });
    socket.connect();
    REQUIRE(server.run_until([&] { return events.size() == 1; }));
    // The server adds the offset as the last argument; the listener sees it (as in JS).
    REQUIRE(events[0].size() == 3);
    CHECK(events[0][1] == json::Value{1});
    CHECK(events[0][2].is_string());
    const std::string first_id = socket.id();

    manager.drop_transport();
    CHECK_FALSE(socket.connected());
    REQUIRE(server.run_until([&] { return server.io->main_namespace().socket_count() == 0; }));
    server.io->emit("missed", 2);   // kept for the socket that is away

    REQUIRE(server.run_until([&] { return socket.connected() && events.size() == 2; }));
    CHECK(socket.recovered());
    CHECK(socket.id() == first_id);
    CHECK(recovered == 1);
    CHECK(fresh == 1);
    CHECK(events[1][0] == json::Value{"missed"});
    CHECK(events[1][1] == json::Value{2});
    // The auth went along with pid/offset.
    socketio::Socket* on_server = only_socket(*server.io);
    REQUIRE(on_server != nullptr);
    CHECK(on_server->auth().find("user") != nullptr);
    CHECK(on_server->auth().find("pid") != nullptr);
}

// ---- a fake server: says hello as Engine.IO would, then what the test wants ----------------

namespace {

struct FakeServer {
    loop::EventLoop& loop;
    http::Server http;
    std::vector<std::unique_ptr<ws::WebSocketConnection>> connections;
    std::vector<std::string> received;
    std::string open_packet;
    std::string after_connect;   // sent after the CONNECT answer ("" = nothing: silence)
    int opens = 0;

    FakeServer(loop::EventLoop& loop_in, std::string open, std::string after)
        : loop(loop_in),
          http(loop_in),
          open_packet(std::move(open)),
          after_connect(std::move(after)) {
        http.take_upgrades_with([this](const http::Request& request,
                                       std::unique_ptr<net::TcpConnection> tcp,
                                       std::string leftover) {
            auto connection =
                ws::accept_upgrade(loop, request, std::move(tcp), std::move(leftover));
            if (!connection) return;
            ws::WebSocket& socket = connection->socket();
            socket.on(events::message, [this, &socket](const ws::Message& m) {
                received.push_back(m.payload);
                if (m.payload == "40") {
                    socket.send_text(R"(40{"sid":"fake"})");
                    if (!after_connect.empty()) socket.send_text(after_connect);
                }
            });
            connection->start();
            ++opens;
            socket.send_text(open_packet);
            connections.push_back(std::move(connection));
        });
        REQUIRE(http.listen(net::Address::loopback(0)));
    }
};

}   // namespace

TEST_CASE("client: a server that stops pinging is dead after pingInterval + pingTimeout",
          "[socketio_client][integration]") {
    const std::string poller = GENERATE(from_range(testing::test_pollers()));
    loop::EventLoop loop{poller};
    // Pings once (answered), then silence.
    FakeServer fake{
        loop, R"(0{"sid":"s1","upgrades":[],"pingInterval":40,"pingTimeout":30,"maxPayload":1000})",
        "2"};
    auto options = fast_options();
    options.reconnection = false;
    socketio_client::Manager manager{loop, socketio_client::server_url(fake.http.local_address()),
                                     options};
    auto& socket = manager.socket("/");
    Recorder recorder{socket};
    int pings = 0;
    manager.on("ping", [&](const json::Value&) { ++pings; });
    socket.connect();
    REQUIRE(loop.run_until([&] { return socket.connected(); }, 2000ms));
    CHECK(manager.handshake().ping_interval == 40ms);
    const auto connected_at = loop.now();
    REQUIRE(loop.run_until([&] { return !recorder.disconnects.empty(); }, 2000ms));
    CHECK(recorder.disconnects[0] == DisconnectReason::PingTimeout);
    // The ping may be read in the same turn as the CONNECT answer: measured from there,
    // the deadline (last ping + 70 ms) is a hair under 70 ms away.
    CHECK(loop.now() - connected_at >= 60ms);
    CHECK(pings == 1);
    CHECK(std::find(fake.received.begin(), fake.received.end(), "3") != fake.received.end());
    CHECK_FALSE(manager.is_reconnecting());   // reconnection is off here
}

TEST_CASE("client: a packet that does not decode is a parse error, and the client reconnects",
          "[socketio_client][integration]") {
    const std::string poller = GENERATE(from_range(testing::test_pollers()));
    loop::EventLoop loop{poller};
    FakeServer fake{loop, R"(0{"sid":"s1","upgrades":[],"pingInterval":25000,"pingTimeout":20000})",
                    R"(42{"not":"an array"})"};
    socketio_client::Manager manager{loop, socketio_client::server_url(fake.http.local_address()),
                                     fast_options()};
    auto& socket = manager.socket("/");
    Recorder recorder{socket};
    socket.connect();
    REQUIRE(loop.run_until([&] { return fake.opens >= 2 && recorder.connects >= 2; }, 2000ms));
    REQUIRE_FALSE(recorder.disconnects.empty());
    CHECK(recorder.disconnects[0] == DisconnectReason::ParseError);
    manager.close();
}

TEST_CASE("client: a bad open packet or no server at all is a connect_error, then retries",
          "[socketio_client][integration]") {
    const std::string poller = GENERATE(from_range(testing::test_pollers()));
    loop::EventLoop loop{poller};
    FakeServer fake{loop, R"(0{"upgrades":[]})", ""};
    socketio_client::Manager manager{loop, socketio_client::server_url(fake.http.local_address()),
                                     fast_options()};
    auto& socket = manager.socket("/");
    Recorder recorder{socket};
    socket.connect();
    REQUIRE(loop.run_until([&] { return recorder.connect_errors.size() >= 2; }, 2000ms));
    CHECK_THAT(recorder.events[0], Catch::Contains("sid"));
    CHECK(recorder.connects == 0);
    manager.close();
    CHECK_FALSE(manager.is_reconnecting());
}

TEST_CASE("client: an Ack kept across a reconnection is not sent on the new connection",
          "[socketio_client][integration]") {
    const std::string poller = GENERATE(from_range(testing::test_pollers()));
    ServerFixture server{poller};
    int answers = 0;
    server.io->on_connection([&](socketio::Socket& s) {
        s.emit_with_ack("question", 5000ms,
                        [&](std::optional<socketio::AckError> error, const socketio::Args&) {
                            if (!error) ++answers;
                        });
    });
    socketio_client::Manager manager{server.loop, socketio_client::server_url(server.address),
                                     fast_options()};
    auto& socket = manager.socket("/");
    std::vector<socketio_client::Ack> kept;
    socket.on("question",
              [&](const socketio::Args&, const socketio_client::Ack& ack) { kept.push_back(ack); });
    socket.connect();
    REQUIRE(server.run_until([&] { return kept.size() == 1; }));
    CHECK(kept[0].wanted());
    manager.drop_transport();
    REQUIRE(server.run_until([&] { return kept.size() == 2 && socket.connected(); }));
    CHECK_FALSE(kept[0].wanted());   // asked on the connection that is gone
    kept[0]("too late");
    CHECK(kept[1].wanted());
    kept[1]("in time");
    REQUIRE(server.run_until([&] { return answers == 1; }));
    server.run_for(30ms);
    CHECK(answers == 1);
}
