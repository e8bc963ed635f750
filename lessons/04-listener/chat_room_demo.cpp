// lessons/04-listener/chat_room_demo.cpp
//
// Listeners: functions registered under an event name with on(), called by emit(). A chat
// room announces "join" and "message" events; different parts of the program listen.
// Read with notes/04-listener.md; the rules are in include/looplab/events/event_emitter.hpp.
#include "looplab/events/event_emitter.hpp"
#include "looplab/lesson/lesson.hpp"

#include <string>

using namespace looplab;

namespace {

std::string names_of(const events::EventEmitter<std::string>& room) {
    std::string names;
    for (const std::string& name : room.event_names()) names += (names.empty() ? "" : ", ") + name;
    return names;
}

}  // namespace

int main(int argc, char** argv) {
    const auto options = lesson::parse(argc, argv, "lesson-04");
    lesson::TraceSession tracing{options};

    // Every event of this room carries one string: who joined, or what was said.
    events::EventEmitter<std::string> room;

    // 1. Several listeners on one event name. emit() calls them in the order they were added.
    options.step("Several listeners, one event");
    room.on("message", [](const std::string& text) { lesson::say("  screen:  {}", text); });
    const auto archive = room.on("message", [](const std::string& text) {
        lesson::say("  archive: saved \"{}\"", text);
    });
    lesson::say("listeners on \"message\": {}", room.listener_count("message"));
    lesson::say("emit(\"message\", \"hello\")");
    room.emit("message", "hello");

    // 2. Names keep events apart: "join" listeners never hear a "message", and an event
    //    nobody listens to is simply not heard (emit returns false).
    options.step("Different names");
    room.on("join", [](const std::string& who) { lesson::say("  screen:  {} joined", who); });
    lesson::say("event names: {}", names_of(room));
    lesson::say("emit(\"join\", \"Ada\")");
    room.emit("join", "Ada");
    const bool heard = room.emit("typing", "Ada");
    lesson::say("emit(\"typing\", \"Ada\") returned {}: nobody listens to \"typing\"", heard);

    // 3. once(): the listener is removed just before its first run.
    options.step("once");
    room.once("join", [](const std::string& who) {
        lesson::say("  welcome: {}, you get the one-time welcome", who);
    });
    lesson::say("emit(\"join\", \"Grace\")");
    room.emit("join", "Grace");
    lesson::say("emit(\"join\", \"Linus\")");
    room.emit("join", "Linus");

    // 4. off(id): on() returned an id; handing it back removes that listener.
    options.step("off");
    room.off(archive);
    lesson::say("archive listener removed; listeners on \"message\": {}",
                room.listener_count("message"));
    lesson::say("emit(\"message\", \"is anyone saving this?\")");
    room.emit("message", "is anyone saving this?");

    // 5. prepend(): jump the queue, to run before the listeners that are already there.
    options.step("prepend");
    room.prepend("message", [](const std::string& text) {
        lesson::say("  filter:  checked \"{}\" first", text);
    });
    lesson::say("emit(\"message\", \"hi all\")");
    room.emit("message", "hi all");

    // 6. A listener that adds a listener: emit walks a snapshot of the list taken when it
    //    started, so the newcomer first runs at the NEXT emit.
    options.step("Adding a listener during an emit");
    room.once("message", [&room](const std::string&) {
        lesson::say("  setup:   adding a \"counter\" listener now");
        room.on("message", [](const std::string& text) {
            lesson::say("  counter: counted \"{}\"", text);
        });
    });
    lesson::say("emit(\"message\", \"bonjour\")");
    room.emit("message", "bonjour");
    lesson::say("emit(\"message\", \"salut\")");
    room.emit("message", "salut");

    // 7. Eleven listeners on one name is usually a leak (a listener added per connection and
    //    never removed). The emitter warns once; it refuses nothing.
    options.step("Too many listeners");
    room.set_warning_sink([](std::string_view warning) { lesson::say("  warning: {}", warning); });
    for (int i = 0; i < 11; ++i) room.on("leave", [](const std::string&) {});
    lesson::say("listeners on \"leave\": {}", room.listener_count("leave"));
    return 0;
}
