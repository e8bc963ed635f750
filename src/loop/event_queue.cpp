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

std::size_t EventQueue::drain_soon(Runner run, void* context) {
    std::size_t ran = 0;
    while (!soon_.empty()) {
        PostedTask posted = std::move(soon_.front());
        soon_.pop_front();
        run(context, posted.task, posted.site);
        ++ran;
    }
    return ran;
}

std::size_t EventQueue::run_next_batch(Runner run, void* context) {
    batch_.swap(next_);   // tasks posted from now on land in the (empty) next_
    if (has_foreign_.load(std::memory_order_acquire)) {
        const std::lock_guard lock{foreign_mutex_};
        for (PostedTask& posted : foreign_) batch_.push_back(std::move(posted));
        foreign_.clear();
        has_foreign_.store(false, std::memory_order_release);
    }
    // Index loop on purpose: a task may post_next, but that touches next_, not batch_.
    const std::size_t count = batch_.size();
    for (std::size_t i = 0; i < count; ++i) run(context, batch_[i].task, batch_[i].site);
    batch_.clear();
    return count;
}

}  // namespace looplab::loop
