#include "looplab/loop/timer_queue.hpp"

#include <algorithm>

namespace looplab::loop {

TimerId TimerQueue::add(Clock::time_point deadline, Task task) {
    return add_repeating(deadline, Clock::duration::zero(), std::move(task));
}

TimerId TimerQueue::add_repeating(Clock::time_point first_deadline, Clock::duration interval,
                                  Task task) {
    const TimerId id = next_id_++;
    timers_.emplace(id, Timer{std::move(task), interval, true, first_deadline});
    ++live_count_;
    push(first_deadline, id);
    return id;
}

void TimerQueue::push(Clock::time_point deadline, TimerId id) {
    heap_.push_back(Entry{deadline, next_order_++, id});
    std::push_heap(heap_.begin(), heap_.end(), std::greater<>{});
}

void TimerQueue::cancel(TimerId id) {
    const auto timer = timers_.find(id);
    if (timer == timers_.end()) return;
    if (timer->second.keeps_alive) --live_count_;
    timers_.erase(timer);
}

void TimerQueue::set_keeps_alive(TimerId id, bool keeps_alive) {
    const auto timer = timers_.find(id);
    if (timer == timers_.end() || timer->second.keeps_alive == keeps_alive) return;
    timer->second.keeps_alive = keeps_alive;
    keeps_alive ? ++live_count_ : --live_count_;
}

void TimerQueue::pop_top() {
    std::pop_heap(heap_.begin(), heap_.end(), std::greater<>{});
    heap_.pop_back();
}

std::size_t TimerQueue::count_due(Clock::time_point now) const {
    std::size_t due = 0;
    for (const Entry& entry : heap_) {
        const auto timer = timers_.find(entry.id);
        if (entry.deadline <= now && timer != timers_.end() &&
            timer->second.deadline == entry.deadline)
            ++due;
    }
    return due;
}

void TimerQueue::drop_cancelled_top() {
    // A heap entry whose timer is gone (cancelled), or that was replaced by a later entry of
    // the same repeating timer, is skipped here instead of being searched for in cancel().
    while (!heap_.empty()) {
        const auto timer = timers_.find(heap_.front().id);
        if (timer != timers_.end() && timer->second.deadline == heap_.front().deadline) return;
        pop_top();
    }
}

std::size_t TimerQueue::run_due(Clock::time_point now, const Runner& run) {
    // Entries pushed while we run (new timers, repeats) get an order >= this and must wait:
    // otherwise a callback that adds a 0 ms timer would keep this loop turning forever.
    const std::uint64_t first_order_of_later_timers = next_order_;
    std::size_t ran = 0;
    for (;;) {
        drop_cancelled_top();
        if (heap_.empty()) break;
        const Entry entry = heap_.front();
        if (entry.deadline > now || entry.order >= first_order_of_later_timers) break;
        pop_top();

        auto timer = timers_.find(entry.id);
        // The callback may cancel its own timer, which destroys the stored std::function
        // while it runs; so it runs from a local and is put back afterwards if still wanted.
        Task task = std::move(timer->second.task);
        const bool repeats = timer->second.interval != Clock::duration::zero();
        if (!repeats) {
            if (timer->second.keeps_alive) --live_count_;
            timers_.erase(timer);
        }
        ++ran;
        run(entry.id, task);

        if (!repeats) continue;
        timer = timers_.find(entry.id);
        if (timer == timers_.end()) continue;   // cancelled by its own callback
        timer->second.task = std::move(task);
        // The next deadline counts from the planned one, so a late turn does not drift; but
        // a timer that fell far behind does not fire in a burst to catch up.
        Clock::time_point next = timer->second.deadline + timer->second.interval;
        if (next <= now) next = now + timer->second.interval;
        timer->second.deadline = next;
        push(next, entry.id);
    }
    return ran;
}

std::optional<Clock::duration> TimerQueue::time_until_next(Clock::time_point now) {
    drop_cancelled_top();
    if (heap_.empty()) return std::nullopt;
    const Clock::time_point deadline = heap_.front().deadline;
    return deadline <= now ? Clock::duration::zero() : deadline - now;
}

}  // namespace looplab::loop
