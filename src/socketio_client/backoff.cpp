// looplab/socketio_client/backoff.cpp — exponential delay, capped, with jitter.
#include "looplab/socketio_client/backoff.hpp"

#include <algorithm>
#include <cmath>

namespace looplab::socketio_client {

Millis backoff_delay(std::size_t attempt, Millis base, Millis max, double factor, double random) {
    factor = std::clamp(factor, 0.0, 1.0);
    random = std::clamp(random, 0.0, 1.0);
    // In doubles, and the exponent bounded: 2^64 would overflow an integer long before any
    // cap is reached, and the cap applies anyway.
    const double exponent = static_cast<double>(std::min<std::size_t>(attempt, 62));
    double delay = static_cast<double>(base.count()) * std::pow(2.0, exponent);
    delay *= 1.0 + factor * (2.0 * random - 1.0);
    delay = std::min(delay, static_cast<double>(max.count()));
    return Millis{static_cast<Millis::rep>(std::max(0.0, std::floor(delay)))};
}

}   // namespace looplab::socketio_client
