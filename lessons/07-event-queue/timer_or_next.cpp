// lessons/07-event-queue/timer_or_next.cpp
//
// A 0 ms timer and a post_next task, scheduled together: which runs first? It depends on
// WHERE they are scheduled from, because the two wait for different phases of the loop.
// (Node's classic: setTimeout(0) vs setImmediate.)
#include "event_queue_lesson.hpp"

#include <chrono>

using namespace looplab;
using namespace std::chrono_literals;

namespace queue_lesson {
namespace {

void schedule_both(loop::EventLoop& loop) {
    loop.set_timeout(0ms, [&loop] { report(loop, "set_timeout(0 ms)"); });
    loop.post_next([&loop] { report(loop, "post_next"); });
}

}  // namespace

void run_timer_or_next(const lesson::Options& options) {
    // 1. From main, before the loop runs: turn 1 starts with its timers phase, and the
    //    0 ms timer is already due by then.
    {
        lesson::say("from main, before the loop runs:");
        loop::EventLoop loop{options.poller};
        schedule_both(loop);
        if (auto ran = loop.run(); !ran) lesson::fail(ran.error());
    }

    // 2. From an I/O callback: the poll phase is followed by this turn's next phase; the
    //    timers phase only comes round in the next turn.
    {
        lesson::say("from inside an I/O callback (the poll phase):");
        loop::EventLoop loop{options.poller};
        IoEvent pipe{loop};
        if (auto watched = pipe.on_ready([&] { schedule_both(loop); }); !watched)
            lesson::fail(watched.error());
        pipe.happen();
        if (auto ran = loop.run(); !ran) lesson::fail(ran.error());
    }
}

}  // namespace queue_lesson
