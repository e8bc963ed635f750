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
struct Ready {
    int fd = -1;
    bool readable = false;
    bool writable = false;
    bool hangup = false;   // epoll: the peer closed its side; poll: both directions are shut
    bool error = false;    // a pending socket error (read it with SO_ERROR)
};

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

}  // namespace looplab::poller
