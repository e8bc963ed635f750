// tests/unit/ws/handshake_test.cpp — the opening handshake of RFC 6455 §4, both sides.
#include "looplab/ws/handshake.hpp"

#include "looplab/codec/base64.hpp"
#include "looplab/http/request_parser.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <variant>
#include <vector>

using namespace looplab::ws;
using looplab::http::Request;

namespace {

// The RFC 6455 §1.3 sample request, with the Origin the RFC shows.
constexpr std::string_view kSampleRequest =
    "GET /chat HTTP/1.1\r\n"
    "Host: server.example.com\r\n"
    "Upgrade: websocket\r\n"
    "Connection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Origin: http://example.com\r\n"
    "Sec-WebSocket-Protocol: chat, superchat\r\n"
    "Sec-WebSocket-Version: 13\r\n"
    "\r\n";

Request parse_request(std::string_view text) {
    looplab::http::RequestParser parser;
    auto step = parser.feed(text);
    REQUIRE_FALSE(step.error);
    REQUIRE(step.request);
    return std::move(*step.request);
}

// The sample request with one header line replaced (or removed, when `line` is empty).
Request sample_with(std::string_view name, std::string_view line) {
    std::string text{kSampleRequest};
    const auto at = text.find(std::string{name} + ":");
    REQUIRE(at != std::string::npos);
    const auto end = text.find("\r\n", at) + 2;
    text.replace(at, end - at, line.empty() ? "" : std::string{line} + "\r\n");
    return parse_request(text);
}

HandshakeRejected rejected(const HandshakeOutcome& outcome) {
    const auto* rejection = std::get_if<HandshakeRejected>(&outcome);
    REQUIRE(rejection);
    return *rejection;
}

HandshakeAccepted accepted(const HandshakeOutcome& outcome) {
    const auto* acceptance = std::get_if<HandshakeAccepted>(&outcome);
    if (!acceptance) FAIL("rejected: " << std::get<HandshakeRejected>(outcome).reason);
    return *acceptance;
}

}   // namespace

TEST_CASE("the RFC 6455 sample key gives the sample accept key", "[ws][handshake]") {
    CHECK(compute_accept_key("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST_CASE("the RFC 6455 sample request is accepted with the exact 101 answer", "[ws][handshake]") {
    const Request request = parse_request(kSampleRequest);
    CHECK(wants_websocket(request));
    const HandshakeAccepted result = accepted(check_upgrade_request(request));
    CHECK(result.accept_key == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    CHECK_FALSE(result.subprotocol);   // we speak no subprotocol unless the policy says so
    CHECK(build_accept_response(result) ==
          "HTTP/1.1 101 Switching Protocols\r\n"
          "Upgrade: websocket\r\n"
          "Connection: Upgrade\r\n"
          "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
          "\r\n");
}

TEST_CASE("header names and the Upgrade and Connection values ignore case; Connection is a list",
          "[ws][handshake]") {
    const Request request = parse_request(
        "GET / HTTP/1.1\r\n"
        "host: localhost:8080\r\n"
        "upgrade: WebSocket\r\n"
        "connection: keep-alive, UPGRADE\r\n"
        "sec-websocket-key: AAAAAAAAAAAAAAAAAAAAAA==\r\n"
        "sec-websocket-version: 13\r\n"
        "\r\n");
    CHECK(accepted(check_upgrade_request(request)).accept_key ==
          compute_accept_key("AAAAAAAAAAAAAAAAAAAAAA=="));
}

TEST_CASE("a plain HTTP request does not want a WebSocket", "[ws][handshake]") {
    CHECK_FALSE(wants_websocket(parse_request("GET / HTTP/1.1\r\nHost: x\r\n\r\n")));
}

TEST_CASE("malformed upgrade requests are refused with 400", "[ws][handshake]") {
    std::string text{kSampleRequest};
    SECTION("method other than GET") {
        text.replace(0, 3, "POST");
        const auto rejection = rejected(check_upgrade_request(parse_request(text)));
        CHECK(rejection.status == 400);
        CHECK(rejection.reason == "method must be GET, not 'POST'");
    }
    SECTION("HTTP/1.0") {
        text.replace(text.find("HTTP/1.1"), 8, "HTTP/1.0");
        CHECK(rejected(check_upgrade_request(parse_request(text))).status == 400);
    }
    SECTION("no Host") {
        Request request = parse_request(text);
        request.headers.remove("Host");   // the HTTP parser itself refuses 1.1 without Host
        CHECK(rejected(check_upgrade_request(request)).reason == "missing Host");
    }
    SECTION("no Upgrade header") {
        CHECK(rejected(check_upgrade_request(sample_with("Upgrade", ""))).status == 400);
    }
    SECTION("Upgrade to something else") {
        const auto rejection =
            rejected(check_upgrade_request(sample_with("Upgrade", "Upgrade: h2c")));
        CHECK(rejection.status == 400);
        CHECK(rejection.reason == "missing 'Upgrade: websocket'");
    }
    SECTION("Connection without the upgrade token") {
        const auto rejection =
            rejected(check_upgrade_request(sample_with("Connection", "Connection: keep-alive")));
        CHECK(rejection.status == 400);
        CHECK(rejection.reason == "missing 'Connection: Upgrade'");
    }
    SECTION("no Sec-WebSocket-Version") {
        CHECK(rejected(check_upgrade_request(sample_with("Sec-WebSocket-Version", ""))).status ==
              400);
    }
    SECTION("no Sec-WebSocket-Key") {
        CHECK(rejected(check_upgrade_request(sample_with("Sec-WebSocket-Key", ""))).status == 400);
    }
    SECTION("a key that is not base64 of exactly 16 bytes") {
        const std::string key = GENERATE(as<std::string>{},
                                         "not base64!",                // bad characters
                                         "AAAAAAAAAAAAAAAAAAAA",       // 15 bytes
                                         "AAAAAAAAAAAAAAAAAAAAAAA=",   // 17 bytes
                                         "AAAAAAAAAAAAAAAAAAAAAA",     // 16 bytes, no padding
                                         "dGhlIHNhbXBsZSBub25jZQ");    // the sample, unpadded
        CAPTURE(key);
        const auto rejection = rejected(
            check_upgrade_request(sample_with("Sec-WebSocket-Key", "Sec-WebSocket-Key: " + key)));
        CHECK(rejection.status == 400);
        CHECK(rejection.reason == "Sec-WebSocket-Key is not base64 of 16 bytes");
    }
}

TEST_CASE("another protocol version is refused with 426 naming version 13", "[ws][handshake]") {
    const auto rejection = rejected(
        check_upgrade_request(sample_with("Sec-WebSocket-Version", "Sec-WebSocket-Version: 8")));
    CHECK(rejection.status == 426);
    CHECK(build_rejection_response(rejection) ==
          "HTTP/1.1 426 Upgrade Required\r\n"
          "Content-Type: text/plain; charset=utf-8\r\n"
          "Sec-WebSocket-Version: 13\r\n"
          "Upgrade: websocket\r\n"
          "Connection: Upgrade, close\r\n"
          "Content-Length: 73\r\n"
          "\r\n"
          "426 Upgrade Required: Sec-WebSocket-Version '8' is not supported; use 13\n");
}

TEST_CASE("a 400 refusal is plain text and closes the connection", "[ws][handshake]") {
    CHECK(build_rejection_response(HandshakeRejected{400, "missing Host"}) ==
          "HTTP/1.1 400 Bad Request\r\n"
          "Content-Type: text/plain; charset=utf-8\r\n"
          "Connection: close\r\n"
          "Content-Length: 30\r\n"
          "\r\n"
          "400 Bad Request: missing Host\n");
}

TEST_CASE("an Origin allow-list refuses other origins with 403", "[ws][handshake]") {
    HandshakePolicy policy;
    policy.allowed_origins = {"http://example.com", "null"};

    SECTION("a listed origin is accepted, ignoring case") {
        CHECK(accepted(check_upgrade_request(sample_with("Origin", "Origin: HTTP://EXAMPLE.COM"),
                                             policy))
                  .accept_key == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    }
    SECTION("another origin is refused") {
        const auto rejection = rejected(
            check_upgrade_request(sample_with("Origin", "Origin: http://evil.example"), policy));
        CHECK(rejection.status == 403);
        CHECK(rejection.reason == "Origin 'http://evil.example' is not allowed");
        CHECK(build_rejection_response(rejection).starts_with("HTTP/1.1 403 Forbidden\r\n"));
    }
    SECTION("a missing origin is refused") {
        CHECK(rejected(check_upgrade_request(sample_with("Origin", ""), policy)).status == 403);
    }
    SECTION("the opaque origin \"null\" is allowed when listed") {
        CHECK(std::holds_alternative<HandshakeAccepted>(
            check_upgrade_request(sample_with("Origin", "Origin: null"), policy)));
        policy.allowed_origins = {"http://example.com"};
        CHECK(
            rejected(check_upgrade_request(sample_with("Origin", "Origin: null"), policy)).status ==
            403);
    }
    SECTION("an empty list allows any origin") {
        policy.allowed_origins.clear();
        CHECK(std::holds_alternative<HandshakeAccepted>(
            check_upgrade_request(sample_with("Origin", "Origin: http://evil.example"), policy)));
    }
}

TEST_CASE("the server picks its most preferred subprotocol among those offered",
          "[ws][handshake]") {
    HandshakePolicy policy;
    SECTION("server order wins over client order") {
        policy.subprotocols = {"superchat", "chat"};
        const HandshakeAccepted result = accepted(check_upgrade_request(
            sample_with("Sec-WebSocket-Protocol", "Sec-WebSocket-Protocol: chat, superchat"),
            policy));
        CHECK(result.subprotocol == "superchat");
        CHECK(build_accept_response(result) ==
              "HTTP/1.1 101 Switching Protocols\r\n"
              "Upgrade: websocket\r\n"
              "Connection: Upgrade\r\n"
              "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
              "Sec-WebSocket-Protocol: superchat\r\n"
              "\r\n");
    }
    SECTION("offers may be spread over several header lines") {
        policy.subprotocols = {"v2.json"};
        const Request request =
            sample_with("Sec-WebSocket-Protocol",
                        "Sec-WebSocket-Protocol: chat\r\nSec-WebSocket-Protocol: v1.json,v2.json");
        CHECK(accepted(check_upgrade_request(request, policy)).subprotocol == "v2.json");
    }
    SECTION("no common subprotocol: accepted without one") {
        policy.subprotocols = {"mqtt"};
        CHECK_FALSE(
            accepted(check_upgrade_request(parse_request(kSampleRequest), policy)).subprotocol);
    }
    SECTION("names are compared exactly") {
        policy.subprotocols = {"CHAT"};
        CHECK_FALSE(
            accepted(check_upgrade_request(parse_request(kSampleRequest), policy)).subprotocol);
    }
}

// ---- Client side ---------------------------------------------------------------------------

TEST_CASE("the client request has the exact RFC 6455 shape", "[ws][handshake]") {
    const std::vector<std::string> protocols = {"chat", "superchat"};
    CHECK(build_client_request("server.example.com", "/chat", "dGhlIHNhbXBsZSBub25jZQ==", protocols,
                               "http://example.com") ==
          "GET /chat HTTP/1.1\r\n"
          "Host: server.example.com\r\n"
          "Upgrade: websocket\r\n"
          "Connection: Upgrade\r\n"
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          "Sec-WebSocket-Version: 13\r\n"
          "Origin: http://example.com\r\n"
          "Sec-WebSocket-Protocol: chat, superchat\r\n"
          "\r\n");
    CHECK(build_client_request("127.0.0.1:9000", "", "k") ==
          "GET / HTTP/1.1\r\n"
          "Host: 127.0.0.1:9000\r\n"
          "Upgrade: websocket\r\n"
          "Connection: Upgrade\r\n"
          "Sec-WebSocket-Key: k\r\n"
          "Sec-WebSocket-Version: 13\r\n"
          "\r\n");
}

TEST_CASE("a random client key is base64 of 16 fresh bytes", "[ws][handshake]") {
    const std::string key = random_client_key();
    const auto bytes = looplab::codec::base64_decode(key);
    REQUIRE(bytes);
    CHECK(bytes->size() == 16);
    CHECK(random_client_key() != key);
}

TEST_CASE("client request, server check and client check agree end to end", "[ws][handshake]") {
    const std::string key = random_client_key();
    const std::vector<std::string> protocols = {"v1.chat"};
    HandshakePolicy policy;
    policy.subprotocols = {"v2.chat", "v1.chat"};

    const Request request =
        parse_request(build_client_request("localhost", "/ws", key, protocols, "null"));
    const std::string answer =
        build_accept_response(accepted(check_upgrade_request(request, policy)));
    const auto confirmed = check_server_response(answer, key, protocols);
    REQUIRE(confirmed);
    CHECK(confirmed->subprotocol == "v1.chat");
}

TEST_CASE("the client finds the end of the response head only once the blank line is in",
          "[ws][handshake]") {
    const std::string bytes =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x02hi";
    const std::size_t head_size = bytes.size() - 4;
    for (std::size_t size = 0; size < head_size; ++size) {
        CAPTURE(size);
        CHECK_FALSE(find_head_end(std::string_view{bytes}.substr(0, size)));
    }
    CHECK(find_head_end(std::string_view{bytes}.substr(0, head_size)) == head_size);
    CHECK(find_head_end(bytes) == head_size);   // the frame after it is not part of the head
}

TEST_CASE("the client accepts the RFC 6455 sample answer", "[ws][handshake]") {
    const std::string answer =
        "HTTP/1.1 101 Switching Protocols\r\n"
        "Upgrade: websocket\r\n"
        "Connection: Upgrade\r\n"
        "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
        "Sec-WebSocket-Protocol: chat\r\n"
        "\r\n";
    const std::vector<std::string> protocols = {"chat", "superchat"};
    const auto confirmed = check_server_response(answer, "dGhlIHNhbXBsZSBub25jZQ==", protocols);
    REQUIRE(confirmed);
    CHECK(confirmed->subprotocol == "chat");

    const auto head = parse_response_head(answer);
    REQUIRE(head);
    CHECK(head->status == 101);
    CHECK(head->reason == "Switching Protocols");
    CHECK(head->headers.size() == 4);
}

TEST_CASE("the client refuses a wrong answer with a reason", "[ws][handshake]") {
    const std::string key = "dGhlIHNhbXBsZSBub25jZQ==";
    const std::string good_headers =
        "Upgrade: websocket\r\n"
        "Connection: Upgrade\r\n"
        "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n";
    const auto error_for = [&](const std::string& head) {
        const auto result = check_server_response(head, key);
        REQUIRE_FALSE(result);
        return result.error().message();
    };
    CHECK(error_for("HTTP/1.1 403 Forbidden\r\n\r\n") ==
          "websocket handshake: server answered 403 Forbidden instead of 101");
    CHECK(error_for("HTTP/1.1 101 Switching Protocols\r\n"
                    "Upgrade: websocket\r\n"
                    "Connection: Upgrade\r\n"
                    "Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n") ==
          "websocket handshake: Sec-WebSocket-Accept does not match our key");
    CHECK(error_for("HTTP/1.1 101 Switching Protocols\r\n"
                    "Connection: Upgrade\r\n"
                    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n") ==
          "websocket handshake: missing 'Upgrade: websocket'");
    CHECK(error_for("HTTP/1.1 101 Switching Protocols\r\n"
                    "Upgrade: websocket\r\n"
                    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n") ==
          "websocket handshake: missing 'Connection: Upgrade'");
    CHECK(error_for("HTTP/1.1 101 Switching Protocols\r\n" + good_headers +
                    "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n") ==
          "websocket handshake: server chose an extension we did not offer");
    CHECK(error_for("HTTP/1.1 101 Switching Protocols\r\n" + good_headers +
                    "Sec-WebSocket-Protocol: chat\r\n\r\n") ==
          "websocket handshake: server chose subprotocol 'chat', which we did not offer");
    CHECK(error_for("HTTP/1.0 101 Switching Protocols\r\n\r\n") ==
          "websocket handshake: bad status line 'HTTP/1.0 101 Switching Protocols'");
    CHECK(error_for("HTTP/1.1 101 Switching Protocols\r\nno colon here\r\n\r\n") ==
          "websocket handshake: bad header line 'no colon here'");
    CHECK(error_for("HTTP/1.1 101 Switching\rProtocols\r\n\r\n") ==
          "websocket handshake: bare CR or LF in the response head");
    CHECK(error_for("") == "websocket handshake: empty response");
    CHECK(error_for(std::string(kWsMaxHandshakeHeadSize + 1, 'x')) ==
          "websocket handshake: response head is too long");
}
