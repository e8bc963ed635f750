// looplab/poller/kevent_to_ready.hpp — what one kevent adds to the Ready record of its fd (detail:
// used by the kqueue backend and its test, not by users).
//
// The kqueue backend compiles only on macOS / BSD; this translation is kept apart, in neutral
// terms, so that it compiles and is tested everywhere (tests/unit/poller).
#pragma once

#include "looplab/poller/poller.hpp"

#include <cstdint>

namespace looplab::poller::detail {

// One kevent, as the translation needs it: the backend copies these from struct kevent.
struct KeventSays {
    bool read_filter = false;    // filter == EVFILT_READ
    bool write_filter = false;   // filter == EVFILT_WRITE
    bool end_of_file = false;    // EV_EOF in flags: this direction is shut
    bool failed = false;         // EV_ERROR in flags
    std::uint32_t fflags = 0;    // with EV_EOF on a socket: its pending error, 0 if none
    std::int64_t data = 0;       // with EV_ERROR: the errno
};

// Merges `event` into `record` (the read and write kevents of one fd share one record).
void add_kevent(Ready& record, const KeventSays& event);

}   // namespace looplab::poller::detail
