// looplab/trace/call_stack.hpp
//
// CallStack — the list of "who called whom" that is running right now, kept by us so that a
// lesson can print it. Teaches: Call Stack (lesson 01) and, with the loop's labels, which
// phase and which event started the code you are looking at.
// Run: lessons/01-call-stack   Read: notes/01-call-stack.md
//
// Contract: one CallStack per thread (CallStack::current()). Frames are pushed and popped by
// TraceScope, never by hand. The stack is always kept, so an error can show where it
// happened; a Sink is told about pushes only while tracing is on.
//
// Cost when tracing is off: one push_back and one pop_back of a small record per scope. The
// detail text of a scope (fmt arguments) is only formatted while a sink listens.
#pragma once

#include "looplab/core/source_site.hpp"

#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

namespace looplab::trace {

struct LoopState;   // loop_state.hpp: what the live view (--watch) draws

// One entry of the stack. `name` must be a string that outlives the scope (a literal).
struct Frame {
    std::string_view name;
    std::string detail;   // stable words for the reader: "#3", "server socket", "\"hi\""
    // The user's line behind the frame: for a callback, the line that scheduled it (the
    // post_soon, the set_timeout, the watch); for a LOOPLAB_TRACE_SCOPE, the scope itself.
    // Unknown (file nullptr) when nobody said. Only the live view (--watch) shows it.
    SourceSite site;
};

// Where traced events go. The loop writes turn and phase lines through note(); TraceScope
// writes push and pop. `live` holds what changes from run to run (fds, durations); sinks that
// must stay deterministic ignore it.
class Sink {
public:
    virtual ~Sink() = default;
    virtual void turn(std::uint64_t number) = 0;
    virtual void note(std::string_view stable, std::string_view live, std::size_t depth) = 0;
    virtual void push(const Frame& frame, std::size_t depth) = 0;
    virtual void pop(const Frame& frame, std::size_t depth) = 0;
    // The loop's queues, timers and fds (see loop_state.hpp). Only the live view and the
    // Chrome trace's counters use it, so the text sinks need not know it exists.
    virtual void state(const LoopState& /*state*/) {}
};

class CallStack {
public:
    // The calling thread's stack.
    static CallStack& current();

    void push(std::string_view name, std::string detail = {}, SourceSite site = {});
    void pop();

    std::size_t depth() const { return frames_.size(); }
    const std::vector<Frame>& frames() const { return frames_; }

    // nullptr turns tracing off. The sink must outlive its use (set nullptr before it dies).
    void set_sink(Sink* sink) { sink_ = sink; }
    Sink* sink() const { return sink_; }
    bool is_tracing() const { return sink_ != nullptr; }

    // A line between frames (the loop's "timers 0 due"); ignored when tracing is off.
    void note(std::string_view stable, std::string_view live = {});
    void turn(std::uint64_t number);
    // The loop's picture (queues, timers, fds); ignored when tracing is off.
    void state(const LoopState& state) {
        if (sink_) sink_->state(state);
    }

    // The stack as it was when the exception now being handled was thrown, innermost last.
    // TraceScope saves it while unwinding, so a catch block far away can still print it.
    const std::vector<Frame>& stack_at_throw() const { return at_throw_; }
    void forget_throw() { at_throw_.clear(); }
    void save_for_throw();

private:
    std::vector<Frame> frames_;
    std::vector<Frame> at_throw_;
    Sink* sink_ = nullptr;
};

// Push on construction, pop on destruction: the stack follows the C++ scopes exactly, even
// when an exception unwinds them.
class TraceScope {
public:
    explicit TraceScope(std::string_view name) { CallStack::current().push(name); }

    template <typename... Args>
    TraceScope(std::string_view name, fmt::format_string<Args...> detail, Args&&... args) {
        CallStack& stack = CallStack::current();
        stack.push(name, stack.is_tracing() ? fmt::format(detail, std::forward<Args>(args)...)
                                            : std::string{});
    }

    // The same with the scope's file and line (LOOPLAB_TRACE_SCOPE passes them).
    TraceScope(SourceSite site, std::string_view name) {
        CallStack::current().push(name, std::string{}, site);
    }

    template <typename... Args>
    TraceScope(SourceSite site, std::string_view name, fmt::format_string<Args...> detail,
               Args&&... args) {
        CallStack& stack = CallStack::current();
        stack.push(
            name,
            stack.is_tracing() ? fmt::format(detail, std::forward<Args>(args)...) : std::string{},
            site);
    }

    ~TraceScope() {
        CallStack& stack = CallStack::current();
        if (std::uncaught_exceptions() > uncaught_at_start_) stack.save_for_throw();
        stack.pop();
    }

    TraceScope(const TraceScope&) = delete;
    TraceScope& operator=(const TraceScope&) = delete;

private:
    int uncaught_at_start_ = std::uncaught_exceptions();
};

// Prints the frames one per line, outermost first: "  1. timer #3\n  2. Lesson::tick\n".
std::string format_stack(const std::vector<Frame>& frames);

}   // namespace looplab::trace

#define LOOPLAB_TRACE_CONCAT_INNER(a, b) a##b
#define LOOPLAB_TRACE_CONCAT(a, b) LOOPLAB_TRACE_CONCAT_INNER(a, b)

// LOOPLAB_TRACE_SCOPE("ChatServer::on_message") or
// LOOPLAB_TRACE_SCOPE("ChatServer::on_message", "\"{}\"", text). The frame carries this
// line's file and line, so the live view links it to the code.
#define LOOPLAB_TRACE_SCOPE(...)                                                        \
    ::looplab::trace::TraceScope LOOPLAB_TRACE_CONCAT(looplab_trace_scope_, __LINE__) { \
        ::looplab::SourceSite{__FILE__, __LINE__}, __VA_ARGS__                          \
    }
