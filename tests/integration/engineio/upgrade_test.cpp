// The upgrade from polling to WebSocket on real sockets, once per poller: 2probe/3probe, the
// held GET released with a noop, "5", and not a packet lost, doubled or reordered across it.
#include "eio_test_support.hpp"
#include "support/pollers.hpp"

using namespace looplab;
using namespace looplab::testing;
using engineio::CloseReason;

TEST_CASE("an upgrade moves the session to the WebSocket with every packet once, in order",
          "[engineio][integration]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    EioFixture fixture{poller};
    const std::string sid = open_polling(fixture);
    engineio::Session& session = *fixture.recorder.opened.at(0);

    CHECK(call(fixture, "POST", polling(sid), "4c1").body == "ok");   // client → server, polling
    session.send_text("s1");                                          // server → client, polling
    CHECK(call(fixture, "GET", polling(sid)).body == "4s1");
    HttpCall held{fixture, "GET", polling(sid)};
    REQUIRE(fixture.run_until([&] { return session.is_writable(); }));

    ws::WebSocketClient client{fixture.loop};
    WsPeer probe;
    connect_ws(client, fixture.address(), websocket(sid), probe);
    REQUIRE(fixture.run_until([&] { return probe.connection || probe.failed; }));
    REQUIRE(probe.connection);
    REQUIRE(probe.socket().send_text("2probe"));
    REQUIRE(fixture.run_until([&] { return probe.has(1) && held.is_answered(); }));
    CHECK(probe.messages[0] == text("3probe"));
    CHECK(held.reply()->body == "6");                                 // polling is released
    CHECK(session.transport() == engineio::TransportKind::Polling);   // not yet upgraded

    session.send_text("s2");   // during the upgrade: waits, then leaves on the WebSocket
    session.send_binary(std::string{"\x01\x02", 2});
    REQUIRE(probe.socket().send_text("5"));
    REQUIRE(probe.socket().send_text("4c2"));
    REQUIRE(fixture.run_until([&] { return fixture.recorder.messages.size() == 2; }));
    CHECK(session.transport() == engineio::TransportKind::WebSocket);
    session.send_text("s3");
    REQUIRE(fixture.run_until([&] { return probe.has(4); }));
    CHECK(probe.messages == std::vector<ws::Message>{text("3probe"), text("4s2"),
                                                     binary(std::string{"\x01\x02", 2}),
                                                     text("4s3")});
    CHECK(fixture.recorder.messages[0].data == "c1");
    CHECK(fixture.recorder.messages[1].data == "c2");

    // After the upgrade: polling with this sid is refused (the session goes on) ...
    CHECK(call(fixture, "GET", polling(sid)).body == R"({"code":3,"message":"Bad request"})");
    // ... and so is a second WebSocket: accepted, then closed at once.
    WsPeer second;
    connect_ws(client, fixture.address(), websocket(sid), second);
    REQUIRE(fixture.run_until([&] { return second.closed.has_value() || second.failed; }));
    CHECK(second.messages.empty());
    REQUIRE(probe.socket().send_text("4c3"));
    REQUIRE(fixture.run_until([&] { return fixture.recorder.messages.size() == 3; }));
    CHECK(fixture.recorder.messages[2].data == "c3");
    CHECK(session.is_open());
    CHECK(fixture.recorder.closed.empty());
}

TEST_CASE("a GET during the upgrade is answered at once", "[engineio][integration]") {
    EioFixture fixture{test_pollers().front()};
    const std::string sid = open_polling(fixture);
    ws::WebSocketClient client{fixture.loop};
    WsPeer probe;
    connect_ws(client, fixture.address(), websocket(sid), probe);
    REQUIRE(fixture.run_until([&] { return probe.connection || probe.failed; }));
    REQUIRE(probe.socket().send_text("2probe"));
    REQUIRE(fixture.run_until([&] { return probe.has(1); }));
    CHECK(call(fixture, "GET", polling(sid)).body == "6");   // what the official suite checks
    REQUIRE(probe.socket().send_text("5"));
    REQUIRE(probe.socket().send_text("4hello"));
    REQUIRE(fixture.run_until([&] { return !fixture.recorder.messages.empty(); }));
    CHECK(fixture.recorder.messages[0].data == "hello");
}

TEST_CASE("a second WebSocket during an upgrade is closed; the first goes on",
          "[engineio][integration]") {
    EioFixture fixture{test_pollers().front()};
    fixture.recorder.echo = true;
    const std::string sid = open_polling(fixture);
    ws::WebSocketClient client{fixture.loop};
    WsPeer probe;
    WsPeer second;
    connect_ws(client, fixture.address(), websocket(sid), probe);
    REQUIRE(fixture.run_until([&] { return probe.connection || probe.failed; }));
    connect_ws(client, fixture.address(), websocket(sid), second);
    REQUIRE(fixture.run_until([&] { return second.closed.has_value() || second.failed; }));
    REQUIRE(probe.socket().send_text("2probe"));
    REQUIRE(probe.socket().send_text("5"));
    REQUIRE(probe.socket().send_text("4echo me"));
    REQUIRE(fixture.run_until([&] { return probe.has(2); }));
    CHECK(probe.messages[1] == text("4echo me"));
}

TEST_CASE("a probe that does not finish in upgradeTimeout is dropped; polling goes on",
          "[engineio][integration]") {
    engineio::ServerOptions options;
    options.upgrade_timeout = Millis{50};
    EioFixture fixture{test_pollers().front(), options};
    const std::string sid = open_polling(fixture);
    ws::WebSocketClient client{fixture.loop};
    WsPeer probe;
    connect_ws(client, fixture.address(), websocket(sid), probe);
    REQUIRE(fixture.run_until([&] { return probe.closed.has_value() || probe.failed; }));
    CHECK_FALSE(probe.failed);
    engineio::Session& session = *fixture.recorder.opened.at(0);
    CHECK(session.is_open());
    CHECK(session.transport() == engineio::TransportKind::Polling);
    session.send_text("still polling");
    CHECK(call(fixture, "GET", polling(sid)).body == "4still polling");
}

TEST_CASE("a probe that sends anything but 2probe or 5 is dropped", "[engineio][integration]") {
    EioFixture fixture{test_pollers().front()};
    const std::string sid = open_polling(fixture);
    ws::WebSocketClient client{fixture.loop};
    WsPeer probe;
    connect_ws(client, fixture.address(), websocket(sid), probe);
    REQUIRE(fixture.run_until([&] { return probe.connection || probe.failed; }));
    REQUIRE(probe.socket().send_text("4too early"));
    REQUIRE(fixture.run_until([&] { return probe.closed.has_value(); }));
    CHECK(fixture.recorder.messages.empty());
    CHECK(fixture.recorder.opened.at(0)->is_open());
    CHECK(call(fixture, "POST", polling(sid), "4by polling").body == "ok");
}

TEST_CASE("upgrades can be turned off", "[engineio][integration]") {
    engineio::ServerOptions options;
    options.allow_upgrades = false;
    EioFixture fixture{test_pollers().front(), options};
    const Reply reply = call(fixture, "GET", polling());
    CHECK(reply.body.find(R"("upgrades":[])") != std::string::npos);
    ws::WebSocketClient client{fixture.loop};
    WsPeer probe;
    connect_ws(client, fixture.address(), websocket(sid_of(reply.body)), probe);
    REQUIRE(fixture.run_until([&] { return probe.closed.has_value() || probe.failed; }));
    CHECK(probe.messages.empty());
}
