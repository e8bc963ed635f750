// tests/unit/http/request_test.cpp — Headers (case-insensitive names, token lists) and the
// small helpers of request.hpp.
#include "looplab/http/request.hpp"

#include <catch2/catch.hpp>

using looplab::http::equals_ignoring_case;
using looplab::http::Headers;
using looplab::http::is_token;
using looplab::http::Request;

TEST_CASE("equals_ignoring_case folds ASCII letters only", "[http][headers]") {
    CHECK(equals_ignoring_case("Sec-WebSocket-Key", "sec-websocket-key"));
    CHECK(equals_ignoring_case("", ""));
    CHECK_FALSE(equals_ignoring_case("Host", "Hos"));
    CHECK_FALSE(equals_ignoring_case("Host", "Hosu"));
    CHECK_FALSE(equals_ignoring_case("[", "{"));                 // 0x5B vs 0x7B: not letters
    CHECK_FALSE(equals_ignoring_case("\xc3\xa9", "\xc3\x89"));   // é vs É: bytes, not letters
}

TEST_CASE("is_token accepts RFC 9110 token characters only", "[http][headers]") {
    CHECK(is_token("GET"));
    CHECK(is_token("Content-Type"));
    CHECK(is_token("!#$%&'*+-.^_`|~09azAZ"));
    CHECK_FALSE(is_token(""));
    CHECK_FALSE(is_token("Content Type"));
    CHECK_FALSE(is_token("Host:"));
    CHECK_FALSE(is_token("a\"b"));
    CHECK_FALSE(is_token(std::string_view{"a\0b", 3}));
    CHECK_FALSE(is_token("caf\xc3\xa9"));
}

TEST_CASE("Headers::find ignores the case of names and returns the first match",
          "[http][headers]") {
    Headers headers;
    headers.add("Content-Type", "text/html");
    headers.add("X-Twice", "one");
    headers.add("x-twice", "two");

    CHECK(headers.find("content-type") == "text/html");
    CHECK(headers.find("CONTENT-TYPE") == "text/html");
    CHECK(headers.find("X-TWICE") == "one");
    CHECK_FALSE(headers.find("Content"));
    CHECK(headers.contains("x-twice"));
    CHECK_FALSE(headers.contains("Host"));
}

TEST_CASE("Headers::has_token finds a token in a comma-separated list", "[http][headers]") {
    Headers headers;
    headers.add("Connection", "keep-alive, Upgrade");
    headers.add("Upgrade", "websocket");
    headers.add("X-Odd", " ,  ,first ,\tsecond\t, ");

    CHECK(headers.has_token("Connection", "upgrade"));
    CHECK(headers.has_token("connection", "KEEP-ALIVE"));
    CHECK(headers.has_token("Upgrade", "WebSocket"));
    CHECK(headers.has_token("X-Odd", "first"));
    CHECK(headers.has_token("X-Odd", "second"));

    CHECK_FALSE(headers.has_token("Connection", "alive"));   // whole tokens only
    CHECK_FALSE(headers.has_token("Connection", "keep-alive, Upgrade"));
    CHECK_FALSE(headers.has_token("Connection", ""));
    CHECK_FALSE(headers.has_token("Connection", "close"));
    CHECK_FALSE(headers.has_token("Missing", "upgrade"));
}

TEST_CASE("Headers::has_token looks at every line of a repeated header", "[http][headers]") {
    Headers headers;
    headers.add("Connection", "keep-alive");
    headers.add("connection", "Upgrade");
    CHECK(headers.has_token("Connection", "upgrade"));
    CHECK(headers.has_token("Connection", "keep-alive"));
}

TEST_CASE("Headers::set replaces every same-named field and remove counts them",
          "[http][headers]") {
    Headers headers;
    headers.add("X-A", "1");
    headers.add("Vary", "Accept");
    headers.add("x-a", "2");

    headers.set("X-A", "3");
    REQUIRE(headers.size() == 2);
    CHECK(headers.all()[0].first == "Vary");
    CHECK(headers.all()[1] == std::pair<std::string, std::string>{"X-A", "3"});

    CHECK(headers.remove("VARY") == 1);
    CHECK(headers.remove("Vary") == 0);
    CHECK(headers.size() == 1);
}

TEST_CASE("Request::path drops the query string", "[http][headers]") {
    Request request;
    request.target = "/chat?room=1&x=?";
    CHECK(request.path() == "/chat");
    request.target = "/plain";
    CHECK(request.path() == "/plain");
}
