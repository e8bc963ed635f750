#include "looplab/loop/event_queue.hpp"

namespace looplab::loop {

bool EventQueue::post_next_from_other_thread(Task task, SourceSite site) {
    {
        const std::lock_guard lock{foreign_mutex_};
        foreign_.push_back(PostedTask{std::move(task), site});
        has_foreign_.store(true, std::memory_order_release);
    }
    // Only the first post after a wake-up writes to the wake-up fd; the others ride along.
    return !wake_requested_.exchange(true, std::memory_order_acq_rel);
}

std::size_t EventQueue::next_count() {
    if (!has_foreign_.load(std::memory_order_acquire)) return next_.size();
    const std::lock_guard lock{foreign_mutex_};
    return next_.size() + foreign_.size();
}

void EventQueue::take_next_batch() {
    batch_.swap(next_);   // tasks posted from now on land in the (empty) next_
    if (!has_foreign_.load(std::memory_order_acquire)) return;
    const std::lock_guard lock{foreign_mutex_};
    for (PostedTask& posted : foreign_) batch_.push_back(std::move(posted));
    foreign_.clear();
    has_foreign_.store(false, std::memory_order_release);
}

}   // namespace looplab::loop
