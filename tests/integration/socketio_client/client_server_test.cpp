// tests/integration/socketio_client/client_server_test.cpp — our C++ client against our own
// socketio::Server in the same process, on every poller: connect, auth, events, acks both
// ways, binary, rooms, leaving.
#include "client_support.hpp"

#include "looplab/socketio_client/connect.hpp"

using namespace sio_client_test;

TEST_CASE("client: connect, echo with binary, acks both ways, the wire hook",
          "[socketio_client][integration]") {
    const std::string poller = GENERATE(from_range(testing::test_pollers()));
    ServerFixture server{poller};
    std::vector<std::string> server_ids;
    std::optional<std::string> answer_to_server;
    server.io->on_connection([&](socketio::Socket& s) {
        server_ids.emplace_back(s.id());
        s.on("echo", [&s](const socketio::Args& args) { s.emit_args("echo", args); });
        s.on("sum", [](const socketio::Args& args, const socketio::Ack& ack) {
            ack(args[0].as_int() + args[1].as_int());
        });
        s.emit_with_ack("ask", "ready?", 2000ms,
                        [&](std::optional<socketio::AckError> error, const socketio::Args& reply) {
                            if (!error && reply[0].is_string())
                                answer_to_server = reply[0].as_string();
                        });
    });

    socketio_client::Manager manager{server.loop, socketio_client::server_url(server.address),
                                     fast_options()};
    std::vector<std::string> wire;
    manager.set_wire_tap(
        [&](socketio_client::WireDirection direction, std::string_view packet, bool is_binary) {
            wire.push_back(std::string{arrow(direction)} +
                           (is_binary ? " <binary>" : " " + std::string{packet}));
        });
    socketio_client::Socket& socket = manager.socket("/");
    Recorder recorder{socket};
    std::vector<json::Array> echoes;
    socket.on("echo", [&](const socketio::Args& args) { echoes.push_back(args.to_array()); });
    socket.on("ask", [](const socketio::Args& args, const socketio_client::Ack& ack) {
        CHECK(ack.wanted());
        ack("yes, " + args[0].as_string());
        ack("twice");   // ignored
        CHECK_FALSE(ack.wanted());
    });
    std::vector<std::string> any;
    socket.on_any([&](std::string_view event, const socketio::Args&, const socketio_client::Ack&) {
        any.emplace_back(event);
    });

    socket.connect();
    REQUIRE(server.run_until([&] { return socket.connected(); }));
    CHECK(recorder.events == std::vector<std::string>{"connect"});
    REQUIRE(server_ids.size() == 1);
    CHECK(socket.id() == server_ids[0]);
    CHECK_FALSE(manager.handshake().sid.empty());
    CHECK_FALSE(socket.recovered());

    REQUIRE(socket.emit(
        "echo", "hi", 3, json::Value::bytes(std::string{"\x00\x01\xff", 3}),
        json::Value::object({{"nested", json::Value::array({1, json::Value::bytes("b")})}})));
    REQUIRE(server.run_until([&] { return echoes.size() == 1; }));
    REQUIRE(echoes[0].size() == 4);
    CHECK(echoes[0][0] == json::Value{"hi"});
    CHECK(echoes[0][1] == json::Value{3});
    CHECK(echoes[0][2] == json::Value::bytes(std::string{"\x00\x01\xff", 3}));
    CHECK(echoes[0][3]["nested"][1] == json::Value::bytes("b"));

    std::optional<Result<socketio::Args>> sum;
    std::int64_t sum_value = 0;
    REQUIRE(socket.emit_with_ack("sum", 2, 40, 1000ms, [&](Result<socketio::Args> reply) {
        if (reply) sum_value = (*reply)[0].as_int();
        sum = std::move(reply);
    }));
    REQUIRE(server.run_until([&] { return sum.has_value() && answer_to_server.has_value(); }));
    CHECK(sum->has_value());
    CHECK(sum_value == 42);
    CHECK(*answer_to_server == "yes, ready?");
    CHECK(socket.pending_ack_count() == 0);
    CHECK(any == std::vector<std::string>{"ask", "echo"});

    // Every Engine.IO packet went through the hook: the open packet, our CONNECT, the
    // binary event as a text header plus two binary frames.
    REQUIRE(wire.size() >= 4);
    CHECK(wire[0].starts_with(R"(<- 0{"sid":")"));
    CHECK(wire[1] == "-> 40");
    CHECK(std::find_if(wire.begin(), wire.end(), [](const std::string& w) {
              return w.starts_with("-> 452-[\"echo\"");
          }) != wire.end());
    CHECK(std::count(wire.begin(), wire.end(), "-> <binary>") == 2);

    socket.disconnect();
    CHECK(recorder.disconnects ==
          std::vector<DisconnectReason>{DisconnectReason::IoClientDisconnect});
    REQUIRE(server.run_until([&] { return server.io->main_namespace().socket_count() == 0; }));
    CHECK(manager.state() == socketio_client::Manager::State::Closed);
}

TEST_CASE("client: auth accepted, or refused by a middleware as connect_error without retrying",
          "[socketio_client][integration]") {
    const std::string poller = GENERATE(from_range(testing::test_pollers()));
    ServerFixture server{poller};
    std::vector<std::string> tokens;
    server.io->use([&](socketio::Socket& s, socketio::Next next) {
        const json::Value* token = s.auth().find("token");
        tokens.push_back(token != nullptr && token->is_string() ? token->as_string() : "");
        if (tokens.back() == "good") return next();
        next(socketio::MiddlewareError{"not authorized", json::Value::object({{"code", 42}})});
    });

    auto good = socketio_client::connect(
        server.loop, "http://" + server.address.to_string(),
        {.manager = fast_options(), .socket = {.auth = json::Value::object({{"token", "good"}})}});
    REQUIRE(good);
    REQUIRE(server.run_until([&] { return good->socket().connected(); }));

    socketio_client::Manager manager{server.loop, socketio_client::server_url(server.address),
                                     fast_options()};
    ManagerEvents manager_events{manager};
    auto& bad = manager.socket("/", {.auth = json::Value::object({{"token", "bad"}})});
    Recorder recorder{bad};
    std::vector<socketio_client::ConnectError> errors;
    bad.on_connect_error([&](const socketio_client::ConnectError& e) { errors.push_back(e); });
    bad.connect();
    REQUIRE(server.run_until([&] { return !errors.empty(); }));
    CHECK(errors[0].message == "not authorized");
    CHECK(errors[0].data["code"] == json::Value{42});
    CHECK_FALSE(bad.connected());
    CHECK_FALSE(bad.active());
    server.run_for(100ms);   // five reconnection delays: none may start
    CHECK(errors.size() == 1);
    CHECK(manager_events.count("reconnect_attempt") == 0);
    CHECK(manager.state() == socketio_client::Manager::State::Closed);
    CHECK(tokens == std::vector<std::string>{"good", "bad"});
    CHECK(good->socket().connected());
}

TEST_CASE("client: a room broadcast reaches the other members, not the sender",
          "[socketio_client][integration]") {
    const std::string poller = GENERATE(from_range(testing::test_pollers()));
    ServerFixture server{poller};
    server.io->on_connection([](socketio::Socket& s) {
        s.on("join", [&s](const socketio::Args& args, const socketio::Ack& ack) {
            s.join(args[0].as_string());
            ack();
        });
        s.on("say", [&s](const socketio::Args& args) { s.to("lobby").emit("said", args[0]); });
    });
    struct Member {
        socketio_client::Manager manager;
        std::vector<std::string> heard;
        bool joined = false;
        Member(ServerFixture& server, bool join)
            : manager(server.loop, socketio_client::server_url(server.address), fast_options()) {
            auto& s = manager.socket("/");
            s.on("said",
                 [this](const socketio::Args& args) { heard.push_back(args[0].as_string()); });
            if (join)
                s.emit_with_ack("join", "lobby", 1000ms,
                                [this](Result<socketio::Args> r) { joined = r.has_value(); });
            else joined = true;
            s.connect();   // the join waits in the offline buffer until CONNECT succeeds
        }
    };
    Member a{server, true}, b{server, true}, c{server, false};
    REQUIRE(server.run_until(
        [&] { return a.joined && b.joined && c.manager.socket("/").connected(); }));
    a.manager.socket("/").emit("say", "hello room");
    REQUIRE(server.run_until([&] { return b.heard.size() == 1; }));
    CHECK(b.heard[0] == "hello room");
    // One more round trip for everyone, so a stray message would have arrived by now.
    int pongs = 0;
    for (Member* m : {&a, &c})
        m->manager.socket("/").emit_with_ack("join", "other", 1000ms,
                                             [&](Result<socketio::Args>) { ++pongs; });
    REQUIRE(server.run_until([&] { return pongs == 2; }));
    CHECK(a.heard.empty());
    CHECK(c.heard.empty());
}

TEST_CASE("client: a server DISCONNECT is \"io server disconnect\" and is not retried",
          "[socketio_client][integration]") {
    const std::string poller = GENERATE(from_range(testing::test_pollers()));
    ServerFixture server{poller};
    server.io->on_connection(
        [](socketio::Socket& s) { s.on("kick-me", [&s] { s.disconnect(); }); });
    socketio_client::Manager manager{server.loop, socketio_client::server_url(server.address),
                                     fast_options()};
    ManagerEvents manager_events{manager};
    auto& socket = manager.socket("/");
    Recorder recorder{socket};
    socket.connect();
    REQUIRE(server.run_until([&] { return socket.connected(); }));
    std::optional<Result<socketio::Args>> pending;
    socket.emit_with_ack("kick-me", 2000ms,
                         [&](Result<socketio::Args> r) { pending = std::move(r); });
    REQUIRE(server.run_until([&] { return !recorder.disconnects.empty(); }));
    CHECK(recorder.disconnects ==
          std::vector<DisconnectReason>{DisconnectReason::IoServerDisconnect});
    // The ack we asked for cannot come any more: it ends now, not at its timeout.
    REQUIRE(pending.has_value());
    CHECK(pending->error().message() == socketio::kAckDisconnected);
    CHECK_FALSE(socket.active());
    server.run_for(100ms);
    CHECK(manager_events.count("reconnect_attempt") == 0);
    CHECK(recorder.connects == 1);
    CHECK(manager.state() == socketio_client::Manager::State::Closed);

    // connect() again is the way back.
    socket.connect();
    REQUIRE(server.run_until([&] { return socket.connected(); }));
    CHECK(recorder.connects == 2);
}

TEST_CASE("client: two namespaces share one connection; an unknown one is refused",
          "[socketio_client][integration]") {
    const std::string poller = GENERATE(from_range(testing::test_pollers()));
    ServerFixture server{poller};
    server.io->of("/admin").on_connection([](socketio::Socket& s) { s.emit("hi", "admin"); });
    server.io->on_connection([](socketio::Socket& s) { s.emit("hi", "main"); });
    socketio_client::Manager manager{server.loop, socketio_client::server_url(server.address),
                                     fast_options()};
    std::vector<std::string> heard;
    auto& main = manager.socket("/");
    auto& admin = manager.socket("admin");   // a leading '/' is added
    auto& nowhere = manager.socket("/nowhere");
    std::vector<socketio_client::ConnectError> errors;
    nowhere.on_connect_error([&](const socketio_client::ConnectError& e) { errors.push_back(e); });
    for (auto* s : {&main, &admin})
        s->on("hi", [&](const socketio::Args& args) { heard.push_back(args[0].as_string()); });
    std::size_t opens = 0;
    manager.on("open", [&](const json::Value&) { ++opens; });
    main.connect();
    admin.connect();
    nowhere.connect();
    REQUIRE(server.run_until([&] { return heard.size() == 2 && errors.size() == 1; }));
    std::sort(heard.begin(), heard.end());
    CHECK(heard == std::vector<std::string>{"admin", "main"});
    CHECK(errors[0].message == "Invalid namespace");
    CHECK(opens == 1);
    CHECK(server.io->client_count() == 1);
    CHECK(main.id() != admin.id());
    admin.disconnect();
    CHECK(manager.is_open());   // main still uses it
    main.disconnect();
    CHECK_FALSE(manager.is_open());
}

TEST_CASE("client: an ack that comes after its timeout is ignored; the callback ran once",
          "[socketio_client][integration]") {
    const std::string poller = GENERATE(from_range(testing::test_pollers()));
    ServerFixture server{poller};
    bool late_answer_sent = false;
    server.io->on_connection([&](socketio::Socket& s) {
        s.on("slow", [&](const socketio::Args&, const socketio::Ack& ack) {
            server.loop.set_timeout(80ms, [&, ack] {
                ack("late");
                late_answer_sent = true;
            });
        });
    });
    socketio_client::Manager manager{server.loop, socketio_client::server_url(server.address),
                                     fast_options()};
    auto& socket = manager.socket("/");
    socket.connect();
    REQUIRE(server.run_until([&] { return socket.connected(); }));
    std::vector<std::string> results;
    socket.emit_with_ack("slow", 20ms, [&](Result<socketio::Args> r) {
        results.push_back(r ? (*r)[0].as_string() : r.error().message());
    });
    REQUIRE(server.run_until([&] { return late_answer_sent; }));
    // One more round trip, so the late ACK has surely been read by now.
    bool pong = false;
    socket.emit_with_ack("slow", 1000ms, [&](Result<socketio::Args>) { pong = true; });
    REQUIRE(server.run_until([&] { return pong; }));
    CHECK(results == std::vector<std::string>{std::string{socketio::kAckTimedOut}});
    CHECK(socket.pending_ack_count() == 0);
}
