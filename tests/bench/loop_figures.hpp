// tests/bench/loop_figures.hpp
//
// How the loop benchmarks (loop_bench, loop_vs_libuv) measure and print one figure: a rate over
// wall time, with the share of one CPU the process got meanwhile. Shared so that the libuv rows
// are measured and printed exactly like looplab's own.
#pragma once

#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

using WallClock = std::chrono::steady_clock;

// Below this share of one CPU during a measurement, the figure is printed with the share.
inline constexpr double kFairShare = 0.9;

inline double seconds_between(WallClock::time_point start, WallClock::time_point end) {
    return std::chrono::duration<double>(end - start).count();
}

inline double process_cpu_seconds() {
    timespec now{};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// One figure: a rate over wall time, and the share of one CPU the process got meanwhile.
// The cores are shared; a share well below 100 % means others ran on our CPU and the wall
// figure is low for that reason, not because of the loop.
struct Figure {
    double per_second = 0;   // 0: the measurement failed
    double cpu_share = 1;
    bool is_skipped = false;
};

// Wall time and process CPU time from construction to stop().
class Stopwatch {
public:
    Stopwatch() : wall_(WallClock::now()), cpu_(process_cpu_seconds()) {}

    // Call at the moment the counting ends (inside the stop timer, for loop figures).
    void stop(std::uint64_t count) {
        elapsed_ = seconds_between(wall_, WallClock::now());
        cpu_used_ = process_cpu_seconds() - cpu_;
        count_ = count;
    }
    Figure figure() const {
        if (elapsed_ <= 0) return Figure{};
        return Figure{static_cast<double>(count_) / elapsed_, cpu_used_ / elapsed_, false};
    }

private:
    WallClock::time_point wall_;
    double cpu_;
    double elapsed_ = 0;
    double cpu_used_ = 0;
    std::uint64_t count_ = 0;
};

// "1.23 M", with the CPU share in brackets when others took a visible part of our CPU.
inline std::string text(const Figure& figure) {
    if (figure.is_skipped) return "skipped";
    if (figure.per_second <= 0) return "failed";
    if (figure.cpu_share >= kFairShare) return fmt::format("{:.2f} M", figure.per_second / 1e6);
    return fmt::format("{:.2f} M ({:.0f}%)", figure.per_second / 1e6, 100 * figure.cpu_share);
}

// One table row: a label, one column per figure, then a target and a reference.
inline void row(std::string_view what, const std::vector<Figure>& figures,
                std::string_view target = {}, std::string_view reference = {}) {
    fmt::print("  {:<42}", what);
    for (const Figure& figure : figures) fmt::print("{:>16}", text(figure));
    if (!target.empty() || !reference.empty()) fmt::print("   {:<30}{}", target, reference);
    fmt::print("\n");
    std::fflush(stdout);   // the run script shows progress line by line
}

}   // namespace bench
