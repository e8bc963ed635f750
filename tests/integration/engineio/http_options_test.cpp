// The HTTP side of the engine on real sockets: CORS (allow-list, credentials, preflight), the
// sid cookie, and attach() leaving other paths to the handlers that were there before.
#include "eio_test_support.hpp"
#include "support/pollers.hpp"

using namespace looplab;
using namespace looplab::testing;

TEST_CASE("without CORS options no CORS header is sent", "[engineio][integration]") {
    EioFixture fixture{test_pollers().front()};
    const Reply reply = call(fixture, "GET", polling(), {}, "Origin: https://app.example\r\n");
    CHECK(reply.status == 200);
    CHECK_FALSE(reply.headers.contains("Access-Control-Allow-Origin"));
}

TEST_CASE("CORS echoes an allowed origin, with credentials, and answers preflights",
          "[engineio][integration]") {
    engineio::ServerOptions options;
    options.cors_origins = {"https://app.example"};
    options.cors_credentials = true;
    EioFixture fixture{test_pollers().front(), options};

    const Reply allowed = call(fixture, "GET", polling(), {}, "Origin: https://app.example\r\n");
    CHECK(allowed.status == 200);
    CHECK(allowed.headers.find("Access-Control-Allow-Origin") == "https://app.example");
    CHECK(allowed.headers.find("Access-Control-Allow-Credentials") == "true");
    CHECK(allowed.headers.find("Vary") == "Origin");

    // Errors carry them too, so the page can read the code.
    const Reply refused =
        call(fixture, "GET", polling("nope"), {}, "Origin: https://app.example\r\n");
    CHECK(refused.status == 400);
    CHECK(refused.headers.find("Access-Control-Allow-Origin") == "https://app.example");

    const Reply other = call(fixture, "GET", polling(), {}, "Origin: https://evil.example\r\n");
    CHECK(other.status == 200);   // served: CORS is the browser's rule
    CHECK_FALSE(other.headers.contains("Access-Control-Allow-Origin"));

    const Reply preflight = call(fixture, "OPTIONS", polling(), {},
                                 "Origin: https://app.example\r\n"
                                 "Access-Control-Request-Method: POST\r\n"
                                 "Access-Control-Request-Headers: content-type\r\n");
    CHECK(preflight.status == 204);
    CHECK(preflight.headers.find("Access-Control-Allow-Origin") == "https://app.example");
    CHECK(preflight.headers.find("Access-Control-Allow-Methods") ==
          "GET,HEAD,PUT,PATCH,POST,DELETE");
    CHECK(preflight.headers.find("Access-Control-Allow-Headers") == "content-type");
    CHECK(fixture.engine.session_count() == 2);   // the two GETs; the preflight opened nothing
}

TEST_CASE("CORS with any origin answers *", "[engineio][integration]") {
    engineio::ServerOptions options;
    options.cors_origins = {"*"};
    EioFixture fixture{test_pollers().front(), options};
    const Reply reply = call(fixture, "GET", polling(), {}, "Origin: https://anyone.example\r\n");
    CHECK(reply.headers.find("Access-Control-Allow-Origin") == "*");
}

TEST_CASE("the sid cookie, when asked for, comes with the handshake", "[engineio][integration]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    engineio::ServerOptions options;
    options.cookie_name = "io";
    EioFixture fixture{poller, options};
    const Reply reply = call(fixture, "GET", polling());
    const std::string sid = sid_of(reply.body);
    CHECK(reply.headers.find("Set-Cookie") == "io=" + sid + "; Path=/; HttpOnly; SameSite=Lax");
    // Later requests do not repeat it.
    engineio::Session& session = *fixture.recorder.opened.at(0);
    session.send_text("x");
    CHECK_FALSE(call(fixture, "GET", polling(sid)).headers.contains("Set-Cookie"));

    RawClient raw{fixture.loop, fixture.address()};
    raw.send(upgrade_request(websocket()));
    REQUIRE(fixture.run_until([&] { return raw.received.find("\r\n\r\n") != std::string::npos; }));
    CHECK(raw.received.rfind("HTTP/1.1 101", 0) == 0);
    CHECK(raw.received.find("\r\nSet-Cookie: io=") != std::string::npos);
}

TEST_CASE("attach() serves its path and leaves every other one to what was there",
          "[engineio][integration]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    loop::EventLoop loop{poller};
    http::Server http{loop};
    http.answer_with([](const http::Request& request) -> std::optional<http::Response> {
        http::Response response{200};
        response.set_body("app: " + request.target, "text/plain");
        return response;
    });
    engineio::ServerOptions options;
    options.path = "/socket.io";   // with or without the final slash
    engineio::Server engine{loop, options};
    engine.attach(http);
    REQUIRE(http.listen(net::Address::loopback(0)));

    const auto get = [&](std::string target) {
        RawClient raw{loop, http.local_address()};
        raw.send(
            fmt::format("GET {} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", target));
        REQUIRE(loop.run_until([&] { return raw.closed; }, 3000ms));
        return raw.received;
    };
    CHECK(get("/socket.io/?EIO=4&transport=polling").find("\r\n\r\n0{\"sid\":") !=
          std::string::npos);
    CHECK(get("/index.html").find("app: /index.html") != std::string::npos);
    CHECK(get("/socket.io?EIO=4&transport=polling").find("app: /socket.io?") != std::string::npos);
    CHECK(get("/engine.io/?EIO=4&transport=polling").find("app: /engine.io/") != std::string::npos);
    CHECK(engine.session_count() == 1);
}

TEST_CASE("two engines on one HTTP server each serve their own path", "[engineio][integration]") {
    loop::EventLoop loop{test_pollers().front()};
    http::Server http{loop};
    engineio::Server plain{loop, quiet({}, nullptr)};
    engineio::ServerOptions socketio_options = quiet({}, nullptr);
    socketio_options.path = "/socket.io/";
    engineio::Server socketio{loop, socketio_options};
    plain.attach(http);
    socketio.attach(http);
    REQUIRE(http.listen(net::Address::loopback(0)));

    std::vector<std::unique_ptr<RawClient>> clients;   // kept open: their sessions too
    const auto upgrade_to = [&](std::string path) {
        RawClient& raw =
            *clients.emplace_back(std::make_unique<RawClient>(loop, http.local_address()));
        raw.send(upgrade_request(path));
        REQUIRE(loop.run_until(
            [&] { return raw.received.find("0{\"sid\"") != std::string::npos || raw.closed; },
            3000ms));
        return raw.received.rfind("HTTP/1.1 101", 0) == 0;
    };
    CHECK(upgrade_to("/engine.io/?EIO=4&transport=websocket"));
    CHECK(upgrade_to("/socket.io/?EIO=4&transport=websocket"));
    CHECK(plain.session_count() == 1);
    CHECK(socketio.session_count() == 1);
    CHECK_FALSE(upgrade_to("/other/?EIO=4&transport=websocket"));
}

TEST_CASE("max_sessions refuses handshakes beyond it, polling and WebSocket, and logs why",
          "[engineio][integration]") {
    engineio::ServerOptions options;
    options.max_sessions = 2;
    EioFixture fixture{test_pollers().front(), options};
    const std::string first = sid_of(call(fixture, "GET", polling()).body);
    CHECK_FALSE(sid_of(call(fixture, "GET", polling()).body).empty());

    const Reply refused = call(fixture, "GET", polling());
    CHECK(refused.status == 403);
    CHECK(refused.body == R"({"code":4,"message":"Forbidden"})");
    RawClient raw{fixture.loop, fixture.address()};
    raw.send(upgrade_request(websocket()));
    REQUIRE(fixture.run_until([&] { return raw.received.find("\r\n\r\n") != std::string::npos; }));
    CHECK(raw.received.rfind("HTTP/1.1 400", 0) == 0);
    CHECK(fixture.engine.session_count() == 2);
    REQUIRE_FALSE(fixture.log.empty());
    CHECK(fixture.log.back().find("max_sessions") != std::string::npos);

    // A session in use is not a handshake: its requests go on.
    fixture.recorder.opened.at(0)->send_text("still here");
    CHECK(call(fixture, "GET", polling(first)).body == "4still here");
}
