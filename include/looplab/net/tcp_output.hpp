// looplab/net/tcp_output.hpp
//
// TcpOutput — the output side of a TcpConnection: the bytes the kernel has not taken yet, the
// watermarks that turn their amount into backpressure, and the cork that gathers many small
// sends into one system call.
// Teaches: backpressure (lesson 13): send() never blocks, so what the kernel refuses must wait
// somewhere, and the program must be told when "somewhere" grows too large.
// Run: lessons/13-server-and-client   Read: notes/13-server-and-client.md
//
// Pending output, and what moves it:
//
//   write(fd, first, second) ──► [ pending | first | second ] ──► one sendmsg() ──► kernel
//                                           ▲                            │
//        what the kernel did not take ──────┘ (the only copy)            │
//   flush(fd), when the socket is writable ──────────────────────────────┘
//
// While gathering (cork() or the data event's cork), send() only appends (gather()), up to
// cork_limit() bytes, and the last uncork() or the end of the data event writes it all at once.
//
// Contract: loop thread only, like its TcpConnection. It writes to the fd it is given and
// never reports events itself: it answers (rose_to_high_watermark(), uncork(), a Written with
// an error) and the connection decides what to emit.
#pragma once

#include "looplab/core/assert.hpp"
#include "looplab/net/byte_buffer.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace looplab::net {

// An input or output buffer that empties while larger than this gives its memory back. Zero:
// buffers hold memory only while they hold data, so 10,000 idle connections cost no buffer
// memory at all (and, reading and gathering on the stack, a busy one rarely allocates).
inline constexpr std::size_t kTcpIdleBufferCapacity = 0;
// Default watermarks: high_watermark at 1 MiB pending, drain back at 256 KiB.
inline constexpr std::size_t kTcpDefaultHighWatermark = 1024 * 1024;
inline constexpr std::size_t kTcpDefaultLowWatermark = 256 * 1024;
// Most bytes gathered while the data event runs (see "the cork" in tcp_connection.hpp) before
// send() writes anyway. They gather in an array of this size on the stack (a heap buffer only if
// output waits).
inline constexpr std::size_t kTcpMaxCorkedBytes = 16 * 1024;

class TcpOutput final {
public:
    // What one write did. `error` is 0, or the errno of a failure that is no "try again
    // later" (the peer is gone: EPIPE, ECONNRESET), with the system call that got it.
    struct Written {
        int error = 0;
        std::string_view syscall = "send";
        bool was_blocked = false;   // the kernel's buffer was full: it took nothing (EAGAIN)
    };

    // ---- what waits ----------------------------------------------------------------------------
    std::size_t size() const { return pending_.size(); }
    bool empty() const { return pending_.empty(); }
    // Bytes the kernel took so far.
    std::uint64_t bytes_sent() const { return bytes_sent_; }
    // abort() and closing: what waits can never be delivered; the memory goes back now.
    void drop();

    // ---- writing -------------------------------------------------------------------------------
    // Hands the kernel what is pending, then `first`, then `second`, in one system call
    // (send(), or sendmsg() when there are several pieces), so order is kept without a copy.
    // Only what the kernel does not take is copied into the pending bytes.
    Written write(int fd, std::span<const std::uint8_t> first,
                  std::span<const std::uint8_t> second);
    // One send() of what is pending (the socket said "writable"). One call only: if the kernel
    // takes less than everything, its buffer is full and a second call would say EAGAIN.
    Written flush(int fd);

    // ---- watermarks ----------------------------------------------------------------------------
    void set_watermarks(std::size_t low, std::size_t high);
    // True once as pending output climbs to the high watermark; then false until it has
    // fallen back to the low one. Ask after every write that left bytes pending.
    bool rose_to_high_watermark();
    // True once as pending output falls to the low watermark after it reached the high one.
    bool fell_to_low_watermark();
    bool is_above_high_watermark() const { return is_above_high_watermark_; }

    // ---- the cork: gathering many sends into one write -----------------------------------------
    void cork() { ++cork_depth_; }
    // True when this was the last cork and the gathered bytes should be written now.
    bool uncork();
    bool is_gathering() const { return is_gathering_input_ || cork_depth_ > 0; }
    // Gathering stops at the high watermark too: bytes past it must be seen (and reported).
    std::size_t cork_limit() const {
        return high_watermark_ < kTcpMaxCorkedBytes ? high_watermark_ : kTcpMaxCorkedBytes;
    }
    // (Inline, like TcpConnection::send(): a server sends every reply through these two.)
    bool can_gather(std::size_t count) const {
        return is_gathering() && pending_.size() + count <= cork_limit();
    }
    void gather(std::span<const std::uint8_t> first, std::span<const std::uint8_t> second) {
        pending_.append(first);   // the last uncork() or the end of the data event writes it all
        pending_.append(second);
    }

    // cork() until the loop's next phase. False (and no cork) when that cork is already on,
    // or while the data event's cork is on (it comes off sooner anyway).
    bool cork_until_next_phase();
    // The next phase came: true when that was the last cork (write now, as for uncork()).
    bool uncork_at_next_phase();

    // The data event's cork. Replies gather in `stack_space` — an array on the caller's stack, so
    // the common case allocates nothing — unless output already waits on the heap. Returns
    // whether nothing was pending: then the replies are the caller's to write when the data event
    // returns; otherwise the next "writable" takes them with the rest.
    using StackSpace = std::array<std::uint8_t, kTcpMaxCorkedBytes>;
    bool gather_while_handling_input(StackSpace& stack_space);
    // Ends the data event's cork (also early: send() refuses after shutdown_write() anyway).
    void stop_gathering_input() { is_gathering_input_ = false; }
    // After stop_gathering_input(): whether the gathered replies should be written now.
    bool has_gathered_to_write() const { return cork_depth_ == 0 && !pending_.empty(); }
    // Before the stack space goes away: what the kernel did not take moves to the heap.
    void give_back_stack_space() { pending_.keep_unread(); }

private:
    ByteBuffer pending_;
    std::size_t low_watermark_ = kTcpDefaultLowWatermark;
    std::size_t high_watermark_ = kTcpDefaultHighWatermark;
    std::uint64_t bytes_sent_ = 0;
    std::uint16_t cork_depth_ = 0;      // cork() calls not yet matched by uncork()
    bool is_gathering_input_ = false;   // the data event is running: its replies are gathered
    bool is_uncork_posted_ = false;     // cork_until_next_phase() waits for the next phase
    bool is_above_high_watermark_ = false;
};

}   // namespace looplab::net
