// looplab/loop/wakeup.hpp
//
// Wakeup — lets another thread interrupt the loop's sleep in poll. It is an fd the loop
// watches: notify() makes it readable, the loop wakes up, drain() makes it quiet again.
// Linux has eventfd for exactly this; elsewhere a pipe does the same job ("self-pipe").
#pragma once

#include "looplab/core/result.hpp"
#include "looplab/core/unique_fd.hpp"

namespace looplab::loop {

class Wakeup {
public:
    [[nodiscard]] static Result<Wakeup> create();

    int fd() const { return read_end_.get(); }

    // Any thread. Async-signal-safe too (one write(2)).
    void notify() const;

    // Loop thread, when fd() is readable.
    void drain() const;

private:
    Wakeup(UniqueFd read_end, UniqueFd write_end)
        : read_end_(std::move(read_end)), write_end_(std::move(write_end)) {}

    UniqueFd read_end_;
    UniqueFd write_end_;   // empty with eventfd: one fd is both ends
};

}   // namespace looplab::loop
