// tests/integration/socketio/transports_test.cpp — the Socket.IO server over real sockets,
// one end-to-end scenario per transport, with a hand-written client: WebSocket only,
// HTTP long-polling only, and polling upgraded to WebSocket. Each goes through CONNECT,
// events both ways, acks both ways, binary, a room broadcast and a disconnect with its reason.
#include "sio_integration_support.hpp"

using namespace sio_integration;
using socketio::Ack;
using socketio::AckError;
using socketio::Args;
using socketio::Socket;

namespace {

const std::string kBytes{"\x01\x02\x00\xff", 4};

// The application every scenario talks to.
struct ChatApp {
    explicit ChatApp(socketio::Server& io) {
        io.on_connection([this](Socket& s) {
            s.join("room");
            s.on("echo", [&s](const Args& args) { s.emit_args("echo", args); });
            s.on("echo-ack", [](const Args& args, const Ack& ack) { ack.send_args(args); });
            s.on("say", [&s](const Args& args) { s.to("room").emit("said", args[0]); });
            s.on("ask-me", [&s, this] {
                s.emit_with_ack("question", "ready?", Millis{2000},
                                [this](std::optional<AckError> error, const Args& reply) {
                                    answers.push_back(error ? std::string{error->reason}
                                                            : json::write(reply.to_array()));
                                });
            });
            s.on_disconnect([this](socketio::DisconnectReason reason) {
                reasons.emplace_back(socketio::to_string(reason));
            });
        });
    }
    std::vector<std::string> answers;
    std::vector<std::string> reasons;
};

}   // namespace

TEST_CASE("Socket.IO over WebSocket only: connect, events, acks both ways, binary, rooms, leave",
          "[socketio][integration]") {
    SioFixture fixture;
    ChatApp app{fixture.io};
    WsClient a{fixture};
    WsClient b{fixture};
    REQUIRE(fixture.run_until([&] { return a.is_connected() && b.is_connected(); }));
    REQUIRE(fixture.run_until([&] { return !a.frames.empty() && !b.frames.empty(); }));
    CHECK(a.frames[0].data.starts_with(R"(0{"sid":")"));
    CHECK(a.frames[0].data.find(R"("upgrades":[])") != std::string::npos);

    a.send("0");
    b.send("0");
    REQUIRE(fixture.run_until([&] { return a.received.size() == 1 && b.received.size() == 1; }));
    const std::string sid_a = sid_in(take(a, 1)[0]);
    take(b, 1);
    CHECK(fixture.io.main_namespace().find_socket(sid_a) != nullptr);

    // Events and acks from the client.
    a.send(R"(2["echo","hi",{"n":1}])");
    a.send(R"(27["echo-ack",1,"two"])");
    REQUIRE(fixture.run_until([&] { return a.received.size() == 2; }));
    CHECK(take(a, 2) == std::vector<Msg>{txt(R"(2["echo","hi",{"n":1}])"), txt(R"(37[1,"two"])")});

    // Binary, both ways.
    a.send(R"(51-["echo",{"_placeholder":true,"num":0}])");
    a.send_binary(kBytes);
    REQUIRE(fixture.run_until([&] { return a.received.size() == 2; }));
    CHECK(take(a, 2) ==
          std::vector<Msg>{txt(R"(51-["echo",{"_placeholder":true,"num":0}])"), bin(kBytes)});

    // An ack the server asks for.
    a.send(R"(2["ask-me"])");
    REQUIRE(fixture.run_until([&] { return a.received.size() == 1; }));
    const Msg question = take(a, 1)[0];
    REQUIRE(question.data.starts_with("2"));
    const std::string id = question.data.substr(1, question.data.find('[') - 1);
    CHECK(question.data == "2" + id + R"(["question","ready?"])");
    a.send("3" + id + R"(["yes"])");
    REQUIRE(fixture.run_until([&] { return app.answers.size() == 1; }));
    CHECK(app.answers[0] == R"(["yes"])");

    // A room broadcast reaches b, not the sender.
    a.send(R"(2["say","hello room"])");
    REQUIRE(fixture.run_until([&] { return b.received.size() == 1; }));
    CHECK(take(b, 1)[0] == txt(R"(2["said","hello room"])"));
    CHECK(a.received.empty());

    // a leaves the namespace; b's connection ends.
    a.send("1");
    REQUIRE(fixture.run_until([&] { return app.reasons.size() == 1; }));
    CHECK(app.reasons[0] == "client namespace disconnect");
    b.close();
    REQUIRE(fixture.run_until([&] { return app.reasons.size() == 2; }));
    CHECK(app.reasons[1] == "transport close");
    CHECK(fixture.io.main_namespace().socket_count() == 0);
}

TEST_CASE("Socket.IO over HTTP long-polling only: connect, events, acks, binary as base64, leave",
          "[socketio][integration]") {
    SioFixture fixture;
    ChatApp app{fixture.io};
    PollingClient client{fixture};
    client.send("0");
    REQUIRE(client.wait_for(1));
    const std::string sid = sid_in(take(client, 1)[0]);
    CHECK(fixture.io.main_namespace().find_socket(sid) != nullptr);

    // Several packets in one POST, answers in one or more GETs.
    client.send({txt(R"(2["echo","hi"])"), txt(R"(23["echo-ack",{"x":[1,2]}])")});
    REQUIRE(client.wait_for(2));
    CHECK(take(client, 2) == std::vector<Msg>{txt(R"(2["echo","hi"])"), txt(R"(33[{"x":[1,2]}])")});

    // Binary travels as "b" + base64 inside the payload, both ways.
    client.send({txt(R"(51-["echo",{"_placeholder":true,"num":0}])"), bin(kBytes)});
    REQUIRE(client.wait_for(2));
    CHECK(take(client, 2) ==
          std::vector<Msg>{txt(R"(51-["echo",{"_placeholder":true,"num":0}])"), bin(kBytes)});

    client.send(R"(2["ask-me"])");
    REQUIRE(client.wait_for(1));
    const Msg question = take(client, 1)[0];
    const std::string id = question.data.substr(1, question.data.find('[') - 1);
    client.send("3" + id + R"([42])");
    REQUIRE(fixture.run_until([&] { return app.answers.size() == 1; }));
    CHECK(app.answers[0] == "[42]");

    client.send("1");
    REQUIRE(fixture.run_until([&] { return app.reasons.size() == 1; }));
    CHECK(app.reasons[0] == "client namespace disconnect");
}

TEST_CASE(
    "Socket.IO over polling upgraded to WebSocket: nothing lost or doubled across the upgrade",
    "[socketio][integration]") {
    SioFixture fixture;
    ChatApp app{fixture.io};
    Socket* socket = nullptr;
    fixture.io.on_connection([&](Socket& s) { socket = &s; });
    PollingClient polling{fixture};
    polling.send("0");
    REQUIRE(polling.wait_for(1));
    const std::string sid = sid_in(take(polling, 1)[0]);
    REQUIRE(socket != nullptr);
    socket->emit("before", 1);
    REQUIRE(polling.wait_for(1));
    CHECK(take(polling, 1)[0] == txt(R"(2["before",1])"));

    // The probe: 2probe/3probe on the WebSocket, the held GET released, then "5".
    polling.start_get();
    WsClient ws{fixture, polling.sid};
    REQUIRE(fixture.run_until([&] { return ws.is_connected(); }));
    ws.send_eio("2probe");
    REQUIRE(fixture.run_until([&] { return !ws.frames.empty(); }));
    CHECK(ws.frames[0] == txt("3probe"));
    bool released = false;
    fixture.run_until([&] { return released = released || polling.poll(); });
    CAPTURE(polling.pending_raw(), fixture.log);
    REQUIRE(released);
    REQUIRE(polling.eio_packets.back().type == engineio::PacketType::Noop);
    socket->emit("during", 2);   // sent mid-upgrade: must arrive once, on the WebSocket
    ws.send_eio("5");
    ws.send(R"(2["echo","after"])");
    socket->emit("after", 3);
    REQUIRE(fixture.run_until([&] { return ws.received.size() == 3; }));
    // "after" was emitted before the server read "5" and the echo request: it waits too.
    CHECK(take(ws, 3) == std::vector<Msg>{txt(R"(2["during",2])"), txt(R"(2["after",3])"),
                                          txt(R"(2["echo","after"])")});
    CHECK(polling.received.empty());

    // The TCP connection goes away: the socket leaves with "transport close".
    ws.close();
    REQUIRE(fixture.run_until([&] { return app.reasons.size() == 1; }));
    CHECK(app.reasons[0] == "transport close");
}

TEST_CASE("a Socket.IO client that never sends CONNECT is closed after connect_timeout",
          "[socketio][integration]") {
    socketio::ServerOptions options;
    options.connect_timeout = Millis{50};
    SioFixture fixture{options};
    WsClient idle{fixture};
    REQUIRE(fixture.run_until([&] { return idle.closed; }));
    CHECK(fixture.io.client_count() == 0);
}
