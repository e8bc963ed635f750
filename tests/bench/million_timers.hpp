// tests/bench/million_timers.hpp
//
// The "million timers" workload of issue 2 §7 (libuv's benchmark-million-timers): 1,000,000
// timers with random 0-9 ms deadlines, added then fired; the figure is count / wall time of
// add + fire. Shared by loop_bench (per backend) and loop_vs_libuv (looplab beside libuv), so
// both get the same deadlines in the same order.
#pragma once

#include "loop_figures.hpp"

#include "looplab/loop/event_loop.hpp"

#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

namespace bench {

inline constexpr std::size_t kTimerCount = 1'000'000;
inline constexpr int kMaxTimerDelayMs = 9;   // deadlines are 0..9 ms, uniformly random

// The delays, in milliseconds; drawn before any clock starts.
inline std::vector<std::uint8_t> million_timer_delays() {
    std::mt19937 random{20240611};   // fixed seed: every run and loop gets the same deadlines
    std::uniform_int_distribution<int> delay{0, kMaxTimerDelayMs};
    std::vector<std::uint8_t> delays(kTimerCount);
    for (auto& d : delays) d = static_cast<std::uint8_t>(delay(random));
    return delays;
}

inline Figure looplab_timers_per_second(const std::string& poller) {
    const std::vector<std::uint8_t> delays = million_timer_delays();
    looplab::loop::EventLoop loop{poller};
    std::size_t fired = 0;
    Stopwatch watch;
    for (const std::uint8_t d : delays) loop.set_timeout(looplab::Millis{d}, [&fired] { ++fired; });
    if (!loop.run()) return Figure{};
    watch.stop(fired);
    if (fired != kTimerCount) {
        fmt::print(stderr, "only {} of {} timers fired\n", fired, kTimerCount);
        return Figure{};
    }
    return watch.figure();
}

}   // namespace bench
