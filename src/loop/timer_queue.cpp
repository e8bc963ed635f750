#include "looplab/loop/timer_queue.hpp"

#include "looplab/core/assert.hpp"

#include <algorithm>

namespace looplab::loop {

TimerId TimerQueue::add(Clock::time_point added_at, Clock::duration delay, Task task,
                        SourceSite site) {
    return start(added_at, delay, std::move(task), false, site);
}

TimerId TimerQueue::add_repeating(Clock::time_point added_at, Clock::duration interval, Task task,
                                  SourceSite site) {
    LOOPLAB_ASSERT(interval > Clock::duration::zero(), "a repeating timer needs an interval > 0");
    return start(added_at, interval, std::move(task), true, site);
}

TimerId TimerQueue::start(Clock::time_point added_at, Clock::duration delay, Task task,
                          bool repeats, SourceSite site) {
    if (delay < Clock::duration::zero()) delay = Clock::duration::zero();
    std::uint32_t slot;
    if (free_slots_.empty()) {
        slot = static_cast<std::uint32_t>(slots_.size());
        slots_.emplace_back();
    } else {
        slot = free_slots_.back();
        free_slots_.pop_back();
    }
    const std::uint64_t number = next_number_++;
    slots_[slot] = Slot{std::move(task), delay, number, site, repeats, true};
    ++live_count_;
    enqueue(slot, added_at + delay);
    // The id carries the timer's number (high half) and its slot (low half): cancel() finds
    // the slot without a search, and a reused slot never answers to an old id.
    return (number << 32) | slot;
}

void TimerQueue::enqueue(std::uint32_t slot, Clock::time_point deadline) {
    const Clock::duration delay = slots_[slot].interval;
    auto [found, is_new] =
        list_of_delay_.try_emplace(delay.count(), static_cast<std::uint32_t>(lists_.size()));
    if (is_new) lists_.emplace_back();
    const std::uint32_t list = found->second;
    std::deque<Queued>& queue = lists_[list];
    const Queued entry{deadline, next_order_++, slot, slots_[slot].number};
    // Almost always the new deadline is the latest of its list. A repeating timer that was
    // late can be earlier than timers added since; it is then put in its place, walking back.
    auto place = queue.end();
    while (place != queue.begin() && std::prev(place)->deadline > deadline) --place;
    const bool becomes_front = place == queue.begin();
    queue.insert(place, entry);
    if (becomes_front) push_front_of(list);
}

void TimerQueue::push_front_of(std::uint32_t list) {
    const Queued& front = lists_[list].front();
    heap_.push_back(Front{front.deadline, front.order, list});
    std::push_heap(heap_.begin(), heap_.end(), std::greater<>{});
}

bool TimerQueue::is_live(const Queued& entry) const {
    return slots_[entry.slot].number == entry.number;
}

const TimerQueue::Queued* TimerQueue::earliest() {
    while (!heap_.empty()) {
        const Front top = heap_.front();
        std::deque<Queued>& queue = lists_[top.list];
        // A heap entry is current only while its list still starts with the entry it names.
        if (queue.empty() || queue.front().order != top.order) {
            std::pop_heap(heap_.begin(), heap_.end(), std::greater<>{});
            heap_.pop_back();
            continue;
        }
        if (is_live(queue.front())) return &queue.front();
        pop_earliest();   // cancelled: skip it now that it reached the front
    }
    return nullptr;
}

void TimerQueue::pop_earliest() {
    const std::uint32_t list = heap_.front().list;
    std::pop_heap(heap_.begin(), heap_.end(), std::greater<>{});
    heap_.pop_back();
    lists_[list].pop_front();
    if (!lists_[list].empty()) push_front_of(list);
}

TimerQueue::Slot* TimerQueue::slot_of(TimerId id) {
    const auto slot = static_cast<std::uint32_t>(id & 0xffffffffu);
    if (id == 0 || slot >= slots_.size() || slots_[slot].number != number_of(id)) return nullptr;
    return &slots_[slot];
}

void TimerQueue::release(std::uint32_t slot) {
    if (slots_[slot].keeps_alive) --live_count_;
    slots_[slot].number = 0;
    slots_[slot].task = nullptr;
    free_slots_.push_back(slot);
}

void TimerQueue::cancel(TimerId id) {
    if (slot_of(id) != nullptr) release(static_cast<std::uint32_t>(id & 0xffffffffu));
}

void TimerQueue::set_keeps_alive(TimerId id, bool keeps_alive) {
    Slot* slot = slot_of(id);
    if (slot == nullptr || slot->keeps_alive == keeps_alive) return;
    slot->keeps_alive = keeps_alive;
    keeps_alive ? ++live_count_ : --live_count_;
}

std::size_t TimerQueue::run_due(Clock::time_point now, const Runner& run) {
    // Entries pushed while we run (new timers, repeats) get an order >= this and must wait:
    // otherwise a callback that adds a 0 ms timer would keep this loop turning forever.
    const std::uint64_t first_order_of_later_timers = next_order_;
    std::size_t ran = 0;
    while (const Queued* next = earliest()) {
        if (next->deadline > now || next->order >= first_order_of_later_timers) break;
        const Queued entry = *next;
        pop_earliest();

        Slot& slot = slots_[entry.slot];
        const TimerId id = (entry.number << 32) | entry.slot;
        // The callback may cancel its own timer (which frees the slot) or add timers (which
        // may grow slots_), so it runs from a local and is put back if still wanted.
        Task task = std::move(slot.task);
        const bool repeats = slot.repeats;
        const SourceSite site = slot.site;
        if (!repeats) release(entry.slot);
        ++ran;
        run(id, task, site);

        if (!repeats || slots_[entry.slot].number != entry.number) continue;
        Slot& again = slots_[entry.slot];   // slots_ may have moved during run()
        again.task = std::move(task);
        // The next deadline counts from the planned one, so a late turn does not drift; but
        // a timer that fell far behind does not fire in a burst to catch up.
        Clock::time_point next_deadline = entry.deadline + again.interval;
        if (next_deadline <= now) next_deadline = now + again.interval;
        enqueue(entry.slot, next_deadline);
    }
    return ran;
}

std::optional<Clock::duration> TimerQueue::time_until_next(Clock::time_point now) {
    const Queued* next = earliest();
    if (next == nullptr) return std::nullopt;
    return next->deadline <= now ? Clock::duration::zero() : next->deadline - now;
}

std::size_t TimerQueue::count_due(Clock::time_point now) const {
    std::size_t due = 0;
    for (const std::deque<Queued>& queue : lists_)
        for (const Queued& entry : queue) {
            if (entry.deadline > now) break;   // deadlines grow along each list
            if (is_live(entry)) ++due;
        }
    return due;
}

}   // namespace looplab::loop
