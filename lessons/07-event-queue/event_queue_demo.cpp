// lessons/07-event-queue/event_queue_demo.cpp
//
// There is not ONE event queue. emit() uses none (it is a call), post_soon() and post_next()
// join two different queues, timers wait in their own heap, and I/O waits in the kernel.
// Which one you use decides when your code runs. Read with notes/07-event-queue.md.
#include "event_queue_lesson.hpp"

#include <optional>

using namespace looplab;

int main(int argc, char** argv) {
    const auto options = lesson::parse(
        argc, argv, "lesson-07",
        lesson::number("count", "N", "how many times the soon task reposts itself", 1000000));
    lesson::TraceSession tracing{options};

    // 1. The puzzle, in the order the calls are written (ordering_puzzle.cpp).
    options.step("The puzzle: in what order do these print?");
    lesson::say("inside one timer callback, in this order:");
    lesson::say("  A  a sync line");
    lesson::say("  B  loop.post_soon(...)");
    lesson::say("  C  loop.post_next(...)");
    lesson::say("  D  loop.set_timeout(0 ms, ...)");
    lesson::say("  E  write a byte into a watched pipe (its handler prints E)");
    lesson::say("  F  bell.emit(\"ring\") (its listener prints F)");
    lesson::say("  G  a sync line");

    // 2. The answer, with the turn and the phase each line ran in.
    options.step("The answer");
    queue_lesson::run_ordering_puzzle(options);

    // 3. A second puzzle: a 0 ms timer and a post_next task (timer_or_next.cpp).
    options.step("A 0 ms timer and a post_next task: which runs first?");
    lesson::say("the same two calls, scheduled from two places:");
    lesson::say("  loop.set_timeout(0 ms, ...)   then   loop.post_next(...)");
    lesson::say("(a) from main, before the loop runs; (b) from inside an I/O callback");

    // 4. Its answer: it depends on the phase they were scheduled from.
    options.step("The answer: it depends on where you are");
    queue_lesson::run_timer_or_next(options);
    lesson::say("(a) turn 1 begins with the timers phase, and the 0 ms timer is due: timer first");
    lesson::say("(b) after the poll phase comes this turn's next phase; timers wait for turn 2");
    lesson::say("Node's setTimeout(0) and setImmediate: (b) is the same; in (a) Node's order varies,");
    lesson::say("because Node makes a 0 ms timeout 1 ms, which may not have passed when turn 1 starts");

    // 5. A soon task that reposts itself: the timer and the I/O wait until the chain stops.
    options.step("Starvation: a soon task that reposts itself");
    {
        // A million soon tasks would print three million trace lines: the trace pauses here.
        std::optional<lesson::QuietTrace> quiet;
        if (tracing.is_on()) {
            lesson::say("(trace paused during this step)");
            quiet.emplace();
        }
        queue_lesson::run_soon_starvation(options);
    }

    // 6. The same chain on the next queue: one run per turn, and everyone else gets a turn.
    options.step("The same chain with post_next: no starvation");
    queue_lesson::run_next_fairness(options);
    return 0;
}
