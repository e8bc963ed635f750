// looplab/socketio_client/backoff.hpp
//
// Backoff — how long to wait before the next reconnection attempt: exponential, capped, with
// jitter. Pure: the random number comes in as an argument, so a test knows every delay.
// Teaches: lesson 18 (why a restarted server is not flooded by its clients coming back).
//
//     delay(n) = min(delay_max, base * 2^n * (1 + factor * (2r - 1)))     r in [0, 1)
//
//     n = 0: 1000 ms ± 50%  ->  500 .. 1500      (the defaults: base 1000, max 5000, 0.5)
//     n = 1: 2000 ms ± 50%  -> 1000 .. 3000
//     n = 2: 4000 ms ± 50%  -> 2000 .. 5000      (capped)
//     n ≥ 3: 5000 ms                             (8000 ± 50% is always ≥ 4000, then capped)
//
// The reference (backo2) uses the same random number for the size and the sign of the
// deviation; here the deviation is simply uniform in ±factor, which gives the same bounds.
//
// Contract: a plain value; one per Manager.
#pragma once

#include "looplab/core/clock.hpp"

#include <cstddef>

namespace looplab::socketio_client {

// The delay before attempt `attempt` (0 for the first retry), given `random` in [0, 1).
// `factor` outside [0, 1] is clamped; a random outside [0, 1) too. Never negative.
Millis backoff_delay(std::size_t attempt, Millis base, Millis max, double factor, double random);

class Backoff {
public:
    Backoff(Millis base, Millis max, double factor) : base_(base), max_(max), factor_(factor) {}

    // The next delay (counts one attempt).
    Millis next(double random) { return backoff_delay(attempts_++, base_, max_, factor_, random); }
    // Attempts counted since the last reset().
    std::size_t attempts() const { return attempts_; }
    void reset() { attempts_ = 0; }

private:
    Millis base_;
    Millis max_;
    double factor_;
    std::size_t attempts_ = 0;
};

}   // namespace looplab::socketio_client
