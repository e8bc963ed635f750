// tests/unit/socketio_client/wire_meaning_test.cpp — each packet the wire hook shows, in words.
#include "looplab/socketio_client/wire_meaning.hpp"

#include <catch2/catch.hpp>

using looplab::socketio_client::describe_packet;

TEST_CASE("describe_packet tells what each Engine.IO / Socket.IO packet means",
          "[socketio_client]") {
    CHECK(
        describe_packet(
            R"(0{"sid":"S1","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000})",
            false) == "open: session S1, ping every 25000 ms, pong within 20000 ms");
    CHECK(describe_packet("2", false) == "ping: is the client still there?");
    CHECK(describe_packet("3", false) == "pong: still here");
    CHECK(describe_packet("1", false) == "close: the connection ends");
    CHECK(describe_packet("40", false) == "CONNECT to /");
    CHECK(describe_packet(R"(40{"token":"abc"})", false) ==
          R"(CONNECT to / with auth {"token":"abc"})");
    CHECK(describe_packet(R"(40/admin,{"sid":"Qm","pid":"P"})", false) ==
          "CONNECT to /admin accepted: socket id Qm (state recovery on)");
    CHECK(describe_packet(R"(42["chat","hi"])", false) == R"(EVENT "chat" on / with 1 argument)");
    CHECK(describe_packet(R"(421["ask","q",2])", false) ==
          R"(EVENT "ask" on / with 2 arguments, asks for ack 1)");
    CHECK(describe_packet(R"(431["yes"])", false) == "ACK 1 on / with 1 argument");
    CHECK(describe_packet(R"(451-["up",{"_placeholder":true,"num":0}])", false) ==
          R"(EVENT "up" on / with 1 argument, 1 binary attachment follows)");
    CHECK(describe_packet(std::string{"\x01\x02\x03", 3}, true) == "binary attachment: 3 bytes");
    CHECK(describe_packet(R"(44/admin,{"message":"no"})", false) == "CONNECT_ERROR on /admin: no");
    CHECK(describe_packet("41", false) == "DISCONNECT from /");
    // Garbage is described, never a crash.
    CHECK_THAT(describe_packet("", false), Catch::StartsWith("not an Engine.IO packet"));
    CHECK_THAT(describe_packet("9", false), Catch::StartsWith("not an Engine.IO packet"));
    CHECK_THAT(describe_packet("4abc", false), Catch::StartsWith("not a Socket.IO packet"));
    CHECK_THAT(describe_packet("0{}", false), Catch::StartsWith("open, unreadable"));
}
