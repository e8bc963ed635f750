// tests/unit/engineio/request_check_test.cpp — the pure parts of the Engine.IO server: the
// query, the refusal order, the error bodies, the handshake JSON, sids, CORS headers.
#include "looplab/engineio/cors.hpp"
#include "looplab/engineio/errors.hpp"
#include "looplab/engineio/open_packet.hpp"
#include "looplab/engineio/request_check.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace looplab;
using namespace looplab::engineio;

namespace {

std::optional<ErrorCode> check(std::string_view target, std::string_view method = "GET",
                               RequestContext context = {},
                               std::optional<std::string_view> origin = std::nullopt) {
    return check_request(read_engine_query(target), method, origin, context);
}

RequestContext with_session(TransportKind transport, bool is_upgrade = false) {
    RequestContext context;
    context.session_transport = transport;
    context.is_upgrade = is_upgrade;
    return context;
}

}   // namespace

TEST_CASE("the engine query is read decoded, first value wins, the rest ignored", "[engineio]") {
    const EngineQuery query =
        read_engine_query("/engine.io/?EIO=4&transport=polling&t=N8h&sid=a%2Bb&sid=x");
    CHECK(query.eio == "4");
    CHECK(query.transport == "polling");
    CHECK(query.sid == "a+b");
    const EngineQuery empty = read_engine_query("/engine.io/");
    CHECK_FALSE(empty.eio);
    CHECK_FALSE(empty.transport);
    CHECK_FALSE(empty.sid);
}

TEST_CASE("a handshake passes only as GET with EIO=4 and an enabled transport", "[engineio]") {
    CHECK(check("/engine.io/?EIO=4&transport=polling") == std::nullopt);
    CHECK(check("/engine.io/?EIO=4") == ErrorCode::UnknownTransport);
    CHECK(check("/engine.io/?EIO=4&transport=flash") == ErrorCode::UnknownTransport);
    CHECK(check("/engine.io/?EIO=4&transport=webtransport") == ErrorCode::UnknownTransport);
    CHECK(check("/engine.io/?EIO=4&transport=polling", "POST") == ErrorCode::BadHandshakeMethod);
    CHECK(check("/engine.io/?EIO=4&transport=polling", "PUT") == ErrorCode::BadHandshakeMethod);
    CHECK(check("/engine.io/?EIO=4&transport=websocket") == ErrorCode::BadRequest);   // no Upgrade
    RequestContext upgrade;
    upgrade.is_upgrade = true;
    CHECK(check("/engine.io/?EIO=4&transport=websocket", "GET", upgrade) == std::nullopt);
    CHECK(check("/engine.io/?transport=polling") == ErrorCode::UnsupportedProtocolVersion);
    CHECK(check("/engine.io/?EIO=3&transport=polling") == ErrorCode::UnsupportedProtocolVersion);
    CHECK(check("/engine.io/?EIO=abc&transport=polling") == ErrorCode::UnsupportedProtocolVersion);
    // Transport first: the reference checks it before anything else.
    CHECK(check("/engine.io/?EIO=3", "POST") == ErrorCode::UnknownTransport);

    RequestContext no_polling;
    no_polling.allow_polling = false;
    CHECK(check("/engine.io/?EIO=4&transport=polling", "GET", no_polling) ==
          ErrorCode::UnknownTransport);
}

TEST_CASE("a request with sid needs a live session on the same transport", "[engineio]") {
    CHECK(check("/engine.io/?EIO=4&transport=polling&sid=S") == ErrorCode::UnknownSid);
    CHECK(check("/engine.io/?EIO=4&transport=polling&sid=S", "POST",
                with_session(TransportKind::Polling)) == std::nullopt);
    CHECK(check("/engine.io/?EIO=4&transport=polling&sid=S", "GET",
                with_session(TransportKind::WebSocket)) == ErrorCode::BadRequest);
    CHECK(check("/engine.io/?EIO=4&transport=websocket&sid=S", "GET",
                with_session(TransportKind::Polling, true)) == std::nullopt);   // an upgrade
    // EIO is checked at the handshake only, as by the reference server.
    CHECK(check("/engine.io/?transport=polling&sid=S", "GET",
                with_session(TransportKind::Polling)) == std::nullopt);
}

TEST_CASE("an Origin with control characters is a bad request", "[engineio]") {
    CHECK(check("/engine.io/?EIO=4&transport=polling", "GET", {}, "https://a.example") ==
          std::nullopt);
    CHECK(check("/engine.io/?EIO=4&transport=polling", "GET", {},
                std::string_view{"https://a\x01"}) == ErrorCode::BadRequest);
    CHECK(has_invalid_header_char("a\tb") == false);
    CHECK(has_invalid_header_char("caf\xc3\xa9") == false);
    CHECK(has_invalid_header_char("a\x7f") == true);
}

TEST_CASE("error bodies and statuses are the reference server's", "[engineio]") {
    CHECK(error_body(ErrorCode::UnknownTransport) == R"({"code":0,"message":"Transport unknown"})");
    CHECK(error_body(ErrorCode::UnknownSid) == R"({"code":1,"message":"Session ID unknown"})");
    CHECK(error_body(ErrorCode::BadHandshakeMethod) ==
          R"({"code":2,"message":"Bad handshake method"})");
    CHECK(error_body(ErrorCode::BadRequest) == R"({"code":3,"message":"Bad request"})");
    CHECK(error_body(ErrorCode::Forbidden) == R"({"code":4,"message":"Forbidden"})");
    CHECK(error_body(ErrorCode::UnsupportedProtocolVersion) ==
          R"({"code":5,"message":"Unsupported protocol version"})");
    CHECK(http_status_for(ErrorCode::Forbidden) == 403);
    CHECK(http_status_for(ErrorCode::UnknownSid) == 400);
    const http::Response response = error_response(ErrorCode::UnknownSid);
    CHECK(response.status() == 400);
    CHECK(response.headers().find("Content-Type") == "application/json");
    CHECK(upgrade_refusal(ErrorCode::UnknownSid) ==
          "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/html\r\n"
          "Content-Length: 18\r\n\r\nSession ID unknown");
}

TEST_CASE("the handshake JSON has the five keys in the reference order", "[engineio]") {
    ServerOptions options;
    CHECK(
        open_packet_json("abc", true, options) ==
        R"({"sid":"abc","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000})");
    options.ping_interval = Millis{300};
    options.ping_timeout = Millis{200};
    CHECK(
        open_packet_json("abc", false, options) ==
        R"({"sid":"abc","upgrades":[],"pingInterval":300,"pingTimeout":200,"maxPayload":1000000})");
    CHECK(sid_cookie("io", "abc") == "io=abc; Path=/; HttpOnly; SameSite=Lax");
}

TEST_CASE("sids are 20 URL-safe characters and differ", "[engineio]") {
    std::random_device random;
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) {
        const std::string sid = make_sid(random);
        REQUIRE(sid.size() == kEioSidLength);
        REQUIRE(sid.find_first_not_of(
                    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
                std::string::npos);
        seen.insert(sid);
    }
    CHECK(seen.size() == 1000);
}

TEST_CASE("CORS headers follow the allow-list", "[engineio]") {
    const CorsPolicy off{};
    CHECK(cors_headers(off, "https://a.example").size() == 0);

    const CorsPolicy listed{{"https://a.example"}, false};
    CHECK(cors_headers(listed, std::nullopt).size() == 0);
    CHECK(cors_headers(listed, "https://b.example").size() == 0);
    const http::Headers echoed = cors_headers(listed, "https://a.example");
    CHECK(echoed.find("Access-Control-Allow-Origin") == "https://a.example");
    CHECK(echoed.find("Vary") == "Origin");
    CHECK_FALSE(echoed.contains("Access-Control-Allow-Credentials"));

    const CorsPolicy any{{"*"}, false};
    CHECK(cors_headers(any, "https://b.example").find("Access-Control-Allow-Origin") == "*");
    const CorsPolicy any_with_credentials{{"*"}, true};
    const http::Headers credentialed = cors_headers(any_with_credentials, "https://b.example");
    CHECK(credentialed.find("Access-Control-Allow-Origin") == "https://b.example");
    CHECK(credentialed.find("Access-Control-Allow-Credentials") == "true");

    http::Request preflight;
    preflight.method = "OPTIONS";
    preflight.target = "/engine.io/?EIO=4&transport=polling";
    preflight.headers.add("Origin", "https://a.example");
    CHECK(is_preflight(listed, preflight));
    CHECK_FALSE(is_preflight(off, preflight));
    const http::Response answer = preflight_response(listed, preflight);
    CHECK(answer.status() == 204);
    CHECK(answer.headers().find("Access-Control-Allow-Methods") == kCorsAllowedMethods);
}
