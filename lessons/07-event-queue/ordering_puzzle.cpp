// lessons/07-event-queue/ordering_puzzle.cpp
//
// Six ways to "make something happen", called in this order from inside one timer callback.
// In what order do they print? (The answer is the lesson's step 2.)
#include "event_queue_lesson.hpp"

#include "looplab/events/event_emitter.hpp"

#include <chrono>

using namespace looplab;
using namespace std::chrono_literals;

namespace queue_lesson {

void run_ordering_puzzle(const lesson::Options& options) {
    loop::EventLoop loop{options.poller};
    events::EventEmitter<> bell;   // an event with no arguments
    IoEvent pipe{loop};

    bell.on("ring", [&] { report(loop, "F  emit: the listener"); });
    if (auto watched = pipe.on_ready([&] { report(loop, "E  I/O: the pipe's handler"); }); !watched)
        lesson::fail(watched.error());

    // The puzzle runs inside a callback (a 0 ms timer), like every piece of code in an
    // event-driven program after startup.
    loop.set_timeout(0ms, [&] {
        report(loop, "A  sync: the callback starts");
        loop.post_soon([&] { report(loop, "B  post_soon"); });
        loop.post_next([&] { report(loop, "C  post_next"); });
        loop.set_timeout(0ms, [&] { report(loop, "D  set_timeout(0 ms)"); });
        pipe.happen();     // E: the pipe becomes readable now; its handler runs in a poll phase
        bell.emit("ring"); // F: the listeners run inside this call
        report(loop, "G  sync: the callback ends");
    });
    if (auto ran = loop.run(); !ran) lesson::fail(ran.error());
}

}  // namespace queue_lesson
