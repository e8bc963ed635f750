// looplab/loop/timer_queue.hpp
//
// TimerQueue — the loop's list of "call me at time T" requests.
// Teaches: Event Loop, phase 1 (timers).
// Run: lessons/08-event-loop   Read: notes/08-event-loop.md
//
// A min-heap ordered by (deadline, order of adding): the earliest timer is always on top,
// and timers with the same deadline fire in the order they were added (FIFO).
// cancel() only erases the callback; the heap entry is skipped when it reaches the top
// ("lazy cancel"), which keeps cancel O(1) and makes cancelling from inside any callback —
// even the timer's own — safe.
//
// Contract: loop thread only (another thread hands work over with EventLoop::post_next()).
#pragma once

#include "looplab/core/clock.hpp"
#include "looplab/loop/task.hpp"

#include <cstddef>
#include <functional>
#include <optional>
#include <unordered_map>
#include <vector>

namespace looplab::loop {

class TimerQueue {
public:
    // Called once per due timer; the queue passes the id and the callback to run.
    using Runner = std::function<void(TimerId, Task&)>;

    // Runs `task` once, at the first run_due() whose `now` is >= `deadline`.
    TimerId add(Clock::time_point deadline, Task task);

    // Runs `task` at `first_deadline`, then every `interval` after the previous deadline.
    TimerId add_repeating(Clock::time_point first_deadline, Clock::duration interval, Task task);

    // Cancelling an unknown or already-fired id is allowed and does nothing.
    void cancel(TimerId id);

    // A timer that does not count as "alive" (a background heartbeat must not keep a program
    // running on its own). See EventLoop::unref_timer().
    void set_keeps_alive(TimerId id, bool keeps_alive);

    // Runs every due timer through `run`, earliest first; returns how many ran. A timer added
    // by one of these callbacks waits for the next call, even if it is already due.
    std::size_t run_due(Clock::time_point now, const Runner& run);

    // How long until the next deadline (zero if one is already due); nullopt when none.
    std::optional<Clock::duration> time_until_next(Clock::time_point now);

    // How many timers run_due(now) would run; only the tracer asks (it scans every timer).
    std::size_t count_due(Clock::time_point now) const;

    std::size_t size() const { return timers_.size(); }
    bool has_live_timers() const { return live_count_ > 0; }

private:
    struct Entry {
        Clock::time_point deadline;
        std::uint64_t order;   // grows with every push, so ties keep the order of adding
        TimerId id;
        bool operator>(const Entry& other) const {
            return deadline != other.deadline ? deadline > other.deadline : order > other.order;
        }
    };
    struct Timer {
        Task task;
        Clock::duration interval{};   // zero for one-shot timers
        bool keeps_alive = true;
        Clock::time_point deadline;
    };

    void push(Clock::time_point deadline, TimerId id);
    void drop_cancelled_top();
    void pop_top();

    // A binary min-heap kept with std::push_heap / std::pop_heap (earliest entry at front()).
    std::vector<Entry> heap_;
    std::unordered_map<TimerId, Timer> timers_;   // cancel() erases here only
    TimerId next_id_ = 1;
    std::uint64_t next_order_ = 0;
    std::size_t live_count_ = 0;   // timers that keep the loop alive
};

}  // namespace looplab::loop
