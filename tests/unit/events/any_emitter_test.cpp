#include "looplab/events/any_emitter.hpp"

#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <vector>

using looplab::events::AnyEmitter;
using looplab::events::ListenerId;
using Log = std::vector<std::string>;

namespace {
int g_function_calls = 0;
void count_call(int amount) { g_function_calls += amount; }
}   // namespace

TEST_CASE("an AnyEmitter carries different argument types on different events", "[events]") {
    AnyEmitter chat;
    Log log;
    chat.on("join", [&](const std::string& who) { log.push_back(who + " joined"); });
    chat.on("typing", [&](const std::string& who, bool is_typing) {
        log.push_back(who + (is_typing ? " is typing" : " stopped"));
    });
    chat.on("tick", [&] { log.push_back("tick"); });

    CHECK(chat.emit("join", "Ada"));   // a literal travels as std::string
    CHECK(chat.emit("typing", std::string{"Ada"}, true));
    CHECK(chat.emit("tick"));
    CHECK(log == Log{"Ada joined", "Ada is typing", "tick"});
}

TEST_CASE("an AnyEmitter emit with the wrong types throws before any listener runs", "[events]") {
    AnyEmitter chat;
    Log log;
    chat.on("join", [&](const std::string& who) { log.push_back(who); });
    chat.on("join", [&](std::string who) { log.push_back(who); });   // by value matches too

    CHECK_THROWS_AS(chat.emit("join", 42), std::invalid_argument);
    CHECK_THROWS_WITH(chat.emit("join", 42),
                      "event 'join': listener expects (std::string) but emit passed (int)");
    CHECK_THROWS_WITH(chat.emit("join"),
                      "event 'join': listener expects (std::string) but emit passed ()");
    CHECK_THROWS_WITH(chat.emit("join", "Ada", 1.5),
                      "event 'join': listener expects (std::string) but emit passed "
                      "(std::string, double)");
    CHECK(log.empty());

    CHECK(chat.emit("join", "Ada"));
    CHECK(log == Log{"Ada", "Ada"});
}

TEST_CASE("an AnyEmitter checks every listener, not only the first", "[events]") {
    AnyEmitter emitter;
    int ran = 0;
    emitter.on("x", [&](int) { ++ran; });
    emitter.on("x", [&](long) { ++ran; });   // no conversion: int does not reach long
    CHECK_THROWS_WITH(emitter.emit("x", 1),
                      "event 'x': listener expects (long) but emit passed (int)");
    CHECK(ran == 0);
}

TEST_CASE("an AnyEmitter accepts function pointers and mutable lambdas", "[events]") {
    AnyEmitter emitter;
    g_function_calls = 0;
    emitter.on("add", &count_call);
    int calls = 0;
    emitter.on("add", [calls_seen = 0, &calls](int) mutable { calls = ++calls_seen; });
    emitter.emit("add", 5);
    emitter.emit("add", 2);
    CHECK(g_function_calls == 7);
    CHECK(calls == 2);
}

TEST_CASE("an AnyEmitter follows the EventEmitter rules for once, prepend and off", "[events]") {
    AnyEmitter emitter;
    Log log;
    emitter.on("x", [&](int n) { log.push_back("on " + std::to_string(n)); });
    emitter.prepend("x", [&](int n) { log.push_back("first " + std::to_string(n)); });
    emitter.once("x", [&](int n) {
        log.push_back("once " + std::to_string(n));
        emitter.emit("x", n + 1);   // nested emit does not run it again
    });
    const ListenerId last = emitter.prepend_once(
        "x", [&](int n) { log.push_back("prepended once " + std::to_string(n)); });

    emitter.emit("x", 0);
    CHECK(log == Log{"prepended once 0", "first 0", "on 0", "once 0", "first 1", "on 1"});
    CHECK_FALSE(emitter.off(last));
    CHECK(emitter.listener_count("x") == 2);
    CHECK(emitter.event_names() == std::vector<std::string>{"x"});
    emitter.remove_all();
    CHECK_FALSE(emitter.emit("x", 0));
}

TEST_CASE("an AnyEmitter throws for an unhandled \"error\" event", "[events]") {
    AnyEmitter emitter;
    CHECK_THROWS_WITH(emitter.emit("error", "lost connection"),
                      "Unhandled 'error' event: lost connection");
    CHECK_THROWS_WITH(emitter.emit("error", std::runtime_error{"boom"}),
                      "Unhandled 'error' event: boom");

    std::string handled;
    emitter.on("error", [&](const std::string& error) { handled = error; });
    CHECK_NOTHROW(emitter.emit("error", "lost connection"));
    CHECK(handled == "lost connection");
}

TEST_CASE("an AnyEmitter warns past max_listeners like EventEmitter", "[events]") {
    AnyEmitter emitter;
    Log warnings;
    emitter.set_warning_sink([&](std::string_view warning) { warnings.emplace_back(warning); });
    emitter.set_max_listeners(1);
    emitter.on("x", [] {});
    emitter.on("x", [] {});
    emitter.on("x", [] {});
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].find("2 x listeners") != std::string::npos);
}

TEST_CASE("an AnyEmitter names unusual types in full", "[events]") {
    AnyEmitter emitter;
    emitter.on("x", [](const std::vector<int>&) {});
    CHECK_THROWS_WITH(emitter.emit("x", 1u), Catch::Contains("listener expects (std::vector<int") &&
                                                 Catch::Contains("but emit passed (unsigned int)"));
}
