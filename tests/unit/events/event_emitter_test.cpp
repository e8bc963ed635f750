#include "looplab/events/event_emitter.hpp"

#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <vector>

using looplab::events::EventEmitter;
using looplab::events::ListenerId;
using looplab::events::UnhandledErrorEvent;
using Log = std::vector<std::string>;

TEST_CASE("emit runs every listener now, in the order they were added", "[events]") {
    EventEmitter<std::string> door;
    Log log;
    door.on("knock", [&](const std::string& who) { log.push_back("A " + who); });
    door.on("knock", [&](const std::string& who) { log.push_back("B " + who); });
    door.on("knock", [&](const std::string& who) { log.push_back("C " + who); });

    door.emit("knock", "Ada");
    CHECK(log == Log{"A Ada", "B Ada", "C Ada"});   // all ran before emit returned
}

TEST_CASE("the same listener added twice runs twice", "[events]") {
    EventEmitter<> emitter;
    int calls = 0;
    const auto count = [&] { ++calls; };
    emitter.on("tick", count);
    emitter.on("tick", count);
    emitter.emit("tick");
    CHECK(calls == 2);
}

TEST_CASE("listeners of other names do not run", "[events]") {
    EventEmitter<int> emitter;
    Log log;
    emitter.on("a", [&](int) { log.push_back("a"); });
    emitter.on("b", [&](int) { log.push_back("b"); });
    emitter.emit("b", 1);
    CHECK(log == Log{"b"});
}

TEST_CASE("emit returns whether at least one listener ran", "[events]") {
    EventEmitter<int> emitter;
    CHECK_FALSE(emitter.emit("nobody", 1));
    const ListenerId id = emitter.on("somebody", [](int) {});
    CHECK(emitter.emit("somebody", 1));
    emitter.off(id);
    CHECK_FALSE(emitter.emit("somebody", 1));

    emitter.once("one", [](int) {});
    CHECK(emitter.emit("one", 1));
    CHECK_FALSE(emitter.emit("one", 1));
}

TEST_CASE("listeners receive the emitted arguments", "[events]") {
    EventEmitter<std::string, int> emitter;
    std::string got_text;
    int got_number = 0;
    emitter.on("data", [&](const std::string& text, int number) {
        got_text = text;
        got_number = number;
    });
    emitter.emit("data", "hello", 42);
    CHECK(got_text == "hello");
    CHECK(got_number == 42);
}

TEST_CASE("a once listener runs at the first emit only", "[events]") {
    EventEmitter<std::string> door;
    Log log;
    door.on("knock", [&](const std::string& who) { log.push_back("hello " + who); });
    door.once("knock", [&](const std::string& who) { log.push_back("first " + who); });

    door.emit("knock", "Ada");
    door.emit("knock", "Grace");
    CHECK(log == Log{"hello Ada", "first Ada", "hello Grace"});
    CHECK(door.listener_count("knock") == 1);
}

TEST_CASE("a once listener is removed before it runs", "[events]") {
    EventEmitter<> emitter;
    std::size_t count_inside = 99;
    bool off_inside = true;
    ListenerId id = 0;
    id = emitter.once("x", [&] {
        count_inside = emitter.listener_count("x");
        off_inside = emitter.off(id);   // already gone
    });
    emitter.emit("x");
    CHECK(count_inside == 0);
    CHECK_FALSE(off_inside);
}

TEST_CASE("an emit from inside a once listener does not run it again", "[events]") {
    EventEmitter<int> emitter;
    Log log;
    emitter.once("x", [&](int depth) {
        log.push_back("once " + std::to_string(depth));
        emitter.emit("x", depth + 1);
    });
    emitter.on("x", [&](int depth) { log.push_back("on " + std::to_string(depth)); });

    emitter.emit("x", 0);
    // The nested emit starts after the once listener was removed: only "on" runs in it.
    CHECK(log == Log{"once 0", "on 1", "on 0"});
}

TEST_CASE("a once listener reached by a nested emit first does not run twice", "[events]") {
    EventEmitter<int> emitter;
    Log log;
    emitter.on("x", [&](int depth) {
        log.push_back("on " + std::to_string(depth));
        if (depth == 0) emitter.emit("x", 1);   // runs the once listener before the outer emit
    });
    emitter.once("x", [&](int depth) { log.push_back("once " + std::to_string(depth)); });

    emitter.emit("x", 0);
    CHECK(log == Log{"on 0", "on 1", "once 1"});   // the outer emit skips it: it has fired
}

TEST_CASE("a listener that removes itself during an emit runs until the next emit", "[events]") {
    EventEmitter<> emitter;
    Log log;
    ListenerId self = 0;
    self = emitter.on("x", [&] {
        log.push_back("self");
        CHECK(emitter.off(self));
    });
    emitter.on("x", [&] { log.push_back("other"); });

    emitter.emit("x");
    emitter.emit("x");
    CHECK(log == Log{"self", "other", "other"});
}

TEST_CASE("a later listener removed during an emit still runs in it, as in Node", "[events]") {
    EventEmitter<> emitter;
    Log log;
    ListenerId later = 0;
    emitter.on("x", [&] {
        log.push_back("first");
        emitter.off(later);
    });
    later = emitter.on("x", [&] { log.push_back("later"); });

    emitter.emit("x");   // the snapshot still holds "later"
    emitter.emit("x");   // now it is gone
    CHECK(log == Log{"first", "later", "first"});
    CHECK(emitter.listener_count("x") == 1);
}

TEST_CASE("remove_all during an emit affects only the next emit", "[events]") {
    EventEmitter<> emitter;
    Log log;
    emitter.on("x", [&] {
        log.push_back("first");
        emitter.remove_all();
    });
    emitter.on("x", [&] { log.push_back("second"); });

    CHECK(emitter.emit("x"));
    CHECK_FALSE(emitter.emit("x"));
    CHECK(log == Log{"first", "second"});
}

TEST_CASE("a listener added during an emit first runs at the next emit", "[events]") {
    EventEmitter<> emitter;
    Log log;
    bool added = false;
    emitter.on("x", [&] {
        log.push_back("adder");
        if (!added) emitter.on("x", [&] { log.push_back("added"); });
        added = true;
    });

    emitter.emit("x");
    CHECK(log == Log{"adder"});
    emitter.emit("x");
    CHECK(log == Log{"adder", "adder", "added"});
}

TEST_CASE("a listener captured state stays alive while it removes itself", "[events]") {
    // The lambda owns a string; removing itself must not destroy it mid-call (ASan checks this).
    EventEmitter<> emitter;
    std::string seen;
    ListenerId id = 0;
    id = emitter.on("x", [&, owned = std::string(100, 'z')] {
        emitter.off(id);
        seen = owned;
    });
    emitter.emit("x");
    CHECK(seen == std::string(100, 'z'));
    CHECK(emitter.listener_count("x") == 0);
}

TEST_CASE("prepend puts a listener first", "[events]") {
    EventEmitter<> emitter;
    Log log;
    emitter.on("x", [&] { log.push_back("on"); });
    emitter.prepend("x", [&] { log.push_back("prepended"); });
    emitter.prepend_once("x", [&] { log.push_back("prepended once"); });

    emitter.emit("x");
    emitter.emit("x");
    CHECK(log == Log{"prepended once", "prepended", "on", "prepended", "on"});
}

TEST_CASE("off removes exactly the listener with that id", "[events]") {
    EventEmitter<> emitter;
    Log log;
    emitter.on("x", [&] { log.push_back("a"); });
    const ListenerId b = emitter.on("x", [&] { log.push_back("b"); });
    emitter.on("x", [&] { log.push_back("c"); });

    CHECK(emitter.off(b));
    CHECK_FALSE(emitter.off(b));       // already removed
    CHECK_FALSE(emitter.off(12345));   // never handed out
    emitter.emit("x");
    CHECK(log == Log{"a", "c"});
}

TEST_CASE("ids are unique across names and never 0", "[events]") {
    EventEmitter<> emitter;
    const ListenerId a = emitter.on("a", [] {});
    const ListenerId b = emitter.on("b", [] {});
    const ListenerId c = emitter.once("a", [] {});
    CHECK(a != looplab::events::kNoListener);
    CHECK(a != b);
    CHECK(b != c);
    CHECK(a != c);
}

TEST_CASE("remove_all removes one name's listeners or everything", "[events]") {
    EventEmitter<> emitter;
    emitter.on("a", [] {});
    emitter.on("a", [] {});
    emitter.on("b", [] {});

    SECTION("one name") {
        emitter.remove_all("a");
        CHECK(emitter.listener_count("a") == 0);
        CHECK(emitter.listener_count("b") == 1);
        CHECK(emitter.event_names() == std::vector<std::string>{"b"});
        emitter.remove_all("unknown");   // allowed, does nothing
    }
    SECTION("everything") {
        emitter.remove_all();
        CHECK(emitter.listener_count("a") == 0);
        CHECK(emitter.listener_count("b") == 0);
        CHECK(emitter.event_names().empty());
    }
}

TEST_CASE("listener_count and event_names describe the current listeners", "[events]") {
    EventEmitter<> emitter;
    CHECK(emitter.event_names().empty());
    const ListenerId close = emitter.on("close", [] {});
    emitter.on("data", [] {});
    emitter.once("data", [] {});
    emitter.on("end", [] {});

    CHECK(emitter.listener_count("data") == 2);
    CHECK(emitter.listener_count("nothing") == 0);
    CHECK(emitter.event_names() == std::vector<std::string>{"close", "data", "end"});

    // A name without listeners disappears; when it comes back it goes last, as in Node.
    emitter.off(close);
    CHECK(emitter.event_names() == std::vector<std::string>{"data", "end"});
    emitter.on("close", [] {});
    CHECK(emitter.event_names() == std::vector<std::string>{"data", "end", "close"});

    emitter.emit("data");   // the once listener goes
    CHECK(emitter.listener_count("data") == 1);
}

TEST_CASE("emitting \"error\" with no listener throws with the error's text", "[events]") {
    SECTION("a string") {
        EventEmitter<std::string> emitter;
        CHECK_THROWS_WITH(emitter.emit("error", "disk full"), "Unhandled 'error' event: disk full");
    }
    SECTION("a std::exception") {
        EventEmitter<std::runtime_error> emitter;
        CHECK_THROWS_AS(emitter.emit("error", std::runtime_error{"boom"}), UnhandledErrorEvent);
        CHECK_THROWS_WITH(emitter.emit("error", std::runtime_error{"boom"}),
                          "Unhandled 'error' event: boom");
    }
    SECTION("a looplab::Error") {
        EventEmitter<looplab::Error> emitter;
        CHECK_THROWS_WITH(emitter.emit("error", looplab::Error{2, "open notes.txt"}),
                          "Unhandled 'error' event: open notes.txt: No such file or directory");
    }
    SECTION("an exception_ptr") {
        EventEmitter<std::exception_ptr> emitter;
        const auto error = std::make_exception_ptr(std::logic_error{"bad state"});
        CHECK_THROWS_WITH(emitter.emit("error", error), "Unhandled 'error' event: bad state");
    }
    SECTION("a printable value") {
        EventEmitter<int> emitter;
        CHECK_THROWS_WITH(emitter.emit("error", 7), "Unhandled 'error' event: 7");
    }
    SECTION("no value") {
        EventEmitter<> emitter;
        CHECK_THROWS_WITH(emitter.emit("error"),
                          "Unhandled 'error' event: (emitted without an error value)");
    }
    SECTION("the exception is a std::runtime_error") {
        EventEmitter<std::string> emitter;
        CHECK_THROWS_AS(emitter.emit("error", "x"), std::runtime_error);
    }
}

TEST_CASE("emitting \"error\" with a listener calls it and does not throw", "[events]") {
    EventEmitter<std::string> emitter;
    std::string handled;
    emitter.on("error", [&](const std::string& error) { handled = error; });
    CHECK_NOTHROW(emitter.emit("error", "disk full"));
    CHECK(handled == "disk full");
}

TEST_CASE("other events with no listener do not throw", "[events]") {
    EventEmitter<std::string> emitter;
    CHECK_NOTHROW(emitter.emit("Error", "x"));
    CHECK_NOTHROW(emitter.emit("errors", "x"));
}

TEST_CASE("a listener's exception leaves emit and skips the later listeners", "[events]") {
    EventEmitter<> emitter;
    Log log;
    emitter.on("x", [&] { log.push_back("before"); });
    emitter.on("x", [&] { throw std::runtime_error{"listener failed"}; });
    emitter.on("x", [&] { log.push_back("after"); });

    CHECK_THROWS_WITH(emitter.emit("x"), "listener failed");
    CHECK(log == Log{"before"});

    // Nothing was removed, and the next emit fails the same way.
    CHECK(emitter.listener_count("x") == 3);
    CHECK_THROWS(emitter.emit("x"));
    CHECK(log == Log{"before", "before"});
}

TEST_CASE("a listener removed during an emit that throws is freed afterwards", "[events]") {
    EventEmitter<> emitter;
    ListenerId self = 0;
    self = emitter.on("x", [&, owned = std::string(64, 'q')] {
        emitter.off(self);
        throw std::runtime_error{owned};
    });
    CHECK_THROWS_WITH(emitter.emit("x"), std::string(64, 'q'));
    CHECK(emitter.listener_count("x") == 0);   // and ASan sees no leak
}

TEST_CASE("more than max_listeners listeners on a name warns once for that name", "[events]") {
    EventEmitter<> emitter;
    Log warnings;
    emitter.set_warning_sink([&](std::string_view warning) { warnings.emplace_back(warning); });
    CHECK(emitter.max_listeners() == 10);

    for (int i = 0; i < 10; ++i) emitter.on("knock", [] {});
    CHECK(warnings.empty());   // 10 is still fine

    emitter.on("knock", [] {});
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0] ==
          "MaxListenersExceededWarning: Possible EventEmitter memory leak detected. 11 knock "
          "listeners added to [EventEmitter]. MaxListeners is 10. Use "
          "emitter.set_max_listeners() to increase limit");

    for (int i = 0; i < 5; ++i) emitter.on("knock", [] {});
    CHECK(warnings.size() == 1);   // once per name

    for (int i = 0; i < 11; ++i) emitter.on("ring", [] {});
    CHECK(warnings.size() == 2);   // another name warns on its own
    CHECK(warnings[1].find("11 ring listeners") != std::string::npos);
}

TEST_CASE("the max_listeners limit can be changed or turned off with 0", "[events]") {
    EventEmitter<> emitter;
    Log warnings;
    emitter.set_warning_sink([&](std::string_view warning) { warnings.emplace_back(warning); });

    SECTION("a lower limit") {
        emitter.set_max_listeners(2);
        emitter.on("x", [] {});
        emitter.on("x", [] {});
        CHECK(warnings.empty());
        emitter.on("x", [] {});
        REQUIRE(warnings.size() == 1);
        CHECK(warnings[0].find("3 x listeners") != std::string::npos);
        CHECK(warnings[0].find("MaxListeners is 2.") != std::string::npos);
    }
    SECTION("0 means unlimited") {
        emitter.set_max_listeners(0);
        for (int i = 0; i < 100; ++i) emitter.on("x", [] {});
        CHECK(warnings.empty());
        CHECK(emitter.listener_count("x") == 100);
    }
    SECTION("prepend and once count too") {
        emitter.set_max_listeners(1);
        emitter.prepend("x", [] {});
        emitter.once("x", [] {});
        CHECK(warnings.size() == 1);
    }
}

TEST_CASE("an empty warning sink drops the warning", "[events]") {
    EventEmitter<> emitter;
    emitter.set_warning_sink(nullptr);
    emitter.set_max_listeners(1);
    emitter.on("x", [] {});
    emitter.on("x", [] {});   // would warn; nothing happens
    CHECK(emitter.listener_count("x") == 2);
}

TEST_CASE("emit with more listeners than fit on the stack still follows the rules", "[events]") {
    EventEmitter<int> emitter;
    emitter.set_max_listeners(0);
    std::vector<int> order;
    const int count = static_cast<int>(looplab::events::kEmitterInlineSnapshot) * 2 + 3;
    std::vector<ListenerId> ids;
    for (int i = 0; i < count; ++i)
        ids.push_back(emitter.on("x", [&, i](int) {
            order.push_back(i);
            if (i == 0) emitter.off(ids.back());   // the last one still runs this time
        }));

    emitter.emit("x", 0);
    REQUIRE(order.size() == static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) CHECK(order[static_cast<std::size_t>(i)] == i);
    order.clear();
    emitter.emit("x", 0);
    CHECK(order.size() == static_cast<std::size_t>(count - 1));
}

TEST_CASE("nested emits of different names each finish in order", "[events]") {
    EventEmitter<> emitter;
    Log log;
    emitter.on("outer", [&] {
        log.push_back("outer start");
        emitter.emit("inner");
        log.push_back("outer end");
    });
    emitter.on("inner", [&] { log.push_back("inner"); });
    emitter.emit("outer");
    CHECK(log == Log{"outer start", "inner", "outer end"});   // one call stack, no queue
}

TEST_CASE("a listener may take its argument by value", "[events]") {
    EventEmitter<std::string> emitter;
    std::string got;
    emitter.on("x", [&](std::string text) { got = std::move(text); });
    emitter.emit("x", "copied");
    CHECK(got == "copied");
}

TEST_CASE("silence() stops an emit at once: nothing fires for an owner that is gone",
          "[events][lifetime]") {
    EventEmitter<std::string> emitter;
    Log log;
    emitter.on("end", [&](const std::string&) {
        log.emplace_back("first, destroys the owner");
        emitter.silence();   // what the owner's destructor does
    });
    emitter.on("end", [&](const std::string&) { log.emplace_back("second"); });
    CHECK(emitter.emit("end", "bye"));
    CHECK(log == Log{"first, destroys the owner"});
    CHECK_FALSE(emitter.emit("end", "again"));
    CHECK_FALSE(emitter.emit("error", "nobody is told, nothing is thrown"));
}
