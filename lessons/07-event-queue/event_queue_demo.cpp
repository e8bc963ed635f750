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

    // 3. A soon task that reposts itself: the timer and the I/O wait until the chain stops.
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

    // 4. The same chain on the next queue: one run per turn, and everyone else gets a turn.
    options.step("The same chain with post_next: no starvation");
    queue_lesson::run_next_fairness(options);
    return 0;
}
