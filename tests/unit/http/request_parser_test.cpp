// tests/unit/http/request_parser_test.cpp — RequestParser: requests cut at every byte,
// pipelining, bytes after a request left alone, every limit at and one past it, and each bad
// input with the status code the client is told.
#include "looplab/http/request_parser.hpp"

#include "looplab/http/limits.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

using looplab::http::kHttpMaxBodyBytes;
using looplab::http::kHttpMaxHeaderBytes;
using looplab::http::kHttpMaxHeaderCount;
using looplab::http::ParserState;
using looplab::http::Request;
using looplab::http::RequestError;
using looplab::http::RequestParser;
using looplab::http::status_for;
using namespace std::string_view_literals;

namespace {

struct Parsed {
    std::vector<Request> requests;
    std::optional<RequestError> error;
};

Parsed parse(std::string_view bytes) {
    RequestParser parser;
    Parsed parsed;
    parsed.error = parser.feed_all(bytes, parsed.requests);
    return parsed;
}

Parsed parse_byte_by_byte(std::string_view bytes) {
    RequestParser parser;
    Parsed parsed;
    for (std::size_t i = 0; i < bytes.size() && !parsed.error; ++i)
        parsed.error = parser.feed_all(bytes.substr(i, 1), parsed.requests);
    return parsed;
}

std::optional<RequestError> error_of(std::string_view bytes) { return parse(bytes).error; }

// A head of exactly `size` bytes: "GET / HTTP/1.1\r\nHost: x\r\nX-Pad: aaa...\r\n\r\n".
std::string head_of_size(std::size_t size) {
    const std::string start = "GET / HTTP/1.1\r\nHost: x\r\nX-Pad: ";
    const std::string end = "\r\n\r\n";
    return start + std::string(size - start.size() - end.size(), 'a') + end;
}

// "GET /aaa...a HTTP/1.0\r\n": a request line of `size` bytes, CRLF included.
std::string request_line_of_size(std::size_t size) {
    const std::string end = " HTTP/1.0\r\n";
    return "GET /" + std::string(size - 5 - end.size(), 'a') + end;
}

// `count` header lines in all, Host included.
std::string request_with_header_count(std::size_t count) {
    std::string bytes = "GET / HTTP/1.1\r\nHost: x\r\n";
    for (std::size_t i = 1; i < count; ++i) bytes += "X-" + std::to_string(i) + ": v\r\n";
    return bytes + "\r\n";
}

constexpr std::string_view kPipelinedPair =
    "POST /chat?room=1 HTTP/1.1\r\nHost: localhost:3000\r\nContent-Length: 5\r\n\r\nhello"
    "GET /bye HTTP/1.1\r\nHost: localhost:3000\r\nConnection: close\r\n\r\n";

void check_pipelined_pair(const std::vector<Request>& requests) {
    REQUIRE(requests.size() == 2);
    CHECK(requests[0].method == "POST");
    CHECK(requests[0].target == "/chat?room=1");
    CHECK(requests[0].path() == "/chat");
    CHECK(requests[0].body == "hello");
    CHECK(requests[1].method == "GET");
    CHECK(requests[1].target == "/bye");
    CHECK(requests[1].body.empty());
    CHECK_FALSE(requests[1].keeps_alive());
}

}   // namespace

TEST_CASE("a GET request parses into method, target, version and headers", "[http][parser]") {
    const auto parsed = parse(
        "GET /index.html HTTP/1.1\r\n"
        "Host: example.com\r\n"
        "Accept:   text/html \t\r\n"
        "X-Empty:\r\n"
        "\r\n");
    REQUIRE_FALSE(parsed.error);
    REQUIRE(parsed.requests.size() == 1);
    const Request& request = parsed.requests[0];
    CHECK(request.method == "GET");
    CHECK(request.target == "/index.html");
    CHECK(request.version_minor == 1);
    REQUIRE(request.headers.size() == 3);
    CHECK(request.headers.all()[0] == std::pair<std::string, std::string>{"Host", "example.com"});
    CHECK(request.headers.find("accept") == "text/html");   // spaces and tab around it removed
    CHECK(request.headers.find("x-empty") == "");
    CHECK(request.body.empty());
}

TEST_CASE("a body is read up to Content-Length, whatever bytes it holds", "[http][parser]") {
    const std::string body{"a\r\n\r\n\0b", 7};   // looks like the end of a head, and a NUL
    const auto parsed = parse("PUT /x HTTP/1.1\r\nHost: h\r\nContent-Length: 7\r\n\r\n" + body);
    REQUIRE_FALSE(parsed.error);
    REQUIRE(parsed.requests.size() == 1);
    CHECK(parsed.requests[0].body == body);
}

TEST_CASE("two pipelined requests split at every byte give the same two requests",
          "[http][parser]") {
    const std::size_t cut = GENERATE(range<std::size_t>(0, kPipelinedPair.size() + 1));
    CAPTURE(cut);

    RequestParser parser;
    std::vector<Request> requests;
    REQUIRE_FALSE(parser.feed_all(kPipelinedPair.substr(0, cut), requests));
    REQUIRE_FALSE(parser.feed_all(kPipelinedPair.substr(cut), requests));
    check_pipelined_pair(requests);
    CHECK(parser.state() == ParserState::WaitingForRequest);
}

TEST_CASE("two pipelined requests fed one byte at a time give the same two requests",
          "[http][parser]") {
    const auto parsed = parse_byte_by_byte(kPipelinedPair);
    REQUIRE_FALSE(parsed.error);
    check_pipelined_pair(parsed.requests);
}

TEST_CASE("feed() takes one request per call and says where it ended", "[http][parser]") {
    const std::string first = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n";
    const std::string second = "GET /b HTTP/1.1\r\nHost: h\r\n\r\n";
    const std::string both = first + second;

    RequestParser parser;
    auto step = parser.feed(both);
    REQUIRE(step.request);
    CHECK(step.request->target == "/a");
    CHECK(step.consumed == first.size());

    step = parser.feed(std::string_view{both}.substr(first.size()));
    REQUIRE(step.request);
    CHECK(step.request->target == "/b");
    CHECK(step.consumed == second.size());
}

TEST_CASE("WebSocket bytes sent right after an Upgrade request are left unconsumed",
          "[http][parser]") {
    const std::string upgrade =
        "GET /chat HTTP/1.1\r\n"
        "Host: server.example.com\r\n"
        "Upgrade: websocket\r\n"
        "Connection: keep-alive, Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\n"
        "\r\n";
    // A masked text frame "Hello" (RFC 6455 §5.7): not HTTP at all.
    const std::string frame = "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58";
    const std::string wire = upgrade + frame;

    RequestParser parser;
    const auto step = parser.feed(wire);
    REQUIRE_FALSE(step.error);
    REQUIRE(step.request);
    CHECK(step.request->headers.has_token("connection", "upgrade"));
    CHECK(step.consumed == upgrade.size());
    CHECK(std::string_view{wire}.substr(step.consumed) == frame);
}

TEST_CASE("a partial request is kept inside and all its bytes are consumed", "[http][parser]") {
    RequestParser parser;
    CHECK(parser.state() == ParserState::WaitingForRequest);

    auto step = parser.feed(std::string_view{"POST / HTTP/1.1\r\nHost: h\r\nContent-Le"});
    CHECK(step.consumed == 36);
    CHECK_FALSE(step.request);
    CHECK(parser.state() == ParserState::ReadingHead);

    step = parser.feed(std::string_view{"ngth: 3\r\n\r\nab"});
    CHECK(step.consumed == 13);
    CHECK(parser.state() == ParserState::ReadingBody);

    step = parser.feed(std::string_view{"cGET"});   // the last body byte, then the next request
    REQUIRE(step.request);
    CHECK(step.request->body == "abc");
    CHECK(step.consumed == 1);
    CHECK(parser.state() == ParserState::WaitingForRequest);
}

TEST_CASE("feed() accepts bytes as a span of uint8_t", "[http][parser]") {
    const std::vector<std::uint8_t> bytes{'G', 'E', 'T', ' ', '/', ' ',  'H',  'T',  'T',
                                          'P', '/', '1', '.', '0', '\r', '\n', '\r', '\n'};
    RequestParser parser;
    const auto step = parser.feed(std::span<const std::uint8_t>{bytes});
    REQUIRE(step.request);
    CHECK(step.request->version_minor == 0);
    CHECK(step.consumed == bytes.size());
}

TEST_CASE("bare LF line ends are accepted, alone or mixed with CRLF", "[http][parser]") {
    const auto parsed = parse("GET /nc HTTP/1.1\nHost: h\r\nAccept: */*\n\n");
    REQUIRE_FALSE(parsed.error);
    REQUIRE(parsed.requests.size() == 1);
    CHECK(parsed.requests[0].target == "/nc");
    CHECK(parsed.requests[0].headers.find("Accept") == "*/*");
}

TEST_CASE("empty lines before a request line are skipped", "[http][parser]") {
    const auto parsed = parse("\r\n\r\n\nGET / HTTP/1.1\r\nHost: h\r\n\r\n");
    REQUIRE_FALSE(parsed.error);
    CHECK(parsed.requests.size() == 1);
}

TEST_CASE("header names are found without regard to case", "[http][parser]") {
    const auto parsed = parse(
        "GET / HTTP/1.1\r\nHOST: h\r\ncontent-LENGTH: 2\r\n"
        "CONNECTION: Keep-Alive, UPGRADE\r\n\r\nok");
    REQUIRE_FALSE(parsed.error);
    REQUIRE(parsed.requests.size() == 1);
    const auto& headers = parsed.requests[0].headers;
    CHECK(headers.find("Host") == "h");
    CHECK(headers.find("Content-Length") == "2");
    CHECK(headers.has_token("Connection", "upgrade"));
    CHECK(headers.has_token("connection", "keep-alive"));
    CHECK(parsed.requests[0].body == "ok");
}

TEST_CASE("HTTP/1.0 needs no Host and HTTP/1.1 needs exactly one", "[http][parser]") {
    CHECK_FALSE(error_of("GET / HTTP/1.0\r\n\r\n"));
    CHECK(error_of("GET / HTTP/1.1\r\n\r\n") == RequestError::MissingHost);
    CHECK(error_of("GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n") == RequestError::DuplicateHost);
    CHECK(error_of("GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n") == RequestError::DuplicateHost);
}

TEST_CASE("repeated Content-Length lines must agree", "[http][parser]") {
    const auto same = parse(
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n"
        "Content-Length: 02\r\n\r\nhi");
    REQUIRE_FALSE(same.error);
    CHECK(same.requests.at(0).body == "hi");

    CHECK(
        error_of("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n") ==
        RequestError::ConflictingContentLength);
}

// --- limits: exactly at the limit passes, one past it fails --------------------------------

TEST_CASE("a head of exactly kHttpMaxHeaderBytes is accepted, one byte more gives 431",
          "[http][parser][limits]") {
    const bool one_byte_at_a_time = GENERATE(false, true);
    CAPTURE(one_byte_at_a_time);
    const auto parse_it = one_byte_at_a_time ? parse_byte_by_byte : parse;

    REQUIRE(head_of_size(kHttpMaxHeaderBytes).size() == kHttpMaxHeaderBytes);
    const auto at_limit = parse_it(head_of_size(kHttpMaxHeaderBytes));
    CHECK_FALSE(at_limit.error);
    CHECK(at_limit.requests.size() == 1);

    const auto past_limit = parse_it(head_of_size(kHttpMaxHeaderBytes + 1));
    REQUIRE(past_limit.error == RequestError::HeadersTooLarge);
    CHECK(status_for(*past_limit.error) == 431);
}

TEST_CASE("the bytes after a head do not count against kHttpMaxHeaderBytes",
          "[http][parser][limits]") {
    const std::string two = head_of_size(kHttpMaxHeaderBytes) + head_of_size(kHttpMaxHeaderBytes);
    const auto parsed = parse(two);
    CHECK_FALSE(parsed.error);
    CHECK(parsed.requests.size() == 2);
}

TEST_CASE("a request line counts against kHttpMaxHeaderBytes, and past it gives 414",
          "[http][parser][limits]") {
    // HTTP/1.0 needs no Host, so the whole head is the request line and the empty line.
    const std::string full_head = request_line_of_size(kHttpMaxHeaderBytes - 2) + "\r\n";
    REQUIRE(full_head.size() == kHttpMaxHeaderBytes);
    CHECK(parse(full_head).requests.size() == 1);

    RequestParser parser;
    auto step = parser.feed(request_line_of_size(kHttpMaxHeaderBytes));   // no room left, no error
    CHECK_FALSE(step.error);
    step = parser.feed(std::string_view{"\r\n"});
    CHECK(step.error == RequestError::HeadersTooLarge);

    const auto error = error_of(request_line_of_size(kHttpMaxHeaderBytes + 1));
    REQUIRE(error == RequestError::RequestLineTooLong);
    CHECK(status_for(*error) == 414);
}

TEST_CASE("a client that never sends a line end fails as soon as it passes kHttpMaxHeaderBytes",
          "[http][parser][limits]") {
    RequestParser parser;
    const std::string endless(kHttpMaxHeaderBytes, 'A');
    auto step = parser.feed(endless);
    CHECK_FALSE(step.error);
    CHECK(step.consumed == kHttpMaxHeaderBytes);
    CHECK(parser.state() == ParserState::ReadingHead);

    step = parser.feed(std::string_view{"A"});
    CHECK(step.error == RequestError::RequestLineTooLong);
    CHECK(parser.state() == ParserState::Failed);
}

TEST_CASE("kHttpMaxHeaderCount header lines are accepted, one more gives 431",
          "[http][parser][limits]") {
    const auto at_limit = parse(request_with_header_count(kHttpMaxHeaderCount));
    CHECK_FALSE(at_limit.error);
    REQUIRE(at_limit.requests.size() == 1);
    CHECK(at_limit.requests[0].headers.size() == kHttpMaxHeaderCount);

    const auto error = error_of(request_with_header_count(kHttpMaxHeaderCount + 1));
    REQUIRE(error == RequestError::TooManyHeaders);
    CHECK(status_for(*error) == 431);
}

TEST_CASE("a body of exactly kHttpMaxBodyBytes is accepted", "[http][parser][limits]") {
    const std::string head =
        "POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: " + std::to_string(kHttpMaxBodyBytes) +
        "\r\n\r\n";
    const auto parsed = parse(head + std::string(kHttpMaxBodyBytes, 'b'));
    REQUIRE_FALSE(parsed.error);
    REQUIRE(parsed.requests.size() == 1);
    CHECK(parsed.requests[0].body.size() == kHttpMaxBodyBytes);
}

TEST_CASE("a Content-Length one past kHttpMaxBodyBytes gives 413 before any body byte arrives",
          "[http][parser][limits]") {
    RequestParser parser;
    const auto step = parser.feed("POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: " +
                                  std::to_string(kHttpMaxBodyBytes + 1) + "\r\n\r\n");
    REQUIRE(step.error == RequestError::BodyTooLarge);
    CHECK(status_for(*step.error) == 413);
}

TEST_CASE("a Content-Length too big for 64 bits gives 413, not an overflow",
          "[http][parser][limits]") {
    CHECK(
        error_of("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999999\r\n\r\n") ==
        RequestError::BodyTooLarge);
}

// --- bad input, each with its status code ---------------------------------------------------

namespace {

struct BadRequest {
    std::string_view name;
    std::string_view bytes;
    RequestError error;
    int status;
};

const BadRequest kBadRequests[] = {
    {"HTTP/0.9 style line", "GET /\r\n\r\n", RequestError::MalformedRequestLine, 400},
    {"two spaces between parts", "GET  / HTTP/1.1\r\nHost: h\r\n\r\n", RequestError::InvalidTarget,
     400},
    {"tab instead of space", "GET\t/\tHTTP/1.1\r\n\r\n", RequestError::MalformedRequestLine, 400},
    {"method with a slash", "GE/T / HTTP/1.1\r\nHost: h\r\n\r\n", RequestError::InvalidMethod, 400},
    {"empty method", " / HTTP/1.1\r\nHost: h\r\n\r\n", RequestError::InvalidMethod, 400},
    {"DEL in target", "GET /a\x7f HTTP/1.1\r\nHost: h\r\n\r\n", RequestError::InvalidTarget, 400},
    {"UTF-8 in target", "GET /\xc3\xa9 HTTP/1.1\r\nHost: h\r\n\r\n", RequestError::InvalidTarget,
     400},
    {"lower-case version", "GET / http/1.1\r\nHost: h\r\n\r\n", RequestError::InvalidVersion, 400},
    {"space after version", "GET / HTTP/1.1 \r\nHost: h\r\n\r\n", RequestError::InvalidVersion,
     400},
    {"two-digit major", "GET / HTTP/11.1\r\nHost: h\r\n\r\n", RequestError::InvalidVersion, 400},
    {"HTTP/2.0", "GET / HTTP/2.0\r\nHost: h\r\n\r\n", RequestError::UnsupportedVersion, 505},
    {"HTTP/1.2", "GET / HTTP/1.2\r\nHost: h\r\n\r\n", RequestError::UnsupportedVersion, 505},
    {"HTTP/0.9", "GET / HTTP/0.9\r\n\r\n", RequestError::UnsupportedVersion, 505},
    {"bare CR in request line", "GET /\r HTTP/1.1\r\nHost: h\r\n\r\n",
     RequestError::BareCarriageReturn, 400},
    {"bare CR in header value", "GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n",
     RequestError::BareCarriageReturn, 400},
    {"CR CR LF", "GET / HTTP/1.1\r\r\nHost: h\r\n\r\n", RequestError::BareCarriageReturn, 400},
    {"header without colon", "GET / HTTP/1.1\r\nHost h\r\n\r\n", RequestError::HeaderWithoutColon,
     400},
    {"space before colon", "GET / HTTP/1.1\r\nHost : h\r\n\r\n", RequestError::SpaceBeforeColon,
     400},
    {"tab before colon", "GET / HTTP/1.1\r\nHost\t: h\r\n\r\n", RequestError::SpaceBeforeColon,
     400},
    {"empty header name", "GET / HTTP/1.1\r\n: h\r\n\r\n", RequestError::InvalidHeaderName, 400},
    {"space inside header name", "GET / HTTP/1.1\r\nX Y: h\r\n\r\n",
     RequestError::InvalidHeaderName, 400},
    {"obs-fold continuation", "GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n 2\r\n\r\n",
     RequestError::FoldedHeaderLine, 400},
    {"tab-started first header", "GET / HTTP/1.1\r\n\tHost: h\r\n\r\n",
     RequestError::FoldedHeaderLine, 400},
    {"NUL in header value", "GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n"sv,
     RequestError::InvalidHeaderValue, 400},
    {"escape char in header value",
     "GET / HTTP/1.1\r\nHost: a\x1b"
     "b\r\n\r\n",
     RequestError::InvalidHeaderValue, 400},
    {"Content-Length with sign", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +5\r\n\r\n",
     RequestError::InvalidContentLength, 400},
    {"negative Content-Length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n",
     RequestError::InvalidContentLength, 400},
    {"Content-Length list", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5, 5\r\n\r\n",
     RequestError::InvalidContentLength, 400},
    {"empty Content-Length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length:\r\n\r\n",
     RequestError::InvalidContentLength, 400},
    {"hex Content-Length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0x10\r\n\r\n",
     RequestError::InvalidContentLength, 400},
    {"chunked body", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
     RequestError::TransferEncodingNotImplemented, 501},
    {"Transfer-Encoding and Content-Length",
     "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\ntransfer-encoding: chunked\r\n\r\n",
     RequestError::TransferEncodingNotImplemented, 501},
};

}   // namespace

TEST_CASE("each bad request gives its named error and status code, however it is cut",
          "[http][parser]") {
    const BadRequest bad = GENERATE(from_range(std::begin(kBadRequests), std::end(kBadRequests)));
    CAPTURE(bad.name);

    const auto parsed = parse(bad.bytes);
    CHECK(parsed.requests.empty());
    REQUIRE(parsed.error == bad.error);
    CHECK(status_for(*parsed.error) == bad.status);
    CHECK(parse_byte_by_byte(bad.bytes).error == bad.error);
}

TEST_CASE("after an error the parser stays failed", "[http][parser]") {
    RequestParser parser;
    std::vector<Request> requests;
    REQUIRE(parser.feed_all("GET / HTTP/9.9\r\n", requests) == RequestError::UnsupportedVersion);
    CHECK(parser.state() == ParserState::Failed);

    const auto step = parser.feed(std::string_view{"GET / HTTP/1.1\r\nHost: h\r\n\r\n"});
    CHECK(step.error == RequestError::UnsupportedVersion);
    CHECK_FALSE(step.request);
    CHECK(parser.error() == RequestError::UnsupportedVersion);
}

TEST_CASE("a request before a bad one is still delivered", "[http][parser]") {
    const auto parsed = parse("GET /ok HTTP/1.1\r\nHost: h\r\n\r\nGET /bad HTTP/3.0\r\n\r\n");
    REQUIRE(parsed.requests.size() == 1);
    CHECK(parsed.requests[0].target == "/ok");
    CHECK(parsed.error == RequestError::UnsupportedVersion);
}

TEST_CASE("every request error has a status code and a description", "[http][parser]") {
    for (int e = 0; e <= static_cast<int>(RequestError::TransferEncodingNotImplemented); ++e) {
        const auto error = static_cast<RequestError>(e);
        CAPTURE(e);
        CHECK(status_for(error) >= 400);
        CHECK(status_for(error) <= 505);
        CHECK_FALSE(looplab::http::describe(error).empty());
    }
    CHECK(fmt::format("{}", RequestError::BodyTooLarge) ==
          "Content-Length is above kHttpMaxBodyBytes");
}

// --- keep-alive -----------------------------------------------------------------------------

TEST_CASE("keep-alive follows the HTTP/1.0 and HTTP/1.1 rules", "[http][parser]") {
    struct Case {
        std::string_view head;
        bool keeps_alive;
    };
    const Case c = GENERATE(values<Case>({
        {"GET / HTTP/1.1\r\nHost: h\r\n\r\n", true},
        {"GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", false},
        {"GET / HTTP/1.1\r\nHost: h\r\nConnection: Close\r\n\r\n", false},
        {"GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, close\r\n\r\n", false},
        {"GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive\r\n\r\n", true},
        {"GET / HTTP/1.0\r\n\r\n", false},
        {"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true},
        {"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true},
        {"GET / HTTP/1.0\r\nConnection: close\r\n\r\n", false},
    }));
    CAPTURE(c.head);

    const auto parsed = parse(c.head);
    REQUIRE(parsed.requests.size() == 1);
    CHECK(parsed.requests[0].keeps_alive() == c.keeps_alive);
}
