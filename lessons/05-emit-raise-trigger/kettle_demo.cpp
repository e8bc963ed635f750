// lessons/05-emit-raise-trigger/kettle_demo.cpp
//
// Emit is a plain function call: the trace shows the listeners running on the caller's stack,
// before emit returns. Then the one special event, "error". Read with
// notes/05-emit-raise-trigger.md.
#include "kettle.hpp"

#include "looplab/events/unhandled_error_event.hpp"
#include "looplab/lesson/lesson.hpp"
#include "looplab/loop/event_loop.hpp"

#include <chrono>

using namespace looplab;
using namespace std::chrono_literals;

int main(int argc, char** argv) {
    const auto options = lesson::parse(argc, argv, "lesson-05");
    // The trace is the evidence in this lesson, so it is on with or without --trace.
    lesson::TraceSession tracing{options, lesson::TraceSession::When::Always};

    kitchen::Kettle kettle;
    kettle.events.on("boiled", [](const std::string& temperature) {
        LOOPLAB_TRACE_SCOPE("pour_tea");
        lesson::say("pour_tea: the water is at {}", temperature);
    });
    kettle.events.on("boiled", [](const std::string&) {
        LOOPLAB_TRACE_SCOPE("beep");
        lesson::say("beep: beep!");
    });

    // 1. emit() calls the listeners right here. Look at the bars: pour_tea and beep sit on
    //    top of Kettle::boil, and the line after emit prints only when both have returned.
    options.step("emit runs the listeners on the caller's stack");
    kettle.boil();

    // 2. No queue is involved. To run the listeners LATER, post the emit to the loop: then
    //    they start from the loop's frame ("next task"), after boil_later has returned.
    options.step("Later is a separate decision");
    loop::EventLoop loop{options.poller};
    {
        LOOPLAB_TRACE_SCOPE("boil_later");
        loop.post_next([&kettle] { kettle.boil(); });
        lesson::say("boil_later: posted; returning");
    }
    if (auto ran = loop.run(); !ran) lesson::fail(ran.error());

    // 3. "error" with a listener is an event like any other.
    options.step("An \"error\" with a listener");
    const auto handler = kettle.events.on("error", [](const std::string& what) {
        LOOPLAB_TRACE_SCOPE("on_kettle_error");
        lesson::say("on_kettle_error: handled: {}", what);
    });
    kettle.run_dry();

    // 4. "error" with NO listener throws: an error nobody handles must not vanish quietly.
    options.step("An \"error\" with no listener throws");
    kettle.events.off(handler);
    try {
        kettle.run_dry();
    } catch (const events::UnhandledErrorEvent& error) {
        trace::CallStack::current().forget_throw();
        lesson::say("main caught: {}", error.what());
    }

    // 5. The same inside the loop: nothing catches it, so the loop stops, prints the call
    //    stack of the throw on stderr, and run() returns the error.
    options.step("An unhandled \"error\" stops the loop");
    loop.set_timeout(0ms, [&kettle] { kettle.run_dry(); });
    loop.post_next([] { lesson::say("this next task never runs"); });
    const auto ran = loop.run();
    lesson::say("loop.run() returned: {}", ran ? "ok" : ran.error().message());
    return 0;
}
