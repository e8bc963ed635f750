// Engine.IO over HTTP long-polling on real sockets, once per poller: the handshake, payloads
// both ways, the held GET, every refusal with its code, and the rules that end a session.
#include "eio_test_support.hpp"
#include "support/pollers.hpp"

using namespace looplab;
using namespace looplab::testing;
using engineio::CloseReason;

namespace {

const std::string kExpectedHandshakeTail =
    R"(","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000})";

}   // namespace

TEST_CASE("a polling handshake answers the open packet with the five keys",
          "[engineio][integration]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    EioFixture fixture{poller};
    const Reply reply = call(fixture, "GET", polling() + "&t=N8hyd6w");
    REQUIRE(reply.status == 200);
    CHECK(reply.headers.find("Content-Type") == "text/plain; charset=UTF-8");
    const std::string sid = sid_of(reply.body);
    CHECK(sid.size() == 20);
    CHECK(reply.body == R"(0{"sid":")" + sid + kExpectedHandshakeTail);
    CHECK(reply.headers.find("Set-Cookie") == std::nullopt);   // off by default
    REQUIRE(fixture.recorder.opened.size() == 1);
    CHECK(fixture.recorder.opened[0]->id() == sid);
    CHECK(fixture.recorder.opened[0]->transport() == engineio::TransportKind::Polling);
    CHECK(fixture.recorder.opened[0]->handshake().query_value("t") == "N8hyd6w");
    CHECK(fixture.recorder.opened[0]->handshake().peer_address().ip() == "127.0.0.1");
    CHECK(fixture.engine.session_count() == 1);
    CHECK(open_polling(fixture) != sid);   // every session its own id
}

TEST_CASE("every refusal has the reference code, message and status", "[engineio][integration]") {
    struct Case {
        std::string method;
        std::string target;
        int status;
        std::string body;
    };
    const Case refusal = GENERATE(
        Case{"GET", "/engine.io/?EIO=4", 400, R"({"code":0,"message":"Transport unknown"})"},
        Case{"GET", "/engine.io/?EIO=4&transport=abc", 400,
             R"({"code":0,"message":"Transport unknown"})"},
        Case{"GET", "/engine.io/?EIO=4&transport=polling&sid=nope", 400,
             R"({"code":1,"message":"Session ID unknown"})"},
        Case{"POST", "/engine.io/?EIO=4&transport=polling", 400,
             R"({"code":2,"message":"Bad handshake method"})"},
        Case{"PUT", "/engine.io/?EIO=4&transport=polling", 400,
             R"({"code":2,"message":"Bad handshake method"})"},
        Case{"GET", "/engine.io/?EIO=4&transport=websocket", 400,
             R"({"code":3,"message":"Bad request"})"},
        Case{"GET", "/engine.io/?transport=polling", 400,
             R"({"code":5,"message":"Unsupported protocol version"})"},
        Case{"GET", "/engine.io/?EIO=3&transport=polling", 400,
             R"({"code":5,"message":"Unsupported protocol version"})"},
        Case{"GET", "/engine.io/?EIO=abc&transport=polling", 400,
             R"({"code":5,"message":"Unsupported protocol version"})"});
    CAPTURE(refusal.method, refusal.target);
    EioFixture fixture{test_pollers().front()};
    const Reply reply = call(fixture, refusal.method, refusal.target);
    CHECK(reply.status == refusal.status);
    CHECK(reply.headers.find("Content-Type") == "application/json");
    CHECK(reply.body == refusal.body);
    CHECK(fixture.engine.session_count() == 0);
}

TEST_CASE("allow_request refuses a handshake with 403 and code 4", "[engineio][integration]") {
    engineio::ServerOptions options;
    options.allow_request = [](const http::Request& request) {
        return request.headers.find("Origin") == "https://good.example";
    };
    EioFixture fixture{test_pollers().front(), options};
    const Reply refused = call(fixture, "GET", polling(), {}, "Origin: https://evil.example\r\n");
    CHECK(refused.status == 403);
    CHECK(refused.body == R"({"code":4,"message":"Forbidden"})");
    const Reply allowed = call(fixture, "GET", polling(), {}, "Origin: https://good.example\r\n");
    CHECK(allowed.status == 200);
}

TEST_CASE("a POSTed payload arrives packet by packet; a GET takes all that is queued",
          "[engineio][integration]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    EioFixture fixture{poller};
    const std::string sid = open_polling(fixture);

    const Reply pushed = call(fixture, "POST", polling(sid),
                              "4hello\x1e"
                              "4test2\x1e"
                              "bAQIDBA==");
    CHECK(pushed.status == 200);
    CHECK(pushed.body == "ok");
    CHECK(pushed.headers.find("Content-Type") == "text/html");
    using Message = Recorder::Message;
    CHECK(fixture.recorder.messages == std::vector<Message>{{sid, "hello", false},
                                                            {sid, "test2", false},
                                                            {sid, "\x01\x02\x03\x04", true}});

    engineio::Session& session = *fixture.recorder.opened.at(0);
    session.send_text("one");
    session.send_binary(std::string{"\x01\x02\x03\x04", 4});
    session.send_text("three");
    const Reply polled = call(fixture, "GET", polling(sid));
    CHECK(polled.status == 200);
    CHECK(polled.body ==
          "4one\x1e"
          "bAQIDBA==\x1e"
          "4three");
}

TEST_CASE("a GET is held until there is something to send", "[engineio][integration]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    EioFixture fixture{poller};
    const std::string sid = open_polling(fixture);
    engineio::Session& session = *fixture.recorder.opened.at(0);
    CHECK_FALSE(session.is_writable());   // no GET yet: a packet would wait

    HttpCall held{fixture, "GET", polling(sid)};
    REQUIRE(fixture.run_until([&] { return session.is_writable(); }));   // the GET is ours
    CHECK_FALSE(held.is_answered());
    session.send_text("first");
    session.send_text("second");   // same callback: one answer carries both
    REQUIRE(fixture.run_until([&] { return held.is_answered(); }));
    CHECK(held.reply()->body ==
          "4first\x1e"
          "4second");
}

TEST_CASE("a second GET while one is held is refused and ends the session",
          "[engineio][integration]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    EioFixture fixture{poller};
    const std::string sid = open_polling(fixture);
    engineio::Session& session = *fixture.recorder.opened.at(0);
    HttpCall first{fixture, "GET", polling(sid)};
    REQUIRE(fixture.run_until([&] { return session.is_writable(); }));

    const Reply second = call(fixture, "GET", polling(sid) + "&t=burst");
    CHECK(second.status == 400);
    REQUIRE(fixture.run_until([&] { return first.is_answered(); }));
    CHECK(first.reply()->status == 200);
    CHECK(first.reply()->body == "1");
    REQUIRE(fixture.run_until([&] { return !fixture.recorder.closed.empty(); }));
    CHECK(fixture.recorder.reason_for(sid) == CloseReason::TransportError);
    CHECK(fixture.log.size() == 1);   // one line says why
    CHECK(call(fixture, "GET", polling(sid)).body ==
          R"({"code":1,"message":"Session ID unknown"})");
    REQUIRE(fixture.run_until([&] { return fixture.engine.session_count() == 0; }));
}

TEST_CASE("a POST over maxPayload gets 413 and ends that session only", "[engineio][integration]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    engineio::ServerOptions options;
    options.max_payload = 100;
    EioFixture fixture{poller, options};
    const std::string bystander = open_polling(fixture);
    const std::string sid = open_polling(fixture);

    CHECK(call(fixture, "POST", polling(sid), "4" + std::string(99, 'x')).status ==
          200);   // 100 bytes
    CHECK(call(fixture, "POST", polling(sid), "4" + std::string(100, 'x')).status == 413);
    REQUIRE(fixture.run_until([&] { return !fixture.recorder.closed.empty(); }));
    CHECK(fixture.recorder.reason_for(sid) == CloseReason::TransportError);
    CHECK(call(fixture, "GET", polling(sid)).status == 400);
    CHECK(call(fixture, "POST", polling(bystander), "4still here").body == "ok");
    CHECK(fixture.recorder.messages.back().data == "still here");
}

TEST_CASE("a malformed payload is refused with 400 after the good packets before it",
          "[engineio][integration]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    EioFixture fixture{poller};
    const std::string sid = open_polling(fixture);
    const Reply refused = call(fixture, "POST", polling(sid),
                               "4good\x1e"
                               "abc");
    CHECK(refused.status == 400);
    CHECK(refused.body == R"({"code":3,"message":"Bad request"})");
    REQUIRE(fixture.recorder.messages.size() == 1);
    CHECK(fixture.recorder.messages[0].data == "good");
    REQUIRE(fixture.run_until([&] { return !fixture.recorder.closed.empty(); }));
    CHECK(fixture.recorder.reason_for(sid) == CloseReason::ParseError);
    CHECK(call(fixture, "GET", polling(sid)).status == 400);
}

TEST_CASE("a binary (octet-stream) POST is refused: v4 polling is text",
          "[engineio][integration]") {
    EioFixture fixture{test_pollers().front()};
    const std::string sid = open_polling(fixture);
    const Reply refused =
        call(fixture, "POST", polling(sid), "4hi", "Content-Type: application/octet-stream\r\n");
    CHECK(refused.status == 400);
    REQUIRE(fixture.run_until([&] { return !fixture.recorder.closed.empty(); }));
    CHECK(fixture.recorder.reason_for(sid) == CloseReason::TransportError);
}

TEST_CASE("the client's close packet releases the held GET with a noop",
          "[engineio][integration]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    EioFixture fixture{poller};
    const std::string sid = open_polling(fixture);
    engineio::Session& session = *fixture.recorder.opened.at(0);
    HttpCall held{fixture, "GET", polling(sid)};
    REQUIRE(fixture.run_until([&] { return session.is_writable(); }));

    CHECK(call(fixture, "POST", polling(sid), "1").body == "ok");
    REQUIRE(fixture.run_until([&] { return held.is_answered(); }));
    CHECK(held.reply()->body == "6");
    REQUIRE(fixture.run_until([&] { return !fixture.recorder.closed.empty(); }));
    CHECK(fixture.recorder.reason_for(sid) == CloseReason::TransportClose);
    CHECK(call(fixture, "GET", polling(sid)).status == 400);
}

TEST_CASE("closed by the server, a polling session hands its queue and close to the next GET",
          "[engineio][integration]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    EioFixture fixture{poller};
    const std::string sid = open_polling(fixture);
    engineio::Session& session = *fixture.recorder.opened.at(0);
    session.send_text("bye");
    session.close();
    CHECK_FALSE(session.is_open());
    CHECK(fixture.recorder.closed.empty());   // reported later, never inside close()
    REQUIRE(fixture.run_until([&] { return !fixture.recorder.closed.empty(); }));
    CHECK(fixture.recorder.reason_for(sid) == CloseReason::ForcedClose);

    CHECK(call(fixture, "GET", polling(sid)).body ==
          "4bye\x1e"
          "1");
    CHECK(call(fixture, "GET", polling(sid)).status == 400);
    REQUIRE(fixture.run_until([&] { return fixture.engine.session_count() == 0; }));
}

TEST_CASE("a held GET whose connection drops ends the session", "[engineio][integration]") {
    EioFixture fixture{test_pollers().front()};
    const std::string sid = open_polling(fixture);
    engineio::Session& session = *fixture.recorder.opened.at(0);
    {
        HttpCall held{fixture, "GET", polling(sid)};
        REQUIRE(fixture.run_until([&] { return session.is_writable(); }));
    }   // the client goes away
    REQUIRE(fixture.run_until([&] { return !fixture.recorder.closed.empty(); }));
    CHECK(fixture.recorder.reason_for(sid) == CloseReason::TransportError);
}

TEST_CASE("a peer that never polls cannot grow its queue past the limit",
          "[engineio][integration]") {
    EioFixture fixture{test_pollers().front()};
    const std::string sid = open_polling(fixture);
    engineio::Session& session = *fixture.recorder.opened.at(0);
    for (std::size_t i = 0; i < engineio::kEioMaxQueuedPackets; ++i) session.send_text("x");
    CHECK(session.is_open());
    session.send_text("one too many");
    CHECK_FALSE(session.is_open());
    REQUIRE(fixture.run_until([&] { return !fixture.recorder.closed.empty(); }));
    CHECK(fixture.recorder.reason_for(sid) == CloseReason::TransportError);
    REQUIRE(fixture.log.size() == 1);
    CHECK(fixture.log[0].find("send queue full") != std::string::npos);
}
