// tests/unit/http/response_test.cpp — Response bytes exactly as they go on the wire, error
// pages, HEAD answers, the bodiless statuses, and reason phrases.
#include "looplab/http/response.hpp"

#include "looplab/http/status.hpp"

#include <catch2/catch.hpp>

using looplab::http::reason_phrase;
using looplab::http::Response;
using namespace std::string_literals;

TEST_CASE("a 200 response serializes with its headers and Content-Length", "[http][response]") {
    Response response;
    response.set_body("<h1>hi</h1>", "text/html; charset=utf-8")
        .set_header("Cache-Control", "no-store");
    CHECK(response.to_bytes() ==
          "HTTP/1.1 200 OK\r\n"
          "Content-Type: text/html; charset=utf-8\r\n"
          "Cache-Control: no-store\r\n"
          "Content-Length: 11\r\n"
          "\r\n"
          "<h1>hi</h1>");
}

TEST_CASE("a response without a body still says Content-Length: 0", "[http][response]") {
    CHECK(Response{200}.to_bytes() == "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
}

TEST_CASE("Response::error makes a short plain-text page", "[http][response]") {
    CHECK(Response::error(413).to_bytes() ==
          "HTTP/1.1 413 Content Too Large\r\n"
          "Content-Type: text/plain; charset=utf-8\r\n"
          "Content-Length: 22\r\n"
          "\r\n"
          "413 Content Too Large\n");
    const auto not_found = Response::error(404);
    CHECK(not_found.status() == 404);
    CHECK(not_found.body() == "404 Not Found\n");
    CHECK(not_found.headers().find("content-type") == "text/plain; charset=utf-8");
}

TEST_CASE("a HEAD answer has the GET's Content-Length but no body", "[http][response]") {
    Response response;
    response.set_body("{\"ok\":true}", "application/json");
    CHECK(response.to_bytes_for_head() ==
          "HTTP/1.1 200 OK\r\n"
          "Content-Type: application/json\r\n"
          "Content-Length: 11\r\n"
          "\r\n");
    CHECK(response.to_bytes() == response.to_bytes_for_head() + response.body());
}

TEST_CASE("a 101 WebSocket handshake answer has no Content-Length", "[http][response]") {
    Response response{101};
    response.set_header("Upgrade", "websocket")
        .set_header("Connection", "Upgrade")
        .set_header("Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    CHECK(response.to_bytes() ==
          "HTTP/1.1 101 Switching Protocols\r\n"
          "Upgrade: websocket\r\n"
          "Connection: Upgrade\r\n"
          "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
          "\r\n");
}

TEST_CASE("204 and 304 responses have no Content-Length", "[http][response]") {
    CHECK(Response{204}.to_bytes() == "HTTP/1.1 204 No Content\r\n\r\n");
    CHECK(Response{304}.to_bytes() == "HTTP/1.1 304 Not Modified\r\n\r\n");
}

TEST_CASE("set_header replaces and add_header keeps both", "[http][response]") {
    Response response;
    response.set_header("X-Mode", "a").set_header("x-mode", "b");
    response.add_header("Set-Cookie", "a=1").add_header("Set-Cookie", "b=2");
    CHECK(response.to_bytes() ==
          "HTTP/1.1 200 OK\r\n"
          "x-mode: b\r\n"
          "Set-Cookie: a=1\r\n"
          "Set-Cookie: b=2\r\n"
          "Content-Length: 0\r\n"
          "\r\n");
}

TEST_CASE("CR, LF and NUL in a header value become spaces", "[http][response]") {
    Response response{302};
    response.set_header("Location", "/a\r\nSet-Cookie: evil\0x"s);
    CHECK(response.headers().find("Location") == "/a  Set-Cookie: evil x");
    CHECK(response.to_bytes() ==
          "HTTP/1.1 302 Found\r\n"
          "Location: /a  Set-Cookie: evil x\r\n"
          "Content-Length: 0\r\n"
          "\r\n");
}

TEST_CASE("an unknown status code gets an empty reason phrase", "[http][response]") {
    CHECK(reason_phrase(599).empty());
    CHECK(Response{599}.to_bytes() == "HTTP/1.1 599 \r\nContent-Length: 0\r\n\r\n");
}

TEST_CASE("reason phrases follow RFC 9110", "[http][response]") {
    CHECK(reason_phrase(200) == "OK");
    CHECK(reason_phrase(101) == "Switching Protocols");
    CHECK(reason_phrase(400) == "Bad Request");
    CHECK(reason_phrase(403) == "Forbidden");
    CHECK(reason_phrase(404) == "Not Found");
    CHECK(reason_phrase(413) == "Content Too Large");
    CHECK(reason_phrase(414) == "URI Too Long");
    CHECK(reason_phrase(426) == "Upgrade Required");
    CHECK(reason_phrase(431) == "Request Header Fields Too Large");
    CHECK(reason_phrase(501) == "Not Implemented");
    CHECK(reason_phrase(505) == "HTTP Version Not Supported");
}
