// looplab/lesson/link_relay.hpp
//
// LinkRelay — a bad network you can run on one laptop: a UDP socket in the middle that passes
// datagrams between two endpoints through two LossyLinks, one per direction.
//
//   endpoint A ──► relay ──[ forward LossyLink ]──► endpoint B
//   endpoint A ◄── relay ◄─[ backward LossyLink ]── endpoint B
//
// The endpoints send to the relay's address instead of to each other; that is the only
// change they see. The relay wakes up (a loop timer) whenever a link has a datagram due.
// Used by lesson 14 (the TCP vs UDP lab) and lesson 09 (resending only the lost pieces), hence
// the lesson kit; it carries lossy_link.hpp with it.
//
// What it cannot do: carry TCP. TCP segments are made and checked inside the kernel, so a
// user-space program cannot drop or damage them; that needs the kernel's own tool, `tc netem`
// (lesson 14's --netem).
//
// Contract: loop thread only; create it with open() (it must not move once receiving).
// Destroy it before its EventLoop.
#pragma once

#include "looplab/lesson/lossy_link.hpp"

#include "looplab/core/result.hpp"
#include "looplab/loop/event_loop.hpp"
#include "looplab/net/address.hpp"
#include "looplab/net/udp_socket.hpp"

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>

namespace looplab::lesson {

// Most datagrams passed on per direction in one go; the rest follow on the next turn, so a
// burst that came due at once (after the loop was busy) cannot overflow the receiver's
// socket buffer, which would add losses that no seed decided.
inline constexpr std::size_t kMaxPassedPerTurn = 32;

class LinkRelay {
public:
    // Binds a UDP socket on 127.0.0.1 (port chosen by the OS) and starts relaying between `a`
    // and `b`. Datagrams from anyone else are ignored.
    [[nodiscard]] static looplab::Result<std::unique_ptr<LinkRelay>> open(
        looplab::loop::EventLoop& loop, const looplab::net::Address& a,
        const looplab::net::Address& b, LossyLink forward, LossyLink backward) {
        auto socket = looplab::net::UdpSocket::bind(loop, looplab::net::Address::loopback(0));
        if (!socket) return socket.error();
        std::unique_ptr<LinkRelay> relay{
            new LinkRelay(loop, std::move(*socket), a, b, std::move(forward), std::move(backward))};
        if (auto started = relay->start(); !started) return started.error();
        return relay;
    }

    ~LinkRelay() { loop_.cancel_timer(timer_); }
    LinkRelay(const LinkRelay&) = delete;
    LinkRelay& operator=(const LinkRelay&) = delete;

    // Where the endpoints send their datagrams.
    const looplab::net::Address& address() const { return socket_.local_address(); }

    // The sender has stopped: whatever a link still holds back goes on now.
    void flush() {
        forward_.flush(loop_.now());
        backward_.flush(loop_.now());
        pass_due();
    }

    bool is_idle() const { return forward_.is_idle() && backward_.is_idle(); }
    const LossyLink& forward() const { return forward_; }     // a -> b
    const LossyLink& backward() const { return backward_; }   // b -> a
    // Datagrams the relay's own socket could not send (a full buffer): lost here too.
    std::size_t send_failures() const { return send_failures_; }

private:
    LinkRelay(looplab::loop::EventLoop& loop, looplab::net::UdpSocket socket,
              const looplab::net::Address& a, const looplab::net::Address& b, LossyLink forward,
              LossyLink backward)
        : loop_(loop),
          socket_(std::move(socket)),
          a_(a),
          b_(b),
          forward_(std::move(forward)),
          backward_(std::move(backward)) {}

    looplab::Status start() {
        return socket_.start([this](const looplab::net::Datagram& datagram) {
            Bytes bytes(datagram.bytes.begin(), datagram.bytes.end());
            if (datagram.from == a_) forward_.send(std::move(bytes), loop_.now());
            else if (datagram.from == b_) backward_.send(std::move(bytes), loop_.now());
            pass_due();
        });
    }

    // Sends what is due in both directions, then sleeps until the next datagram is.
    void pass_due() {
        const auto now = loop_.now();
        for (Bytes& bytes : forward_.take_due(now, kMaxPassedPerTurn)) send(b_, bytes);
        for (Bytes& bytes : backward_.take_due(now, kMaxPassedPerTurn)) send(a_, bytes);
        loop_.cancel_timer(timer_);
        timer_ = 0;
        std::optional<TimePoint> next = forward_.next_due();
        if (auto other = backward_.next_due(); other && (!next || *other < *next)) next = other;
        if (!next) return;
        // Round up to whole milliseconds (the loop's timer unit): never wake up too early.
        const auto wait = std::chrono::ceil<looplab::Millis>(std::max(*next - now, Duration{0}));
        timer_ = loop_.set_timeout(wait, [this] {
            timer_ = 0;
            pass_due();
        });
    }

    void send(const looplab::net::Address& to, const Bytes& bytes) {
        if (!socket_.send_to(to, bytes)) ++send_failures_;
    }

    looplab::loop::EventLoop& loop_;
    looplab::net::UdpSocket socket_;
    looplab::net::Address a_;
    looplab::net::Address b_;
    LossyLink forward_;
    LossyLink backward_;
    looplab::loop::TimerId timer_ = 0;
    std::size_t send_failures_ = 0;
};

}   // namespace looplab::lesson
