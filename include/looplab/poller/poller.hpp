// looplab/poller/poller.hpp
//
// Poller — how the loop waits. "Tell me when any of these fds can be read or written, or
// when this much time has passed." One small file per kernel API:
//   epoll_poller.cpp   Linux        cost of wait() grows with the READY fds
//   kqueue_poller.cpp  macOS / BSD  same idea, different calls
//   poll_poller.cpp    everywhere   cost of wait() grows with the WATCHED fds
// Teaches: Event Handler (lesson 06) and Event Loop (lesson 08, which compares backends).
//
// Contract: every backend is LEVEL-TRIGGERED: an fd that is still readable is reported again
// on the next wait(), so a handler may read only part of what is waiting. The loop never
// sees epoll_event, kevent or pollfd: every backend reports the same neutral Ready records.
// Loop thread only.
#pragma once

#include "looplab/core/clock.hpp"
#include "looplab/core/result.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace looplab::poller {

// What we want to hear about. Errors and hang-ups are always reported, even with neither.
struct Interest {
    bool readable = false;
    bool writable = false;

    static constexpr Interest read() { return {true, false}; }
    static constexpr Interest write() { return {false, true}; }
    static constexpr Interest both() { return {true, true}; }
    static constexpr Interest none() { return {false, false}; }
    bool operator==(const Interest&) const = default;
};

// What happened to one fd. For a handler that asked to read, a hang-up or an error also sets
// `readable`, so a handler that only reads still finds out (read() returns 0 or the error);
// one that asked to write sees an error as `writable` (the write then reports it). Every
// backend does the same; `hangup` and `error` are set whatever was asked for.
//
// Which error: kqueue says it with the event (an EV_EOF kevent carries the socket's error in
// fflags, an EV_ERROR one its errno in data) and fills `socket_error`. epoll and poll only say
// THAT there is one and leave it 0: the socket tells which (getsockopt(SO_ERROR), or the
// failing recv). Prefer `socket_error` when it is set: the socket may no longer hold the error
// (libkqueue, kqueue on Linux, takes it with getsockopt to fill the event in), and a read()
// would then report a clean end where there was a reset.
// Copied for every ready fd on every turn: keep it small (12 bytes: three ints' worth).
struct Ready {
    int fd = -1;
    bool readable = false;
    bool writable = false;
    bool hangup = false;    // epoll: the peer closed its side; poll: both directions are shut
    bool error = false;     // a socket error is pending (or, with kqueue, in `socket_error`)
    int socket_error = 0;   // the errno the kernel sent with the event (kqueue only); 0: ask
};
static_assert(sizeof(Ready) <= 3 * sizeof(int), "Ready is on the hot path: keep it small");

class Poller {
public:
    virtual ~Poller() = default;

    virtual std::string_view name() const = 0;

    // Starts watching `fd` (not owned). Watching the same fd twice is a bug: use change().
    [[nodiscard]] virtual Status watch(int fd, Interest interest) = 0;
    [[nodiscard]] virtual Status change(int fd, Interest interest) = 0;
    // Stops watching `fd`. Call it BEFORE closing the fd.
    virtual void forget(int fd) = 0;

    // Sleeps until something is ready or `timeout` passes (nullopt: no limit; 0: just look).
    // Fills `ready` (cleared first). A signal that interrupts the wait is not an error.
    [[nodiscard]] virtual Status wait(std::optional<Millis> timeout, std::vector<Ready>& ready) = 0;
};

// The names this machine can run, best first: {"epoll", "poll"} on Linux.
std::vector<std::string> available_pollers();

// The poller chosen by name; "" means $LOOPLAB_POLLER if set, else the best available.
// An unknown name is an error that lists the available ones.
[[nodiscard]] Result<std::unique_ptr<Poller>> make_poller(std::string_view name = {});

}   // namespace looplab::poller
