// The loop itself. run_once() is the picture of notes/08-event-loop.md, step for step.
#include "looplab/loop/event_loop.hpp"

#include "looplab/loop/signal_pipe.hpp"
#include "looplab/trace/call_stack.hpp"
#include "looplab/trace/loop_state.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>

#include <unistd.h>

namespace looplab::loop {
namespace {

std::unique_ptr<poller::Poller> poller_or_die(std::string_view name) {
    auto made = poller::make_poller(name);
    if (!made) {
        fmt::print(stderr, "looplab: {}\n", made.error());
        std::abort();
    }
    return std::move(made).value();
}

// Sleeping a little too long is harmless; waking a little too early would make the loop
// spin until the timer is due. So partial milliseconds round up.
Millis round_up_to_millis(Clock::duration duration) { return std::chrono::ceil<Millis>(duration); }

// The tracer's account of the poll phase. It reports what the loop asked for (the timeout)
// and how long it really slept, to a tenth of a millisecond and never rounded up: a turn
// whose timeout was 0 must not read as if the loop had waited. Then the fds that were ready.
std::string describe_wait(std::optional<Millis> timeout, Clock::duration slept,
                          std::string_view poller, const std::vector<Ready>& ready) {
    const double slept_ms = std::chrono::duration<double, std::milli>(slept).count();
    std::string live;
    if (timeout && timeout->count() == 0) live = fmt::format("timeout 0 ms, no sleep ({})", poller);
    else if (!timeout) live = fmt::format("no timeout, slept {:.1f} ms ({})", slept_ms, poller);
    else
        live =
            fmt::format("timeout {} ms, slept {:.1f} ms ({})", timeout->count(), slept_ms, poller);
    for (const Ready& event : ready) live += fmt::format(", fd {}", event.fd);
    return live;
}

std::string_view ready_name(const Ready& ready) {
    if (ready.readable && ready.writable) return "fd readable+writable";
    if (ready.readable) return "fd readable";
    if (ready.writable) return "fd writable";
    return ready.hangup ? "fd hang-up" : "fd error";
}

}   // namespace

EventLoop::EventLoop(std::string_view poller_name) : EventLoop(poller_or_die(poller_name)) {}

EventLoop::EventLoop(std::unique_ptr<poller::Poller> poller) : poller_(std::move(poller)) {
    auto wakeup = Wakeup::create();
    if (!wakeup) {
        fmt::print(stderr, "looplab: {}\n", wakeup.error());
        std::abort();
    }
    wakeup_.emplace(std::move(wakeup).value());
    watch_internal(
        wakeup_->fd(),
        [this](const Ready&) {
            wakeup_->drain();
            queue_.clear_wake_request();
        },
        "wake-up");
}

EventLoop::~EventLoop() {
    for (const SignalHandler& handler : signal_handlers_) restore_default_signal(handler.number);
    if (signal_pipe_read_ >= 0) poller_->forget(signal_pipe_read_);
    poller_->forget(wakeup_->fd());
    run_close_tasks();   // release what is waiting to be released, so nothing leaks
}

// ---- running ---------------------------------------------------------------------------------

Status EventLoop::run() {
    LOOPLAB_ASSERT(in_loop_thread(), "run() called from another thread than the loop's");
    is_stopping_ = false;
    while (!is_stopping_ && is_alive()) {
        if (auto turned = run_once(); !turned) return turned;
    }
    return Ok{};
}

// One turn of the loop. The numbered steps are the phases drawn in notes/08-event-loop.md
// and printed by the tracer; if you change one, change all three. Each phase returns what
// ends the turn early: a callback that threw (run() reports it), or the poller failing.
Status EventLoop::run_once() {
    LOOPLAB_ASSERT(in_loop_thread(), "run_once() called from another thread than the loop's");
    begin_turn();
    Status turned = run_timers();             // 1. timers: run the ones that are due
    if (turned) turned = wait_for_events();   // 2. poll: the only place the loop sleeps
    if (turned) turned = run_next_tasks();    // 3. next: one batch of post_next() tasks
    if (turned) turned = run_closes();        // 4. close: release what 1-3 closed
    return turned;
}

void EventLoop::begin_turn() {
    stack_.turn(++turn_);
    // "now" is read once per turn, and only when a timer or the tracer needs it: a turn with
    // no timers reads no clock at all, like a bare epoll loop.
    now_.reset();
    if (timers_.size() > 0 || stack_.is_tracing()) now_ = clock_.now();
}

Status EventLoop::run_timers() {
    enter_phase(Phase::Timers,
                [&] { return fmt::format("timers   {} due", timers_.count_due(*now_)); });
    if (timers_.size() == 0) return callbacks_status();
    const std::size_t ran = timers_.run_due(*now_, [this](TimerId id, Task& task, SourceSite site) {
        if (failure_) return;   // a callback threw: run nothing more, run() reports it
        const bool tracing = stack_.is_tracing();
        invoke("timer", tracing ? fmt::format("#{}", TimerQueue::number_of(id)) : std::string{},
               site, task);
    });
    // A timer callback may have taken long: poll reads the clock again if it needs "now".
    if (ran > 0) now_.reset();
    return callbacks_status();
}

Status EventLoop::wait_for_events() {
    // Traced only after the wait, as its line tells what the wait found; but the loop is in
    // this phase from here on (run_until's condition, asked below, may look).
    phase_ = Phase::Poll;
    // The tracer shows how long the wait really was, so it needs "now" right before it.
    if (stack_.is_tracing()) now_ = clock_.now();
    const std::optional<Millis> timeout = poll_timeout();
    if (auto waited = poller_->wait(timeout, ready_); !waited) return waited.error();
    enter_phase(
        Phase::Poll, [&] { return fmt::format("poll     {} ready", ready_.size()); },
        [&] { return describe_wait(timeout, clock_.now() - *now_, poller_->name(), ready_); });
    dispatch_ready();
    return callbacks_status();
}

Status EventLoop::run_next_tasks() {
    enter_phase(Phase::Next, [&] {
        const std::size_t count = queue_.next_count();
        return fmt::format("next     {} task{}", count, count == 1 ? "" : "s");
    });
    queue_.run_next_batch([this](Task& task, SourceSite site) {
        if (failure_) return;   // a callback threw: run nothing more, run() reports it
        invoke("next task", std::string{}, site, task);
    });
    return callbacks_status();
}

Status EventLoop::run_closes() {
    enter_phase(Phase::Close, [&] { return fmt::format("close    {}", closes_.size()); });
    run_close_tasks();
    return callbacks_status();
}

// The phase's line (and a picture of the loop) for the tracer. `describe...` are one or two
// callables: the stable words, then for poll the live ones. They are called only while
// tracing, so an untraced turn formats nothing: entering a phase is then one store.
template <typename... Describe>
void EventLoop::enter_phase(Phase phase, const Describe&... describe) {
    phase_ = phase;
    if (stack_.is_tracing()) {
        stack_.note(describe()...);
        report_state();
    }
}

// Ok, unless a callback threw: invoke() caught it and stopped the loop, and the turn ends.
Status EventLoop::callbacks_status() const {
    if (failure_) return *failure_;
    return Ok{};
}

bool EventLoop::run_until(const std::function<bool()>& done, Millis limit) {
    const auto deadline = clock_.now() + limit;
    // The timer bounds the sleep in poll, so a condition that never comes true cannot hang.
    const TimerId guard = set_timeout(limit, [] {});
    is_stopping_ = false;
    // Also asked before poll sleeps: when a timer callback makes it true, the turn must not
    // then sleep until some unrelated event.
    const std::function<bool()>* outer = until_;
    until_ = &done;
    while (!done() && clock_.now() < deadline && !is_stopping_) {
        if (!run_once()) break;
    }
    until_ = outer;
    cancel_timer(guard);
    return done();
}

void EventLoop::report_state() {
    trace::LoopState state;
    state.phase = name_of(phase_);
    state.turn = turn_;
    state.poller = poller_->name();
    state.soon = queue_.soon_count();
    state.next = queue_.next_count();
    state.closes = closes_.size();
    const auto now = clock_.now();
    timers_.for_each_live(
        [&](std::uint64_t number, Clock::time_point deadline, bool repeats, SourceSite site) {
            state.timers.push_back(trace::TimerView{
                number, std::chrono::duration_cast<Millis>(deadline - now).count(), repeats, site});
        });
    std::sort(state.timers.begin(), state.timers.end(),
              [](const trace::TimerView& a, const trace::TimerView& b) {
                  return a.due_in_ms != b.due_in_ms ? a.due_in_ms < b.due_in_ms
                                                    : a.number < b.number;
              });
    state.timers_total = state.timers.size();
    if (state.timers.size() > trace::kLoopStateTimersMax)
        state.timers.resize(trace::kLoopStateTimersMax);
    for (std::size_t fd = 0; fd < watchers_.size(); ++fd) {
        const Watcher* watcher = watchers_[fd].get();
        if (watcher == nullptr || watcher->generation == 0) continue;
        if (++state.fds_total > trace::kLoopStateFdsMax) continue;
        bool ready = false;
        if (phase_ == Phase::Poll)
            for (const Ready& event : ready_) ready = ready || event.fd == static_cast<int>(fd);
        state.fds.push_back(trace::FdView{static_cast<int>(fd), watcher->label,
                                          watcher->interest.readable, watcher->interest.writable,
                                          ready, watcher->keeps_alive, watcher->site});
    }
    for (std::size_t fd = 0; fd < watchers_.size(); ++fd) {
        const Watcher* watcher = watchers_[fd].get();
        if (watcher == nullptr || watcher->generation == 0 || watcher->describe == nullptr)
            continue;
        if (++state.sockets_total > trace::kLoopStateSocketsMax) continue;
        trace::SocketView& view = state.sockets.emplace_back();
        view.id = watcher->generation;
        view.fd = static_cast<int>(fd);
        watcher->describe(watcher->socket, view);
    }
    stack_.state(state);
}

std::optional<Millis> EventLoop::poll_timeout() {
    if (is_stopping_ || failure_ || (until_ && (*until_)())) return Millis{0};
    if (queue_.has_next() || !closes_.empty()) return Millis{0};
    if (timers_.size() > 0) {
        // Unread when the turn began without timers (run_until's condition may add one).
        if (!now_) now_ = clock_.now();
        if (auto until_timer = timers_.time_until_next(*now_))
            return round_up_to_millis(*until_timer);
    }
    if (!is_alive()) return Millis{0};   // nothing could ever wake us: just look
    return std::nullopt;                 // sleep until an fd is ready
}

bool EventLoop::is_alive() const {
    return live_watchers_ > 0 || timers_.has_live_timers() || queue_.has_next() ||
           !closes_.empty() || holds_ > 0;
}

// ---- calling user code -----------------------------------------------------------------------

// Every callback starts here: a labelled frame on the call stack, then the soon queue is
// drained the moment the callback returns. That one rule, written once, is what makes
// post_soon() mean "right after the current callback".
template <typename Function>
void EventLoop::invoke(std::string_view name, const std::string& detail, SourceSite site,
                       Function&& callback) {
    try {
        // The detail is copied only while tracing: this runs for every event.
        if (stack_.is_tracing()) report_state();
        stack_.push(name, stack_.is_tracing() ? detail : std::string{}, site);
        // Catch and rethrow rather than a guard asking std::uncaught_exceptions() on the way in
        // and out: on the path without a throw this costs nothing, and this runs for every event.
        try {
            callback();
        } catch (...) {
            stack_.save_for_throw();   // the frames as they were at the throw, for the report
            stack_.pop();
            throw;
        }
        stack_.pop();
        report_state_if_tracing();
        run_soon_tasks();
    } catch (const std::exception& error) {
        report_exception(error.what());
    } catch (...) {
        report_exception("an exception that is not a std::exception");
    }
}

void EventLoop::run_soon_tasks() {
    if (!queue_.has_soon()) return;
    if (stack_.is_tracing())
        stack_.note(fmt::format("soon     {} task{}", queue_.soon_count(),
                                queue_.soon_count() == 1 ? "" : "s"));
    queue_.drain_soon([this](Task& task, SourceSite site) {
        // No invoke() here: a soon task is already inside the drain that invoke() started, and
        // the soon tasks it posts join the same drain.
        report_state_if_tracing();
        trace::TraceScope scope{site, "soon task"};
        task();
    });
}

void EventLoop::report_exception(std::string_view what) {
    trace::CallStack& stack = trace::CallStack::current();
    const std::string where = trace::format_stack(stack.stack_at_throw());
    stack.forget_throw();
    fmt::print(stderr,
               "looplab: a callback threw during the {} phase: {}\ncall stack at the throw:\n{}",
               phase_, what, where);
    std::fflush(stderr);
    failure_ =
        Error::because(fmt::format("a callback threw during the {} phase: {}", phase_, what));
    is_stopping_ = true;
}

// ---- the poll phase's dispatch (watch/change/forget live in event_loop_watchers.cpp) ------

void EventLoop::dispatch_ready() {
    // Remember which registration each record belongs to BEFORE calling anyone: a handler
    // earlier in this batch may close an fd, and the kernel may hand the same number to a
    // brand-new socket that gets watched. Its generation differs, so the stale record is
    // skipped instead of being delivered to the wrong handler.
    ready_generations_.clear();
    for (const Ready& ready : ready_)
        ready_generations_.push_back(
            is_watching(ready.fd) ? watchers_[static_cast<std::size_t>(ready.fd)]->generation : 0);
    for (std::size_t i = 0; i < ready_.size(); ++i) {
        const Ready ready = ready_[i];
        if (ready_generations_[i] == 0 || !is_watching(ready.fd)) continue;
        Watcher& watcher = *watchers_[static_cast<std::size_t>(ready.fd)];
        if (watcher.generation != ready_generations_[i]) continue;
        invoke(ready_name(ready), watcher.label, watcher.site, [&] { watcher.handler(ready); });
        if (failure_) return;
    }
}

// Timers, the queues and signals (what user code schedules): event_loop_scheduling.cpp.

}   // namespace looplab::loop
