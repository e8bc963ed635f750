// lessons/01-call-stack/call_stack_demo.cpp
//
// The call stack, made visible. Each function below starts with LOOPLAB_TRACE_SCOPE: it
// pushes a frame when the function starts and pops it when the function returns, and the
// tracer prints both ("> name" and "< name"). Read with notes/01-call-stack.md.
#include "looplab/lesson/lesson.hpp"
#include "looplab/loop/event_loop.hpp"
#include "looplab/trace/call_stack.hpp"
#include "looplab/trace/sinks.hpp"

#include <chrono>
#include <stdexcept>
#include <vector>

using namespace looplab;
using namespace std::chrono_literals;

namespace {

// Prints frames outermost first, one per line: "     1. main".
void print_frames(const std::vector<trace::Frame>& frames) {
    if (frames.empty()) lesson::say("     (empty)");
    for (std::size_t i = 0; i < frames.size(); ++i)
        lesson::say("     {}. {}", i + 1, trace::describe(frames[i]));
}

// The frames that are open right now.
void show_stack(std::string_view where) {
    lesson::say("-- the stack {}:", where);
    print_frames(trace::CallStack::current().frames());
}

void boil_water() {
    LOOPLAB_TRACE_SCOPE("boil_water");
}

void pour_water() {
    LOOPLAB_TRACE_SCOPE("pour_water");
    show_stack("at its deepest");
}

void brew_tea() {
    LOOPLAB_TRACE_SCOPE("brew_tea");
    boil_water();   // pushed, and popped again before pour_water is pushed
    pour_water();
}

void make_breakfast() {
    LOOPLAB_TRACE_SCOPE("make_breakfast");
    brew_tea();
}

void order_tea(loop::EventLoop& loop) {
    LOOPLAB_TRACE_SCOPE("order_tea");
    loop.set_timeout(0ms, [] {
        LOOPLAB_TRACE_SCOPE("tea_is_ready");
        show_stack("inside the callback");
    });
    lesson::say("order_tea: the callback is registered; order_tea returns now");
}

// What loop.run() does, written out with a scope per frame so the tracer names them too:
// EventLoop::run calls EventLoop::run_once once per turn, and run_once calls the callbacks.
// (The loop's own trace shows phases instead of these two frames.)
Status run_the_loop(loop::EventLoop& loop) {
    LOOPLAB_TRACE_SCOPE("EventLoop::run");
    while (loop.is_alive()) {
        LOOPLAB_TRACE_SCOPE("EventLoop::run_once");
        if (auto turned = loop.run_once(); !turned) return turned;
    }
    return Ok{};
}

void burn_toast() {
    LOOPLAB_TRACE_SCOPE("burn_toast");
    throw std::runtime_error{"the toast is on fire"};
}

void make_toast() {
    LOOPLAB_TRACE_SCOPE("make_toast");
    burn_toast();
}

}  // namespace

int main(int argc, char** argv) {
    const auto options = lesson::parse(argc, argv, "lesson-01");
    // The trace is the point of this lesson, so it is on with or without --trace.
    lesson::TraceSession tracing{options, lesson::TraceSession::When::Always};
    LOOPLAB_TRACE_SCOPE("main");   // main's frame stays at the bottom until main returns

    // 1. A plain call chain: every call pushes a frame, every return pops it, so the stack
    //    grows and shrinks like a pile of plates.
    options.step("Pushes and pops");
    make_breakfast();
    show_stack("after make_breakfast returned");

    // 2. A callback registered now runs later, from the loop. By then order_tea has long
    //    returned: below the callback are the loop's frames, not the function that asked.
    options.step("A callback runs later, from the loop");
    loop::EventLoop loop{options.poller};
    order_tea(loop);
    lesson::say("main: order_tea has returned; now main runs the loop");
    if (auto ran = run_the_loop(loop); !ran) lesson::fail(ran.error());

    // 3. An exception unwinds the stack frame by frame (watch the pops). The tracer kept a
    //    copy of the stack at the throw, which is what an error report prints.
    options.step("The stack at an error");
    try {
        make_toast();
    } catch (const std::exception& error) {
        lesson::say("caught: {}", error.what());
        lesson::say("-- the stack when it was thrown:");
        print_frames(trace::CallStack::current().stack_at_throw());
        trace::CallStack::current().forget_throw();
    }
    return 0;
}
