// looplab/core/clock.hpp
//
// Clock — where the loop reads "now". The real one is the monotonic clock (never jumps when
// someone changes the wall time); ManualClock lets a test move time by hand, so timer tests
// never sleep.
#pragma once

#include <chrono>

namespace looplab {

using Millis = std::chrono::milliseconds;

class Clock {
public:
    using duration = std::chrono::nanoseconds;
    using time_point = std::chrono::time_point<std::chrono::steady_clock, duration>;

    virtual ~Clock() = default;
    virtual time_point now() const = 0;
};

class SteadyClock final : public Clock {
public:
    time_point now() const override { return std::chrono::steady_clock::now(); }
};

class ManualClock final : public Clock {
public:
    time_point now() const override { return now_; }
    void advance(duration by) { now_ += by; }

private:
    time_point now_{};
};

}   // namespace looplab
