// lessons/07-event-queue/starvation.cpp
//
// A task that posts itself again. On the soon queue it starves the loop: the soon queue is
// drained until EMPTY before the loop moves on, so nothing else runs until the chain stops.
// On the next queue it is fair: a task posted during the "next" phase waits for the next turn,
// so timers and I/O get their turn in between.
#include "event_queue_lesson.hpp"

#include <chrono>
#include <cstdint>

using namespace looplab;
using namespace std::chrono_literals;

namespace queue_lesson {

void run_soon_starvation(const lesson::Options& options) {
    const auto limit = options.number("count");
    loop::EventLoop loop{options.poller};
    IoEvent pipe{loop};
    std::int64_t runs = 0;
    std::chrono::steady_clock::time_point started;

    if (auto watched = pipe.on_ready([&] {
            report(loop, fmt::format("I/O ran at last, after {} soon tasks", runs));
        });
        !watched)
        lesson::fail(watched.error());

    // The chain: each run posts the next one, until `limit` runs (a real bug would not stop).
    std::function<void()> repost = [&] {
        if (++runs < limit) return loop.post_soon(repost);
        report(loop, fmt::format("soon chain: stopped after {} runs, all in this one turn", runs));
        if (!options.demo) {
            const auto frozen = std::chrono::steady_clock::now() - started;
            lesson::say("(the loop could do nothing else for {} ms)",
                        std::chrono::duration_cast<std::chrono::milliseconds>(frozen).count());
        }
    };

    loop.set_timeout(0ms, [&] {
        report(loop, "kick-off: a 0 ms timer, an I/O event, and a soon task that reposts itself");
        loop.set_timeout(0ms, [&] {
            report(loop, fmt::format("0 ms timer ran at last, after {} soon tasks", runs));
        });
        pipe.happen();
        started = std::chrono::steady_clock::now();
        loop.post_soon(repost);
    });
    if (auto ran = loop.run(); !ran) lesson::fail(ran.error());
}

void run_next_fairness(const lesson::Options& options) {
    loop::EventLoop loop{options.poller};
    IoEvent pipe{loop};
    int runs = 0;

    if (auto watched = pipe.on_ready([&] {
            report(loop, fmt::format("I/O ran (next chain runs so far: {})", runs));
        });
        !watched)
        lesson::fail(watched.error());

    std::function<void()> repost = [&] {
        ++runs;
        if (runs < 3) {
            report(loop, fmt::format("next chain: run {}, posting itself again", runs));
            return loop.post_next(repost);
        }
        report(loop, fmt::format("next chain: run {}, stopping", runs));
    };

    loop.set_timeout(0ms, [&] {
        report(loop, "kick-off: a 0 ms timer, an I/O event, and a next task that reposts itself");
        loop.set_timeout(0ms, [&] {
            report(loop, fmt::format("0 ms timer ran (next chain runs so far: {})", runs));
        });
        pipe.happen();
        loop.post_next(repost);
    });
    if (auto ran = loop.run(); !ran) lesson::fail(ran.error());
}

}  // namespace queue_lesson
