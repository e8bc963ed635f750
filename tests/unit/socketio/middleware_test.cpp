// tests/unit/socketio/middleware_test.cpp — connection middlewares (use, CONNECT_ERROR with
// message and data, async next, parent then child for dynamic namespaces) and per-packet
// middlewares (Socket::use: refuse an event, "error" event, async).
#include "sio_test_support.hpp"

#include <optional>
#include <string>
#include <vector>

using namespace sio_test;
using socketio::Args;
using socketio::MiddlewareError;
using socketio::Next;
using socketio::Socket;

TEST_CASE("connection middlewares run in order; all saying next() lets the socket in",
          "[socketio]") {
    SioHarness h;
    std::vector<std::string> order;
    h.io.use([&](Socket& s, Next next) {
        order.push_back("first pending=" + std::string{s.is_pending() ? "yes" : "no"});
        next();
    });
    h.io.use([&](Socket&, Next next) {
        order.push_back("second");
        next();
        next();   // a second call counts for nothing
    });
    h.io.on_connection([&](Socket&) { order.push_back("connection"); });
    h.connect();
    CHECK(order == std::vector<std::string>{"first pending=yes", "second", "connection"});
}

TEST_CASE("next(error) refuses with CONNECT_ERROR {message, data}; later middlewares do not run",
          "[socketio]") {
    SioHarness h;
    bool later = false;
    bool connected = false;
    h.io.of("/admin").use([](Socket& s, Next next) {
        const json::Value* token = s.auth().find("token");
        if (token != nullptr && token->is_string() && token->as_string() == "letmein")
            return next();
        next(MiddlewareError{"unauthorized", json::Value::object({{"code", 401}})});
    });
    h.io.of("/admin").use([&](Socket&, Next next) {
        later = true;
        next();
    });
    h.io.of("/admin").on_connection([&](Socket&) { connected = true; });
    h.io.use([](Socket&, Next next) { next(MiddlewareError{"plain", {}}); });

    FakeSession& peer = h.open();
    h.send(peer, R"(0/admin,{"token":"wrong"})");
    CHECK(peer.take_one() == R"(4/admin,{"message":"unauthorized","data":{"code":401}})");
    CHECK_FALSE(later);
    CHECK_FALSE(connected);
    CHECK(h.io.of("/admin").socket_count() == 0);
    h.send(peer, "0");   // no data: no "data" key
    CHECK(peer.take_one() == R"(4{"message":"plain"})");
    CHECK(peer.is_open());   // a refusal is not the end of the connection
    h.join(peer, "/admin", R"({"token":"letmein"})");
    CHECK(later);
    CHECK(connected);
}

TEST_CASE("a middleware may call next later (an async check)", "[socketio]") {
    SioHarness h;
    std::optional<Next> held;
    bool connected = false;
    h.io.use([&](Socket&, Next next) { held = next; });
    h.io.on_connection([&](Socket&) { connected = true; });
    FakeSession& peer = h.open();
    h.send(peer, "0");
    CHECK(peer.sent.empty());
    CHECK_FALSE(connected);
    h.loop.set_timeout(Millis{5}, [&] { (*held)(); });
    REQUIRE(h.run_until([&] { return connected; }));
    CHECK(peer.take_one().starts_with(R"(0{"sid":)"));
}

TEST_CASE("a connection that closes while its middleware waits never connects", "[socketio]") {
    SioHarness h;
    std::optional<Next> held;
    bool connected = false;
    h.io.use([&](Socket&, Next next) { held = next; });
    h.io.on_connection([&](Socket&) { connected = true; });
    FakeSession& peer = h.open();
    h.send(peer, "0");
    h.drop(peer);
    (*held)();   // late: nothing happens, nothing crashes
    CHECK_FALSE(connected);
    CHECK(h.io.main_namespace().socket_count() == 0);
}

TEST_CASE("events for a socket still in its middlewares close the connection", "[socketio]") {
    SioHarness h;
    h.io.use([](Socket&, Next) {});   // never decides
    FakeSession& peer = h.open();
    h.send(peer, "0");
    h.send(peer, R"(2["early"])");
    CHECK(peer.close_called);
}

TEST_CASE("dynamic namespaces: the parent's middlewares run before the child's", "[socketio]") {
    SioHarness h;
    std::vector<std::string> order;
    socketio::Namespace& parent = h.io.of(
        [](std::string_view name, const json::Value&) { return name.starts_with("/team-"); });
    parent.use([&](Socket& s, Next next) {
        order.push_back("parent " + s.nsp().name());
        next();
    });
    FakeSession& peer = h.open();
    h.join(peer, "/team-1");
    REQUIRE(parent.children().size() == 1);
    parent.children()[0]->use([&](Socket&, Next next) {
        order.push_back("child");
        next();
    });
    FakeSession& other = h.open();
    h.join(other, "/team-1");
    CHECK(order == std::vector<std::string>{"parent /team-1", "parent /team-1", "child"});
}

TEST_CASE("per-packet middlewares: refused events are not dispatched and emit \"error\"",
          "[socketio]") {
    SioHarness h;
    std::vector<std::string> seen;
    h.io.on_connection([&](Socket& s) {
        s.use([&](std::string_view event, const Args& args, Next next) {
            seen.push_back("mw " + std::string{event} + " " + json::write(args.to_array()));
            if (event == "admin")
                return next(MiddlewareError{"forbidden", json::Value::object({{"why", "role"}})});
            next();
        });
        s.on("admin", [&] { seen.push_back("admin ran"); });
        s.on("chat", [&] { seen.push_back("chat ran"); });
        s.on("error", [&](const Args& args) { seen.push_back("error " + json::write(args[0])); });
    });
    FakeSession& peer = h.connect();
    h.send(peer, R"(2["chat",1])");
    h.send(peer, R"(2["admin"])");
    CHECK(seen ==
          std::vector<std::string>{"mw chat [1]", "chat ran", "mw admin []",
                                   R"(error {"message":"forbidden","data":{"why":"role"}})"});
    CHECK(peer.is_open());
}

TEST_CASE("a refused event with nobody listening to \"error\" is logged, not thrown",
          "[socketio]") {
    SioHarness h;
    h.io.on_connection([&](Socket& s) {
        s.use([](std::string_view, const Args&, Next next) { next(MiddlewareError{"no", {}}); });
    });
    FakeSession& peer = h.connect();
    h.send(peer, R"(2["x"])");
    CHECK(h.logged("event refused by a middleware"));
    CHECK(peer.is_open());
}

TEST_CASE("per-packet middlewares may decide later; the event keeps its ack", "[socketio]") {
    SioHarness h;
    std::vector<Next> held;
    h.io.on_connection([&](Socket& s) {
        s.use([&](std::string_view, const Args&, Next next) { held.push_back(next); });
        s.on("ask", [](const Args& args, const socketio::Ack& ack) { ack(args[0]); });
    });
    FakeSession& peer = h.connect();
    h.send(peer, R"(24["ask","first"])");
    REQUIRE(held.size() == 1);
    CHECK(peer.sent.empty());
    held[0]();
    CHECK(peer.take_one() == R"(34["first"])");
}
