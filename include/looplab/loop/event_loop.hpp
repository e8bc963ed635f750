// looplab/loop/event_loop.hpp
//
// EventLoop — one thread, one loop, turning forever:
//
//           +-------------------------------------------+
//     +---->| 1. timers   run the timers that are due    |  "now" is read once per turn
//     |     +-------------------------------------------+
//     |     | 2. poll     wait for fds, call handlers    |  the only place the loop sleeps
//     |     +-------------------------------------------+
//     |     | 3. next     run one batch of post_next()   |  tasks posted during this phase
//     |     |             tasks                          |  wait for the next turn
//     |     +-------------------------------------------+
//     +-----| 4. close    release what 1-3 closed        |
//           +-------------------------------------------+
//    after EVERY callback: drain the soon queue (post_soon), like JS microtasks
//    poll timeout: 0 if next-tasks or closes wait, else until the next timer, else forever
//    the loop ends when nothing is left: no watched fds, no timers, no tasks (unref'd ones
//    do not count)
//
// Teaches: Event Loop (lesson 08), Event Queue (07), Event Handler (06), Event-driven
// programming (02). Run: lessons/08-event-loop   Read: notes/08-event-loop.md
//
// Contract: everything is loop-thread only (asserted), except post_next() which any thread
// may call. Callbacks run to completion: a callback that takes a second freezes everything
// for a second. A callback that throws stops the loop: run() prints the exception with the
// call stack at the throw and returns it as an Error.
//
// Every function that schedules a callback takes a last `SourceSite site` that you never
// write: it defaults to the caller's file and line (source_site.hpp), and the tracer shows it
// on the callback's frame, so the live view (--watch) links each callback to the line that
// scheduled it. Code that schedules on behalf of its own caller may pass its caller's site.
#pragma once

#include "looplab/core/clock.hpp"
#include "looplab/core/result.hpp"
#include "looplab/core/source_site.hpp"
#include "looplab/loop/event_queue.hpp"
#include "looplab/loop/phase.hpp"
#include "looplab/loop/task.hpp"
#include "looplab/loop/timer_queue.hpp"
#include "looplab/loop/wakeup.hpp"
#include "looplab/poller/poller.hpp"
#include "looplab/trace/call_stack.hpp"
#include "looplab/trace/loop_state.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace looplab::loop {

using poller::Interest;
using poller::Ready;

// The code the loop calls when an fd is ready: an event handler.
using IoHandler = std::function<void(const Ready&)>;

class EventLoop {
public:
    // Picks the poller by name ("" → $LOOPLAB_POLLER, else the best one). An unknown name is
    // a programming error here (it aborts listing the names): check user input first with
    // poller::make_poller(), as the lessons' option parser does.
    explicit EventLoop(std::string_view poller_name = {});
    explicit EventLoop(std::unique_ptr<poller::Poller> poller);
    ~EventLoop();
    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;

    // ---- running ---------------------------------------------------------------------------
    // Turns until stop() or until nothing is alive. Returns the error that stopped it, if any.
    [[nodiscard]] Status run();
    // One turn: the four phases once (poll may sleep).
    [[nodiscard]] Status run_once();
    // Finish the current turn, then return from run(). Loop thread only.
    void stop() { is_stopping_ = true; }
    // Turns until `done()` is true (checked after each turn) or `limit` passes; for tests and
    // demos that must never hang. Returns done().
    bool run_until(const std::function<bool()>& done, Millis limit);

    // ---- event handlers on fds --------------------------------------------------------------
    // Calls `handler` whenever `fd` is ready as `interest` says (level-triggered). `label`
    // names it in traces ("server socket"). The loop does not own `fd`: forget() it, then
    // close it. Forgetting or closing any fd from inside any handler is safe.
    [[nodiscard]] Status watch(int fd, Interest interest, IoHandler handler, std::string label = {},
                               SourceSite site = SourceSite::here());
    void change(int fd, Interest interest);
    void forget(int fd);
    bool is_watching(int fd) const;
    // A watched fd that does not keep the loop alive (a background listener, a wake-up fd).
    void set_keeps_alive(int fd, bool keeps_alive);
    // Names the socket behind a watched fd for the live view (--watch): while tracing, each
    // picture of the loop asks describe(owner, view) for its addresses, state and counters.
    // Until the fd is forgotten; `owner` must live that long. Costs nothing when not tracing.
    void describe_socket(int fd, const void* owner, trace::DescribeSocket describe);

    // ---- timers ----------------------------------------------------------------------------
    // Timers are named "timer #id" in traces. A 0 ms timeout runs in the next timers phase.
    TimerId set_timeout(Millis delay, Task task, SourceSite site = SourceSite::here());
    TimerId set_interval(Millis interval, Task task, SourceSite site = SourceSite::here());
    void cancel_timer(TimerId id);   // unknown or fired ids are fine
    void unref_timer(TimerId id) { timers_.set_keeps_alive(id, false); }

    // ---- queues ----------------------------------------------------------------------------
    // Loop thread: runs right after the current callback returns.
    void post_soon(Task task, SourceSite site = SourceSite::here());
    // Any thread: runs in the next "next" phase; wakes the loop if it sleeps.
    void post_next(Task task, SourceSite site = SourceSite::here());
    // Loop thread: runs in phase 4, after everything that might still use what it releases.
    void post_close(Task task, SourceSite site = SourceSite::here());

    // ---- signals ---------------------------------------------------------------------------
    // Runs `handler` on the loop (not inside the signal handler) when `signal_number` arrives:
    // Ctrl-C becomes an ordinary event. Signal watchers do not keep the loop alive.
    [[nodiscard]] Status on_signal(int signal_number, std::function<void(int)> handler,
                                   SourceSite site = SourceSite::here());

    // ---- keeping alive ---------------------------------------------------------------------
    // While a Hold lives, the loop does not end for lack of work (e.g. while other threads
    // will post_next()).
    class Hold {
    public:
        explicit Hold(EventLoop& loop) : loop_(&loop) { ++loop_->holds_; }
        ~Hold() {
            if (loop_) --loop_->holds_;
        }
        Hold(Hold&& other) noexcept : loop_(std::exchange(other.loop_, nullptr)) {}
        Hold(const Hold&) = delete;
        Hold& operator=(const Hold&) = delete;
        Hold& operator=(Hold&&) = delete;

    private:
        EventLoop* loop_;
    };
    Hold hold() { return Hold{*this}; }

    // ---- looking inside --------------------------------------------------------------------
    std::string_view poller_name() const { return poller_->name(); }
    bool is_alive() const;
    bool in_loop_thread() const { return std::this_thread::get_id() == owner_; }
    std::uint64_t turn() const { return turn_; }
    Clock::time_point now() const { return clock_.now(); }
    Phase phase() const { return phase_; }

private:
    struct Watcher {
        IoHandler handler;
        Interest interest;
        std::string label;
        std::uint64_t generation = 0;   // 0: not watched
        bool keeps_alive = true;
        SourceSite site;                // the watch() call, for the tracer
        const void* socket = nullptr;   // describe_socket(): who to ask, while tracing
        trace::DescribeSocket describe = nullptr;
    };

    // The four phases of run_once(), in order, and what comes before them.
    void begin_turn();
    [[nodiscard]] Status run_timers();
    [[nodiscard]] Status wait_for_events();
    [[nodiscard]] Status run_next_tasks();
    [[nodiscard]] Status run_closes();
    template <typename... Describe>
    void enter_phase(Phase phase, const Describe&... describe);
    Status callbacks_status() const;
    // Hands the loop's picture (queues, timers, fds) to the tracer; for the live view
    // (--watch). Costs one load and a branch when nothing traces.
    void report_state_if_tracing() {
        if (stack_.is_tracing()) report_state();
    }
    void report_state();
    // Reads now_ if the turn has not read it yet and a timer needs it.
    std::optional<Millis> poll_timeout();
    void dispatch_ready();
    void run_close_tasks();
    void run_soon_tasks();
    template <typename Function>
    void invoke(std::string_view name, const std::string& detail, SourceSite site,
                Function&& callback);
    void report_exception(std::string_view what);
    void watch_internal(int fd, IoHandler handler, std::string label);
    Watcher& watcher_slot(int fd);

    std::unique_ptr<poller::Poller> poller_;
    SteadyClock clock_;
    TimerQueue timers_;
    EventQueue queue_;
    std::vector<PostedTask> closes_;
    // Indexed by fd (fds are small numbers). Each slot is a separate allocation so a handler
    // keeps its address while it runs, even if watching a new fd grows the vector.
    std::vector<std::unique_ptr<Watcher>> watchers_;
    std::vector<IoHandler> retired_handlers_;   // forgotten while maybe running; freed in phase 4
    std::vector<Ready> ready_;
    std::vector<std::uint64_t> ready_generations_;
    std::uint64_t next_generation_ = 1;
    std::size_t live_watchers_ = 0;
    std::size_t holds_ = 0;
    std::optional<Wakeup> wakeup_;
    int signal_pipe_read_ = -1;
    struct SignalHandler {
        int number;
        std::function<void(int)> handler;
        SourceSite site;
    };
    std::vector<SignalHandler> signal_handlers_;
    std::thread::id owner_ = std::this_thread::get_id();
    // The loop thread's call stack, looked up once: a thread_local lookup on every post would
    // cost more than the branch that uses it.
    trace::CallStack& stack_ = trace::CallStack::current();
    std::uint64_t turn_ = 0;
    // This turn's "now": unread (nullopt) until a timer or the tracer needs it, and unread
    // again after timer callbacks ran, as they may have taken long.
    std::optional<Clock::time_point> now_;
    Phase phase_ = Phase::Timers;
    bool is_stopping_ = false;
    const std::function<bool()>* until_ = nullptr;   // run_until's condition, while it runs
    std::optional<Error> failure_;
};

}   // namespace looplab::loop
