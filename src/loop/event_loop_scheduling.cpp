// The loop's scheduling side: what user code asks for (timers, the soon / next / close
// queues, signals). How the loop runs them is in event_loop.cpp.
#include "looplab/loop/event_loop.hpp"

#include "looplab/loop/signal_pipe.hpp"

#include <utility>

namespace looplab::loop {

// ---- timers and queues -----------------------------------------------------------------------

TimerId EventLoop::set_timeout(Millis delay, Task task, SourceSite site) {
    LOOPLAB_ASSERT(in_loop_thread(), "set_timeout() called from another thread; use post_next()");
    const TimerId id = timers_.add(clock_.now(), delay, std::move(task), site);
    report_state_if_tracing();
    return id;
}

TimerId EventLoop::set_interval(Millis interval, Task task, SourceSite site) {
    LOOPLAB_ASSERT(in_loop_thread(), "set_interval() called from another thread; use post_next()");
    LOOPLAB_ASSERT(interval.count() > 0, "set_interval() needs an interval of at least 1 ms");
    const TimerId id = timers_.add_repeating(clock_.now(), interval, std::move(task), site);
    report_state_if_tracing();
    return id;
}

void EventLoop::cancel_timer(TimerId id) {
    LOOPLAB_ASSERT(in_loop_thread(), "cancel_timer() called from another thread; use post_next()");
    timers_.cancel(id);
}

void EventLoop::post_soon(Task task, SourceSite site) {
    LOOPLAB_ASSERT(in_loop_thread(), "post_soon() called from another thread; use post_next()");
    queue_.post_soon(std::move(task), site);
    report_state_if_tracing();
}

void EventLoop::post_next(Task task, SourceSite site) {
    if (in_loop_thread()) {
        queue_.post_next_local(std::move(task), site);
        report_state_if_tracing();
        return;
    }
    if (queue_.post_next_from_other_thread(std::move(task), site)) wakeup_->notify();
}

void EventLoop::post_close(Task task, SourceSite site) {
    LOOPLAB_ASSERT(in_loop_thread(), "post_close() called from another thread; use post_next()");
    closes_.push_back(PostedTask{std::move(task), site});
}

void EventLoop::run_close_tasks() {
    retired_handlers_.clear();
    if (closes_.empty()) return;
    // Swap first: a close task that closes something else joins the next turn's phase 4.
    std::vector<PostedTask> closing;
    closing.swap(closes_);
    for (PostedTask& posted : closing)
        invoke("close task", std::string{}, posted.site, posted.task);
}

// ---- signals ---------------------------------------------------------------------------------

Status EventLoop::on_signal(int signal_number, std::function<void(int)> handler, SourceSite site) {
    LOOPLAB_ASSERT(in_loop_thread(), "on_signal() called from another thread");
    auto read_end = route_signal_to_pipe(signal_number);
    if (!read_end) return read_end.error();
    signal_handlers_.push_back(SignalHandler{signal_number, std::move(handler), site});
    if (signal_pipe_read_ >= 0) return Ok{};
    signal_pipe_read_ = *read_end;
    watch_internal(
        signal_pipe_read_,
        [this](const Ready&) {
            unsigned char numbers[64];
            ssize_t count;
            while ((count = ::read(signal_pipe_read_, numbers, sizeof numbers)) > 0) {
                for (ssize_t i = 0; i < count; ++i) {
                    // Copy: a handler may add another on_signal and grow the vector.
                    const auto handlers = signal_handlers_;
                    for (const SignalHandler& handler : handlers)
                        if (handler.number == numbers[i]) {
                            trace::TraceScope scope{handler.site, "signal", "{}", handler.number};
                            handler.handler(handler.number);
                        }
                }
            }
        },
        "signals");
    return Ok{};
}

}   // namespace looplab::loop
