// looplab/loop/phase.hpp
//
// Phase — the four steps of one turn of the loop, in order. The tracer prints these names,
// notes/08-event-loop.md draws them, EventLoop::run_once() runs them: change all three.
#pragma once

#include <fmt/format.h>

#include <string_view>

namespace looplab::loop {

enum class Phase {
    Timers,   // 1. run the timers that are due
    Poll,     // 2. wait for fds and call their handlers (the only place the loop sleeps)
    Next,     // 3. run one batch of post_next() tasks
    Close,    // 4. release what 1-3 closed
};

constexpr std::string_view name_of(Phase phase) {
    switch (phase) {
        case Phase::Timers: return "timers";
        case Phase::Poll: return "poll";
        case Phase::Next: return "next";
        case Phase::Close: return "close";
    }
    return "?";
}

}   // namespace looplab::loop

template <>
struct fmt::formatter<looplab::loop::Phase> : fmt::formatter<std::string_view> {
    template <typename FormatContext>
    auto format(looplab::loop::Phase phase, FormatContext& ctx) const {
        return fmt::formatter<std::string_view>::format(looplab::loop::name_of(phase), ctx);
    }
};
