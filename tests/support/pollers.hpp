// tests/support/pollers.hpp — every loop test runs once per backend this machine has:
//     const std::string poller = GENERATE(from_range(test_pollers()));
#pragma once

#include "looplab/poller/poller.hpp"

#include <string>
#include <vector>

namespace looplab::testing {

inline std::vector<std::string> test_pollers() { return poller::available_pollers(); }

}   // namespace looplab::testing
