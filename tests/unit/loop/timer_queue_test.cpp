#include "looplab/loop/timer_queue.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using looplab::ManualClock;
using looplab::Millis;
using looplab::SourceSite;
using looplab::loop::Task;
using looplab::loop::TimerId;
using looplab::loop::TimerQueue;

namespace {

// Runs the due timers the way the loop does, without a loop.
std::size_t run_due(TimerQueue& timers, const ManualClock& clock) {
    return timers.run_due(clock.now(), [](TimerId, Task& task, SourceSite) { task(); });
}

}   // namespace

TEST_CASE("timers fire in deadline order, not in the order they were added", "[loop][timer]") {
    ManualClock clock;
    TimerQueue timers;
    std::string order;
    timers.add(clock.now(), Millis{30}, [&] { order += "c"; });
    timers.add(clock.now(), Millis{10}, [&] { order += "a"; });
    timers.add(clock.now(), Millis{20}, [&] { order += "b"; });

    clock.advance(Millis{15});
    CHECK(run_due(timers, clock) == 1);
    CHECK(order == "a");
    clock.advance(Millis{100});
    CHECK(run_due(timers, clock) == 2);
    CHECK(order == "abc");
    CHECK_FALSE(timers.has_live_timers());
}

TEST_CASE("timers with the same deadline fire in the order they were added", "[loop][timer]") {
    ManualClock clock;
    TimerQueue timers;
    std::vector<int> order;
    for (int i = 0; i < 100; ++i)
        timers.add(clock.now(), Millis{5}, [&order, i] { order.push_back(i); });
    clock.advance(Millis{5});
    run_due(timers, clock);
    REQUIRE(order.size() == 100);
    for (int i = 0; i < 100; ++i) CHECK(order[static_cast<std::size_t>(i)] == i);
}

TEST_CASE("a timer that is not due yet does not fire, and time_until_next says when",
          "[loop][timer]") {
    ManualClock clock;
    TimerQueue timers;
    bool fired = false;
    CHECK_FALSE(timers.time_until_next(clock.now()).has_value());
    timers.add(clock.now(), Millis{10}, [&] { fired = true; });
    clock.advance(Millis{4});
    CHECK(run_due(timers, clock) == 0);
    CHECK_FALSE(fired);
    CHECK(*timers.time_until_next(clock.now()) == Millis{6});
    clock.advance(Millis{6});
    CHECK(*timers.time_until_next(clock.now()) == Millis{0});
    CHECK(run_due(timers, clock) == 1);
    CHECK(fired);
}

TEST_CASE("a cancelled timer never fires, and cancelling twice or unknown ids is harmless",
          "[loop][timer]") {
    ManualClock clock;
    TimerQueue timers;
    bool fired = false;
    const TimerId id = timers.add(clock.now(), Millis{1}, [&] { fired = true; });
    timers.cancel(id);
    timers.cancel(id);
    timers.cancel(12345);
    clock.advance(Millis{5});
    CHECK(run_due(timers, clock) == 0);
    CHECK_FALSE(fired);
    CHECK_FALSE(timers.time_until_next(clock.now()).has_value());
}

TEST_CASE("a timer can cancel another due timer and its own repeating timer from inside",
          "[loop][timer]") {
    ManualClock clock;
    TimerQueue timers;
    std::string order;
    TimerId second = 0;
    TimerId repeating = 0;
    timers.add(clock.now(), Millis{1}, [&] {
        order += "first ";
        timers.cancel(second);
    });
    second = timers.add(clock.now(), Millis{1}, [&] { order += "second "; });
    int ticks = 0;
    repeating = timers.add_repeating(clock.now(), Millis{1}, [&] {
        order += "tick ";
        if (++ticks == 3) timers.cancel(repeating);   // cancel ourselves while running
    });
    for (int i = 0; i < 10; ++i) {
        clock.advance(Millis{1});
        run_due(timers, clock);
    }
    CHECK(order == "first tick tick tick ");
    CHECK(timers.size() == 0);
}

TEST_CASE("a repeating timer fires once per interval", "[loop][timer]") {
    ManualClock clock;
    TimerQueue timers;
    int ticks = 0;
    timers.add_repeating(clock.now(), Millis{10}, [&] { ++ticks; });
    for (int i = 0; i < 100; ++i) {
        clock.advance(Millis{1});
        run_due(timers, clock);
    }
    CHECK(ticks == 10);
}

TEST_CASE("a timer added by a timer callback waits for the next run even if already due",
          "[loop][timer]") {
    ManualClock clock;
    TimerQueue timers;
    int runs = 0;
    timers.add(clock.now(), Millis{0}, [&] {
        ++runs;
        timers.add(clock.now(), Millis{0}, [&] { ++runs; });
    });
    CHECK(run_due(timers, clock) == 1);
    CHECK(runs == 1);
    CHECK(run_due(timers, clock) == 1);
    CHECK(runs == 2);
}

TEST_CASE("an unref'd timer does not count as alive", "[loop][timer]") {
    ManualClock clock;
    TimerQueue timers;
    const TimerId id = timers.add(clock.now(), Millis{1}, [] {});
    CHECK(timers.has_live_timers());
    timers.set_keeps_alive(id, false);
    CHECK_FALSE(timers.has_live_timers());
    timers.set_keeps_alive(id, true);
    CHECK(timers.has_live_timers());
    timers.cancel(id);
    CHECK_FALSE(timers.has_live_timers());
}

TEST_CASE("timers of different delays that fall due together keep the order of adding",
          "[loop][timer]") {
    ManualClock clock;
    TimerQueue timers;
    std::string order;
    timers.add(clock.now(), Millis{10}, [&] { order += "first "; });   // due at 10
    clock.advance(Millis{5});
    timers.add(clock.now(), Millis{5}, [&] { order += "second "; });   // also due at 10
    timers.add(clock.now(), Millis{1}, [&] { order += "early "; });    // due at 6
    clock.advance(Millis{5});
    CHECK(run_due(timers, clock) == 3);
    CHECK(order == "early first second ");
}

TEST_CASE("a late repeating timer rejoins its list in deadline order", "[loop][timer]") {
    ManualClock clock;
    TimerQueue timers;
    std::vector<std::string> order;
    timers.add_repeating(clock.now(), Millis{10}, [&] { order.push_back("tick"); });   // 10, 20..
    clock.advance(Millis{5});
    timers.add(clock.now(), Millis{10}, [&] { order.push_back("one-shot"); });   // 15
    clock.advance(Millis{7});   // t=12: the tick (due 10) runs late; its next deadline is 20
    run_due(timers, clock);
    clock.advance(Millis{3});   // t=15
    run_due(timers, clock);
    clock.advance(Millis{5});   // t=20
    run_due(timers, clock);
    CHECK(order == std::vector<std::string>{"tick", "one-shot", "tick"});
}

TEST_CASE("timer numbers count from 1 and ids of reused slots never match old ones",
          "[loop][timer]") {
    ManualClock clock;
    TimerQueue timers;
    const TimerId first = timers.add(clock.now(), Millis{1}, [] {});
    CHECK(TimerQueue::number_of(first) == 1);
    timers.cancel(first);
    bool fired = false;
    const TimerId second = timers.add(clock.now(), Millis{1}, [&] { fired = true; });
    CHECK(TimerQueue::number_of(second) == 2);
    CHECK(second != first);
    timers.cancel(first);   // the old id must not cancel the new timer in the reused slot
    clock.advance(Millis{1});
    CHECK(run_due(timers, clock) == 1);
    CHECK(fired);
}
