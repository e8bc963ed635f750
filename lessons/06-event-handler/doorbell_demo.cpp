// lessons/06-event-handler/doorbell_demo.cpp
//
// An event handler is the code the loop calls when an fd (or a timer) is ready. Here the fd is
// the read end of a pipe, and a "doorbell" writes into the other end. Read with
// notes/06-event-handler.md.
#include "doorbell.hpp"

#include <chrono>

using namespace looplab;
using namespace std::chrono_literals;

namespace {

// Turns the loop until `done` (never longer than a second, so a mistake cannot hang the demo).
void run_until(loop::EventLoop& loop, const std::function<bool()>& done) {
    if (!loop.run_until(done, 1000ms)) lesson::fail("the loop did not get there within 1 s");
}

}  // namespace

int main(int argc, char** argv) {
    const auto options = lesson::parse(argc, argv, "lesson-06");
    lesson::TraceSession tracing{options};
    loop::EventLoop loop{options.poller};
    door::Doorbell bell{loop};

    // 1. Bind a handler to an fd. Nothing runs yet: the loop will wait in its poll phase.
    options.step("Bind a handler to an fd");
    if (auto wired = bell.wire(); !wired) lesson::fail(wired.error());
    lesson::say("the handler is bound to the pipe's read end; nothing is waiting in the pipe");

    // 2. Someone presses the bell (from a timer, i.e. from the loop). The pipe becomes
    //    readable, so in the same turn's poll phase the loop calls the handler.
    options.step("The fd becomes readable: the loop calls the handler");
    {
        lesson::TraceSession shown{options, lesson::TraceSession::When::Always};
        loop.set_timeout(0ms, [&bell] {
            lesson::say("someone presses the bell once");
            bell.press();
        });
        run_until(loop, [&bell] { return bell.handler_calls() == 1; });
    }

    // 3. Level-triggered: while bytes wait, the fd stays readable and the handler is called
    //    again, turn after turn. This handler reads one byte per call.
    options.step("Level-triggered: called again while bytes wait");
    bell.set_bytes_per_read(1);
    bell.press(3);
    const auto first_turn = loop.turn();
    run_until(loop, [&bell] { return bell.handler_calls() == 4; });
    lesson::say("3 bytes, 1 byte per call: the handler ran 3 times, in {} turns",
                loop.turn() - first_turn);

    // 4. Handler vs listener: the loop calls ONE handler per fd; the handler emits "ring",
    //    and any number of listeners run inside it, on its stack.
    options.step("Handler vs listener");
    bell.events.on("ring", [](const int& rings) {
        LOOPLAB_TRACE_SCOPE("porch_light");
        lesson::say("listener porch_light: on (ring #{})", rings);
    });
    bell.events.on("ring", [](const int& rings) {
        LOOPLAB_TRACE_SCOPE("dog");
        lesson::say("listener dog: woof (ring #{})", rings);
    });
    {
        lesson::TraceSession shown{options, lesson::TraceSession::When::Always};
        bell.press();
        run_until(loop, [&bell] { return bell.handler_calls() == 5; });
    }

    // 5. Hang-up: the writer closes its end. The fd is "readable" once more and read()
    //    returns 0; the handler forgets the fd, and the loop has nothing left to wait for.
    options.step("Hang-up");
    bell.walk_away();
    run_until(loop, [&bell] { return !bell.is_wired(); });
    lesson::say("the loop is alive: {}", loop.is_alive() ? "yes" : "no (nothing left to wait for)");
    return 0;
}
