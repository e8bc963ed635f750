// looplab/loop/timer_queue.hpp
//
// TimerQueue — the loop's list of "call me in D milliseconds" requests.
// Teaches: Event Loop, phase 1 (timers).
// Run: lessons/08-event-loop   Read: notes/08-event-loop.md
//
// The trick (the one Node.js uses): timers are kept in one first-in-first-out list PER DELAY.
// Everything added with a 5 ms delay is due 5 ms after it was added, so within the 5 ms list
// deadlines only grow: adding is a push_back. A small min-heap holds just the FRONT of each
// list, ordered by (deadline, order of adding), so the earliest timer is always on top and
// timers with the same deadline fire in the order they were added (FIFO).
//
//     heap of fronts:  [ 5 ms list @ t=105 ] [ 9 ms list @ t=107 ] ...
//     5 ms list:       t=105 → t=106 → t=106 → t=110          (oldest first)
//
// cancel() only marks the timer's slot free; its list entry is skipped when it reaches the
// front ("lazy cancel"). That keeps cancel O(1) and makes cancelling from inside any
// callback — even the timer's own — safe. Timers live in a vector of reusable slots, so
// adding and firing allocate nothing once the queue has warmed up.
//
// Contract: loop thread only (another thread hands work over with EventLoop::post_next()).
#pragma once

#include "looplab/core/clock.hpp"
#include "looplab/loop/task.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <unordered_map>
#include <vector>

namespace looplab::loop {

class TimerQueue {
public:
    // Called once per due timer; the queue passes the id, the callback to run and where the
    // timer was set (for the tracer).
    using Runner = std::function<void(TimerId, Task&, SourceSite)>;

    // Runs `task` once, at the first run_due() whose `now` is >= `added_at + delay`. `site`
    // is the line that set the timer; the queue only keeps it for the tracer.
    TimerId add(Clock::time_point added_at, Clock::duration delay, Task task, SourceSite site = {});

    // Runs `task` every `interval`, the first time at `added_at + interval`.
    TimerId add_repeating(Clock::time_point added_at, Clock::duration interval, Task task,
                          SourceSite site = {});

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

    // Every live timer as (number, deadline, repeats, site), in no particular order; only the
    // live view (--watch) asks, while tracing. Scans every list: O(timers).
    template <typename Visit>
    void for_each_live(Visit&& visit) const {
        for (const std::deque<Queued>& queue : lists_)
            for (const Queued& entry : queue)
                if (is_live(entry)) {
                    const Slot& slot = slots_[entry.slot];
                    visit(entry.number, entry.deadline, slot.repeats, slot.site);
                }
    }

    // The timer's number as traces show it ("timer #3"): 1 for the first timer added.
    static std::uint64_t number_of(TimerId id) { return id >> 32; }

    std::size_t size() const { return slots_.size() - free_slots_.size(); }
    bool has_live_timers() const { return live_count_ > 0; }

private:
    struct Slot {
        Task task;
        Clock::duration interval{};   // the delay; repeating timers re-join this list
        std::uint64_t number = 0;     // 0: free slot
        SourceSite site;              // where it was set, for the tracer
        bool repeats = false;
        bool keeps_alive = true;
    };
    struct Queued {   // one entry of a per-delay list
        Clock::time_point deadline;
        std::uint64_t order;   // grows with every push: ties keep the order of adding
        std::uint32_t slot;
        std::uint64_t number;   // which timer of that slot this entry is for
    };
    struct Front {   // one entry of the heap: the front of one list
        Clock::time_point deadline;
        std::uint64_t order;
        std::uint32_t list;
        bool operator>(const Front& other) const {
            return deadline != other.deadline ? deadline > other.deadline : order > other.order;
        }
    };

    TimerId start(Clock::time_point added_at, Clock::duration delay, Task task, bool repeats,
                  SourceSite site);
    void enqueue(std::uint32_t slot, Clock::time_point deadline);
    void push_front_of(std::uint32_t list);
    bool is_live(const Queued& entry) const;
    const Queued* earliest();   // drops stale fronts; nullptr when empty
    void pop_earliest();
    Slot* slot_of(TimerId id);
    void release(std::uint32_t slot);

    std::vector<Slot> slots_;
    std::vector<std::uint32_t> free_slots_;
    std::vector<std::deque<Queued>> lists_;   // one per distinct delay
    std::unordered_map<Clock::duration::rep, std::uint32_t> list_of_delay_;
    std::vector<Front> heap_;   // min-heap of list fronts
    std::uint64_t next_number_ = 1;
    std::uint64_t next_order_ = 0;
    std::size_t live_count_ = 0;   // timers that keep the loop alive
};

}   // namespace looplab::loop
