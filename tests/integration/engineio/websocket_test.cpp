// Engine.IO over a WebSocket from the first byte (no polling), on real sockets once per poller:
// the handshake as the first frame, text and binary packets, bad packets, close both ways.
#include "eio_test_support.hpp"
#include "support/pollers.hpp"

using namespace looplab;
using namespace looplab::testing;
using engineio::CloseReason;

TEST_CASE("a WebSocket session gets the open packet as its first frame",
          "[engineio][integration]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    EioFixture fixture{poller};
    ws::WebSocketClient client{fixture.loop};
    WsPeer peer;
    connect_ws(client, fixture.address(), websocket(), peer);
    REQUIRE(fixture.run_until([&] { return peer.has(1) || peer.failed; }));
    REQUIRE(peer.messages[0].kind == ws::MessageKind::Text);
    const std::string sid = sid_of(peer.messages[0].payload);
    CHECK(peer.messages[0].payload ==
          R"(0{"sid":")" + sid +
              R"(","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000})");
    REQUIRE(fixture.recorder.opened.size() == 1);
    CHECK(fixture.recorder.opened[0]->transport() == engineio::TransportKind::WebSocket);
    // A WebSocket session is not reachable by polling.
    CHECK(call(fixture, "GET", polling(sid)).body == R"({"code":3,"message":"Bad request"})");
}

TEST_CASE("text and binary packets go both ways over the WebSocket", "[engineio][integration]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    EioFixture fixture{poller};
    fixture.recorder.echo = true;
    ws::WebSocketClient client{fixture.loop};
    WsPeer peer;
    connect_ws(client, fixture.address(), websocket(), peer);
    REQUIRE(fixture.run_until([&] { return peer.has(1) || peer.failed; }));

    REQUIRE(peer.socket().send_text("4hello"));
    REQUIRE(peer.socket().send_binary(std::string{"\x01\x02\x03\x04", 4}));
    REQUIRE(peer.socket().send_text("bAQIDBA=="));   // a client without binary frames
    REQUIRE(fixture.run_until([&] { return peer.has(4); }));
    CHECK(peer.messages[1] == text("4hello"));
    CHECK(peer.messages[2] == binary(std::string{"\x01\x02\x03\x04", 4}));
    CHECK(peer.messages[3] == binary(std::string{"\x01\x02\x03\x04", 4}));
    REQUIRE(fixture.recorder.messages.size() == 3);
    CHECK(fixture.recorder.messages[0].data == "hello");
    CHECK(fixture.recorder.messages[1].is_binary);
    CHECK(fixture.recorder.messages[2].is_binary);
}

TEST_CASE("a malformed packet over the WebSocket ends that session with parse error",
          "[engineio][integration]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    EioFixture fixture{poller};
    ws::WebSocketClient client{fixture.loop};
    WsPeer peer;
    WsPeer bystander;
    connect_ws(client, fixture.address(), websocket(), peer);
    connect_ws(client, fixture.address(), websocket(), bystander);
    REQUIRE(fixture.run_until([&] { return peer.has(1) && bystander.has(1); }));
    const std::string sid = sid_of(peer.messages[0].payload);

    REQUIRE(peer.socket().send_text("abc"));
    REQUIRE(fixture.run_until([&] { return peer.closed.has_value(); }));
    REQUIRE(fixture.run_until([&] { return !fixture.recorder.closed.empty(); }));
    CHECK(fixture.recorder.reason_for(sid) == CloseReason::ParseError);
    CHECK(fixture.log.size() == 1);

    REQUIRE(bystander.socket().send_text("4still here"));
    REQUIRE(fixture.run_until([&] { return !fixture.recorder.messages.empty(); }));
    CHECK(fixture.recorder.messages[0].data == "still here");
}

TEST_CASE("a WebSocket message over maxPayload closes the connection", "[engineio][integration]") {
    engineio::ServerOptions options;
    options.max_payload = 64;
    EioFixture fixture{test_pollers().front(), options};
    ws::WebSocketClient client{fixture.loop};
    WsPeer peer;
    connect_ws(client, fixture.address(), websocket(), peer);
    REQUIRE(fixture.run_until([&] { return peer.has(1); }));
    REQUIRE(peer.socket().send_text("4" + std::string(64, 'x')));
    REQUIRE(fixture.run_until([&] { return peer.closed.has_value(); }));
    CHECK(peer.closed->code == 1009);
    REQUIRE(fixture.run_until([&] { return !fixture.recorder.closed.empty(); }));
    CHECK(fixture.recorder.closed[0].reason == CloseReason::TransportError);
}

TEST_CASE("close from either side over the WebSocket", "[engineio][integration]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    EioFixture fixture{poller};
    ws::WebSocketClient client{fixture.loop};
    WsPeer leaving;
    WsPeer closed_by_server;
    connect_ws(client, fixture.address(), websocket(), leaving);
    connect_ws(client, fixture.address(), websocket(), closed_by_server);
    REQUIRE(fixture.run_until([&] { return leaving.has(1) && closed_by_server.has(1); }));
    const std::string leaving_sid = sid_of(leaving.messages[0].payload);
    const std::string closed_sid = sid_of(closed_by_server.messages[0].payload);

    REQUIRE(leaving.socket().send_text("1"));
    REQUIRE(fixture.run_until([&] { return leaving.closed.has_value(); }));
    fixture.engine.find(closed_sid)->close();
    REQUIRE(fixture.run_until([&] { return closed_by_server.closed.has_value(); }));
    REQUIRE(fixture.run_until([&] { return fixture.recorder.closed.size() == 2; }));
    CHECK(fixture.recorder.reason_for(leaving_sid) == CloseReason::TransportClose);
    CHECK(fixture.recorder.reason_for(closed_sid) == CloseReason::ForcedClose);
    REQUIRE(fixture.run_until([&] { return fixture.engine.session_count() == 0; }));
}

TEST_CASE("a refused WebSocket gets a plain 400 with the message", "[engineio][integration]") {
    const std::string target =
        GENERATE(std::string{"/engine.io/?transport=websocket"},
                 std::string{"/engine.io/?EIO=abc&transport=websocket"},
                 std::string{"/engine.io/?EIO=4"}, std::string{"/engine.io/?EIO=4&transport=abc"},
                 std::string{"/engine.io/?EIO=4&transport=websocket&sid=nope"});
    CAPTURE(target);
    EioFixture fixture{test_pollers().front()};
    RawClient raw{fixture.loop, fixture.address()};
    raw.send(upgrade_request(target));
    REQUIRE(fixture.run_until([&] { return raw.closed; }));
    CHECK(raw.received.rfind("HTTP/1.1 400 Bad Request\r\n", 0) == 0);
    CHECK(fixture.engine.session_count() == 0);
}

TEST_CASE("WebSocket-only mode refuses polling and serves WebSockets", "[engineio][integration]") {
    engineio::ServerOptions options;
    options.allow_polling = false;
    EioFixture fixture{test_pollers().front(), options};
    CHECK(call(fixture, "GET", polling()).body == R"({"code":0,"message":"Transport unknown"})");
    ws::WebSocketClient client{fixture.loop};
    WsPeer peer;
    connect_ws(client, fixture.address(), websocket(), peer);
    REQUIRE(fixture.run_until([&] { return peer.has(1) || peer.failed; }));
    CHECK(peer.messages[0].payload.find(R"("upgrades":[])") != std::string::npos);
    CHECK(fixture.engine.session_count() == 1);
}

TEST_CASE("with WebSockets turned off, a WebSocket request is refused with code 0",
          "[engineio][integration]") {
    engineio::ServerOptions options;
    options.allow_websocket = false;
    EioFixture fixture{test_pollers().front(), options};
    CHECK(call(fixture, "GET", polling()).body.find(R"("upgrades":[])") != std::string::npos);
    RawClient raw{fixture.loop, fixture.address()};
    raw.send(upgrade_request(websocket()));
    REQUIRE(fixture.run_until([&] { return raw.closed; }));
    CHECK(raw.received.rfind("HTTP/1.1 400 Bad Request\r\n", 0) == 0);
    CHECK(raw.received.find("Transport unknown") != std::string::npos);
}
