// lessons/15-two-clients-connect/active_open.hpp
//
// An ACTIVE open, spelled out in BSD socket calls: socket(), bind() to a fixed local port,
// connect() to a fixed remote port, non-blocking. No listen(), no accept(), anywhere.
// Teaches: "two clients can't connect to each other" is wrong. If two active openers send
// their SYNs to each other, TCP makes ONE connection of them (simultaneous open, RFC 9293
// §3.5, Figure 7). A socket can even connect to itself.
//
//   socket A (port A)                          socket B (port B)
//   CLOSED                                     CLOSED
//   SYN-SENT      --- SYN ---->  \  /  <---- SYN ---   SYN-SENT
//                                 \/
//   SYN-RECEIVED  <-- SYN ----   /  \   --- SYN --->   SYN-RECEIVED
//                 --- SYN,ACK -> \  / <-- SYN,ACK ---
//   ESTABLISHED   <-------------  \/  --------------->  ESTABLISHED
//
// On loopback a segment arrives the instant it is sent, so the two SYNs cannot cross in
// flight: A's SYN reaches port B before B has called connect(), finds no socket waiting, and
// the kernel answers with a reset (step 1 of the lesson shows it). Signing::TcpMd5 makes the
// kernel DROP that SYN instead, as a network would lose it; see start_active_open().
//
// Contract: Linux (TCP_INFO, TCP_MD5SIG). Loop thread only.
#pragma once

#include "looplab/core/result.hpp"
#include "looplab/core/unique_fd.hpp"
#include "looplab/lesson/lesson.hpp"
#include "looplab/loop/event_loop.hpp"
#include "looplab/net/address.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace simopen {

namespace lesson = looplab::lesson;
namespace net = looplab::net;

// How our SYN is treated when it reaches a port where no socket waits for it.
enum class Signing {
    None,     // the normal case: the kernel there answers with a reset (ECONNREFUSED)
    TcpMd5,   // segments carry a TCP-MD5 signature (RFC 2385, used between BGP routers). A
              // kernel never answers a signed SYN with a reset it cannot sign, so the SYN is
              // silently dropped and we stay in SYN-SENT, as if the network had lost it.
              // Both ends must sign with the same key, or they drop each other's segments.
};

// socket + SO_REUSEADDR (+ TCP_MD5SIG) + bind(local) + connect(remote), non-blocking: the
// handshake has started when this returns. Errors name the call: "bind 127.0.0.1:4000: ...".
[[nodiscard]] looplab::Result<looplab::UniqueFd> start_active_open(const net::Address& local,
                                                                   const net::Address& remote,
                                                                   Signing signing);

// The socket's TCP state in RFC 9293 words ("SYN-SENT", "ESTABLISHED"...), from TCP_INFO.
std::string tcp_state(int fd);

// Ports on 127.0.0.1 that nobody uses right now (each bound to port 0, read, closed again).
// All probes stay bound until every port is known: a port closed a moment ago may be the
// kernel's next pick, so asking one at a time could give the same number twice.
std::array<std::uint16_t, 2> two_free_ports(looplab::loop::EventLoop& loop);
std::uint16_t free_port(looplab::loop::EventLoop& loop);

// Waits on the loop for the handshake of `fd` to end, like TcpConnector does: the socket
// becomes writable, and the event (kqueue) or else SO_ERROR (epoll, poll) says how it ended.
class HandshakeWatch {
public:
    HandshakeWatch(looplab::loop::EventLoop& loop, int fd);
    ~HandshakeWatch();
    HandshakeWatch(const HandshakeWatch&) = delete;
    HandshakeWatch& operator=(const HandshakeWatch&) = delete;

    bool is_done() const { return error_.has_value(); }
    int error() const { return error_.value_or(0); }   // 0: connected; else ECONNREFUSED...

private:
    looplab::loop::EventLoop& loop_;
    int fd_;
    bool is_watched_ = false;
    std::optional<int> error_;
};

// Every wait in this lesson: turn the loop until `done`, never longer than a second.
void wait_for(looplab::loop::EventLoop& loop, const std::function<bool()>& done,
              std::string_view what);

}  // namespace simopen
