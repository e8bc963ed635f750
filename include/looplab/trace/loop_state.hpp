// looplab/trace/loop_state.hpp
//
// LoopState — a picture of one EventLoop at one moment, as the live view (--watch) draws it:
// the phase it is in, how many tasks wait in each queue, the timers with their due times, and
// the fds it watches. The loop builds one only while a sink listens (CallStack::is_tracing())
// and hands it to Sink::state(); nothing is built, allocated or copied otherwise.
//
// The strings are views into the loop (labels, the poller's name): valid during the call only.
// A sink that keeps the picture copies it (the watch sink turns it into JSON at once).
#pragma once

#include "looplab/core/source_site.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace looplab::trace {

// The most timers and fds one picture lists (the earliest timers, the lowest fds); the totals
// are always there. Lesson 08 watches a thousand idle pipes: listing them all in every
// picture would make each event tens of kilobytes.
inline constexpr std::size_t kLoopStateTimersMax = 64;
inline constexpr std::size_t kLoopStateFdsMax = 64;
// The most sockets (connections, UDP sockets) one picture lists, by fd number.
inline constexpr std::size_t kLoopStateSocketsMax = 64;

struct TimerView {
    std::uint64_t number = 0;     // "timer #3"
    std::int64_t due_in_ms = 0;   // from the moment of the picture; 0 or less: due now
    bool repeats = false;
    SourceSite site;   // the set_timeout / set_interval call
};

struct FdView {
    int fd = -1;
    std::string_view label;   // "server socket", "pipe", "wake-up"
    bool read = false;        // the interest
    bool write = false;
    bool ready = false;        // in the poll phase: reported ready this turn
    bool keeps_alive = true;   // false for the loop's own fds (wake-up, signals)
    SourceSite site;           // the watch() call
};

// A socket the loop watches, as its owner (TcpConnection, UdpSocket, TcpConnector) describes
// it when asked (only while tracing). Counters count what the kernel took or gave: bytes
// sent are counted when send() hands them over, not when they are queued in user space.
struct SocketView {
    std::uint64_t id = 0;   // stays the same while the fd is watched; a new one after
    int fd = -1;
    std::string_view kind;    // "tcp" or "udp"
    std::string_view state;   // tcp: "connecting", "open", "closing"; udp: "open"
    std::string local;        // "127.0.0.1:5000"
    std::string peer;         // tcp: the other end; udp: the last peer heard from or sent to
    std::uint64_t bytes_in = 0;
    std::uint64_t bytes_out = 0;
    std::uint64_t datagrams_in = 0;   // udp only
    std::uint64_t datagrams_out = 0;
};

// How the loop asks a socket's owner to fill a SocketView (EventLoop::describe_socket). A
// plain function and a pointer, not a virtual base, so that a connection that is never
// traced pays two words in the loop's fd table and nothing else.
using DescribeSocket = void (*)(const void* owner, SocketView& view);

struct LoopState {
    std::string_view phase;   // "timers", "poll", "next", "close"
    std::uint64_t turn = 0;
    std::string_view poller;         // "epoll", "poll"...
    std::size_t soon = 0;            // tasks in the soon queue
    std::size_t next = 0;            // tasks for the next "next" phase
    std::size_t closes = 0;          // close tasks waiting for phase 4
    std::vector<TimerView> timers;   // earliest first, at most kLoopStateTimersMax
    std::vector<FdView> fds;         // by fd number, at most kLoopStateFdsMax
    std::size_t timers_total = 0;    // all of them
    std::size_t fds_total = 0;
    std::vector<SocketView> sockets;   // by fd number, at most kLoopStateSocketsMax
    std::size_t sockets_total = 0;
};

}   // namespace looplab::trace
