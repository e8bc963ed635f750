// The heartbeat on real sockets with short intervals (50 ms / 50 ms): the server pings, a
// peer that answers stays, one that does not is closed with "ping timeout".
#include "eio_test_support.hpp"
#include "support/pollers.hpp"

#include <thread>

using namespace looplab;
using namespace looplab::testing;
using engineio::CloseReason;

namespace {

engineio::ServerOptions fast_heartbeat() {
    engineio::ServerOptions options;
    options.ping_interval = Millis{50};
    options.ping_timeout = Millis{50};
    return options;
}

}   // namespace

TEST_CASE("over polling, a peer that answers every ping stays; one that stops is closed",
          "[engineio][integration]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    EioFixture fixture{poller, fast_heartbeat()};
    const std::string sid = open_polling(fixture);
    for (int round = 0; round < 3; ++round) {
        CHECK(call(fixture, "GET", polling(sid)).body == "2");
        CHECK(call(fixture, "POST", polling(sid), "3").body == "ok");
    }
    CHECK(fixture.recorder.closed.empty());
    REQUIRE(fixture.run_until([&] { return !fixture.recorder.closed.empty(); }));
    CHECK(fixture.recorder.reason_for(sid) == CloseReason::PingTimeout);
    CHECK(call(fixture, "GET", polling(sid)).status == 400);
}

TEST_CASE("over a WebSocket, a peer that answers every ping stays; one that stops is closed",
          "[engineio][integration]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    EioFixture fixture{poller, fast_heartbeat()};
    ws::WebSocketClient client{fixture.loop};
    WsPeer peer;
    connect_ws(client, fixture.address(), websocket(), peer);
    REQUIRE(fixture.run_until([&] { return peer.has(1) || peer.failed; }));
    for (std::size_t round = 1; round <= 3; ++round) {
        REQUIRE(fixture.run_until([&] { return peer.has(round + 1); }));
        CHECK(peer.messages[round] == text("2"));
        REQUIRE(peer.socket().send_text("3"));
    }
    CHECK(fixture.recorder.closed.empty());
    REQUIRE(fixture.run_until([&] { return peer.closed.has_value(); }));
    REQUIRE(fixture.run_until([&] { return !fixture.recorder.closed.empty(); }));
    CHECK(fixture.recorder.closed[0].reason == CloseReason::PingTimeout);
}

TEST_CASE("a held GET is answered with the ping when it is due", "[engineio][integration]") {
    EioFixture fixture{test_pollers().front(), fast_heartbeat()};
    const std::string sid = open_polling(fixture);
    HttpCall held{fixture, "GET", polling(sid)};
    REQUIRE(fixture.run_until([&] { return held.is_answered(); }));
    CHECK(held.reply()->body == "2");
}

TEST_CASE("a request after the pong deadline finds the session closed, even from a late loop",
          "[engineio][integration]") {
    EioFixture fixture{test_pollers().front(), fast_heartbeat()};
    const std::string sid = open_polling(fixture);
    HttpCall late{fixture, "GET", polling(sid)};
    // A loop busy elsewhere for longer than pingInterval + pingTimeout: the GET and the
    // overdue timers are handled in the same turn, the GET first or not.
    std::this_thread::sleep_for(std::chrono::milliseconds{150});
    REQUIRE(fixture.run_until([&] { return late.is_answered(); }));
    CHECK(late.reply()->status == 400);
    CHECK(late.reply()->body == R"({"code":1,"message":"Session ID unknown"})");
    REQUIRE(fixture.run_until([&] { return !fixture.recorder.closed.empty(); }));
    CHECK(fixture.recorder.reason_for(sid) == CloseReason::PingTimeout);
}
