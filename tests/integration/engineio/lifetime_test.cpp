// Ending many sessions at once: close_all(), and destroying the engine while sessions are
// open (a held GET, a WebSocket) — no events, no crash, the HTTP server goes on.
#include "eio_test_support.hpp"
#include "support/pollers.hpp"

using namespace looplab;
using namespace looplab::testing;
using engineio::CloseReason;

TEST_CASE("close_all() ends every session with forced close", "[engineio][integration]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    EioFixture fixture{poller};
    const std::string polling_sid = open_polling(fixture);
    HttpCall held{fixture, "GET", polling(polling_sid)};
    ws::WebSocketClient client{fixture.loop};
    WsPeer peer;
    connect_ws(client, fixture.address(), websocket(), peer);
    REQUIRE(fixture.run_until([&] { return peer.has(1) && fixture.recorder.opened.size() == 2; }));
    REQUIRE(fixture.run_until([&] { return fixture.recorder.opened[0]->is_writable(); }));

    fixture.engine.close_all();
    REQUIRE(fixture.run_until([&] { return held.is_answered() && peer.closed.has_value(); }));
    CHECK(held.reply()->body == "1");
    REQUIRE(fixture.run_until([&] { return fixture.recorder.closed.size() == 2; }));
    CHECK(fixture.recorder.closed[0].reason == CloseReason::ForcedClose);
    CHECK(fixture.recorder.closed[1].reason == CloseReason::ForcedClose);
    REQUIRE(fixture.run_until([&] { return fixture.engine.session_count() == 0; }));
}

TEST_CASE("destroying the engine with open sessions reports nothing and leaves HTTP working",
          "[engineio][integration]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    loop::EventLoop loop{poller};
    http::Server http{loop};
    http.answer_with([](const http::Request&) -> std::optional<http::Response> {
        http::Response response{200};
        response.set_body("app", "text/plain");
        return response;
    });
    Recorder recorder;
    auto engine = std::make_unique<engineio::Server>(loop, quiet({}, nullptr));
    engine->set_listener(recorder);
    engine->attach(http);
    REQUIRE(http.listen(net::Address::loopback(0)));

    RawClient handshake{loop, http.local_address()};
    handshake.send("GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n\r\n");
    REQUIRE(loop.run_until([&] { return recorder.opened.size() == 1; }, 3000ms));
    RawClient held{loop, http.local_address()};
    held.send(fmt::format("GET {} HTTP/1.1\r\nHost: x\r\n\r\n", polling(recorder.opened[0]->id())));
    REQUIRE(loop.run_until([&] { return recorder.opened[0]->is_writable(); }, 3000ms));
    ws::WebSocketClient client{loop};
    WsPeer peer;
    connect_ws(client, http.local_address(), websocket(), peer);
    REQUIRE(loop.run_until([&] { return peer.has(1); }, 3000ms));

    engine.reset();
    CHECK(recorder.closed.empty());
    REQUIRE(loop.run_until([&] { return held.received.find("\r\n\r\n1") != std::string::npos; },
                           3000ms));
    REQUIRE(loop.run_until([&] { return peer.closed.has_value(); }, 3000ms));
    CHECK(recorder.closed.empty());

    RawClient after{loop, http.local_address()};
    after.send(
        "GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    REQUIRE(loop.run_until([&] { return after.closed; }, 3000ms));
    CHECK(after.received.find("\r\n\r\napp") != std::string::npos);   // the app's handler now
}

TEST_CASE("a session may send from on_open: the packet follows the open packet",
          "[engineio][integration]") {
    struct Greeter final : engineio::ServerListener {
        void on_open(engineio::Session& session) override { session.send_text("welcome"); }
    };
    EioFixture fixture{test_pollers().front()};
    Greeter greeter;
    fixture.engine.set_listener(greeter);
    const std::string sid = open_polling(fixture);
    CHECK(call(fixture, "GET", polling(sid)).body == "4welcome");

    ws::WebSocketClient client{fixture.loop};
    WsPeer peer;
    connect_ws(client, fixture.address(), websocket(), peer);
    REQUIRE(fixture.run_until([&] { return peer.has(2); }));
    CHECK(peer.messages[0].payload.rfind("0{", 0) == 0);
    CHECK(peer.messages[1] == text("4welcome"));
}
