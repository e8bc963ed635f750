// looplab/loop/task.hpp — a piece of work the loop runs later, and a timer's number.
#pragma once

#include <cstdint>
#include <functional>

namespace looplab::loop {

using Task = std::function<void()>;
using TimerId = std::uint64_t;

}  // namespace looplab::loop
