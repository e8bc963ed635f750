// looplab/loop/task.hpp — a piece of work the loop runs later, and a timer's number.
#pragma once

#include "looplab/core/source_site.hpp"

#include <cstdint>
#include <functional>

namespace looplab::loop {

using Task = std::function<void()>;
using TimerId = std::uint64_t;

// A task waiting in a queue, with the line that posted it: the live view (--watch) shows it on
// the task's frame. Two words more than the task itself, and nothing done with them unless a
// tracer listens.
struct PostedTask {
    Task task;
    SourceSite site;
};

}   // namespace looplab::loop
