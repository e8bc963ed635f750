// looplab/loop/signal_pipe.hpp
//
// The self-pipe trick: a signal handler may do almost nothing safely, but it may write(2).
// So our handler writes the signal number into a pipe, and the loop watches the pipe's read
// end like any other fd — Ctrl-C becomes an ordinary event, handled between callbacks.
//
// This is the one place with process-wide state, because the OS makes signal dispositions
// process-wide: one pipe per process, created on first use, shared by whoever installs.
#pragma once

#include "looplab/core/result.hpp"

namespace looplab::loop {

// Routes `signal_number` into the pipe; returns the pipe's read end (non-blocking; each byte
// read is one signal number).
[[nodiscard]] Result<int> route_signal_to_pipe(int signal_number);

// Puts back the default action for `signal_number`.
void restore_default_signal(int signal_number);

}   // namespace looplab::loop
