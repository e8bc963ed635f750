// looplab/loop/event_queue.hpp
//
// EventQueue — the loop's two lines of "do this later" work.
// Teaches: Event Queue (lesson 07). There is not ONE event queue: which line you join
// decides when you run.
//
//   post_soon(task) ──► [ soon ] runs right after the callback that is running now returns,
//                                before the loop does anything else (like JS microtasks).
//                                A soon task that posts itself forever starves the loop.
//   post_next(task) ──► [ next ] runs in the loop's "next" phase (like setImmediate). Tasks
//                                posted while a batch runs wait for the next turn.
//
// Contract: post_soon and everything else are loop-thread only; post_next may be called from
// any thread (EventLoop wakes the loop up for it).
#pragma once

#include "looplab/loop/task.hpp"

#include <atomic>
#include <cstddef>
#include <deque>
#include <mutex>
#include <utility>
#include <vector>

namespace looplab::loop {

class EventQueue {
public:
    void post_soon(Task task, SourceSite site = {}) {
        soon_.push_back(PostedTask{std::move(task), site});
    }

    // From the loop thread: no lock needed.
    void post_next_local(Task task, SourceSite site = {}) {
        next_.push_back(PostedTask{std::move(task), site});
    }
    // From any other thread; returns true when the loop may be asleep and must be woken.
    bool post_next_from_other_thread(Task task, SourceSite site = {});

    // The two run_* functions hand each task to `run(Task& task, SourceSite site)`, which lets
    // the loop trace and guard it; `site` is where the task was posted (for the tracer). They
    // are templates so that `run` is inlined: a task costs no call through a pointer.

    // Runs soon tasks until none is left, including those they post.
    template <typename Run>
    std::size_t drain_soon(Run&& run) {
        std::size_t ran = 0;
        while (!soon_.empty()) {
            PostedTask posted = std::move(soon_.front());
            soon_.pop_front();
            run(posted.task, posted.site);
            ++ran;
        }
        return ran;
    }

    // Runs the tasks that were waiting when the batch started; later ones wait a turn.
    template <typename Run>
    std::size_t run_next_batch(Run&& run) {
        take_next_batch();
        // Index loop on purpose: a task may post_next, but that touches next_, not batch_.
        const std::size_t count = batch_.size();
        for (std::size_t i = 0; i < count; ++i) run(batch_[i].task, batch_[i].site);
        batch_.clear();
        return count;
    }

    std::size_t soon_count() const { return soon_.size(); }
    // Tasks the next batch would run (locks only when other threads have posted).
    std::size_t next_count();

    bool has_soon() const { return !soon_.empty(); }
    bool has_next() const { return !next_.empty() || has_foreign_.load(std::memory_order_acquire); }
    // Called after the loop woke up, so the next cross-thread post wakes it again.
    void clear_wake_request() { wake_requested_.store(false, std::memory_order_release); }

private:
    // Moves the waiting tasks (this thread's and other threads') into batch_.
    void take_next_batch();

    std::deque<PostedTask> soon_;
    std::vector<PostedTask> next_;
    std::vector<PostedTask> batch_;   // the batch being run (kept to reuse its capacity)

    std::mutex foreign_mutex_;          // guards foreign_
    std::vector<PostedTask> foreign_;   // posted by other threads, joins next_ each batch
    std::atomic<bool> has_foreign_{false};
    std::atomic<bool> wake_requested_{false};
};

}   // namespace looplab::loop
