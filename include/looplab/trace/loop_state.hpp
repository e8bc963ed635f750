// looplab/trace/loop_state.hpp
//
// LoopState — a picture of one EventLoop at one moment, as the live view (--watch) draws it:
// the phase it is in, how many tasks wait in each queue, the timers with their due times, and
// the fds it watches. The loop builds one only while a sink listens (CallStack::is_tracing())
// and hands it to Sink::state(); nothing is built, allocated or copied otherwise.
//
// The strings are views into the loop (labels, the poller's name): valid during the call only.
// A sink that keeps the picture copies it (the watch sink turns it into JSON at once).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace looplab::trace {

// The most timers and fds one picture lists (the earliest timers, the lowest fds); the totals
// are always there. Lesson 08 watches a thousand idle pipes: listing them all in every
// picture would make each event tens of kilobytes.
inline constexpr std::size_t kLoopStateTimersMax = 64;
inline constexpr std::size_t kLoopStateFdsMax = 64;

struct TimerView {
    std::uint64_t number = 0;   // "timer #3"
    std::int64_t due_in_ms = 0; // from the moment of the picture; 0 or less: due now
    bool repeats = false;
};

struct FdView {
    int fd = -1;
    std::string_view label;     // "server socket", "pipe", "wake-up"
    bool read = false;          // the interest
    bool write = false;
    bool ready = false;         // in the poll phase: reported ready this turn
    bool keeps_alive = true;    // false for the loop's own fds (wake-up, signals)
};

struct LoopState {
    std::string_view phase;     // "timers", "poll", "next", "close"
    std::uint64_t turn = 0;
    std::string_view poller;    // "epoll", "poll"...
    std::size_t soon = 0;       // tasks in the soon queue
    std::size_t next = 0;       // tasks for the next "next" phase
    std::size_t closes = 0;     // close tasks waiting for phase 4
    std::vector<TimerView> timers;   // earliest first, at most kLoopStateTimersMax
    std::vector<FdView> fds;         // by fd number, at most kLoopStateFdsMax
    std::size_t timers_total = 0;    // all of them
    std::size_t fds_total = 0;
};

}  // namespace looplab::trace
