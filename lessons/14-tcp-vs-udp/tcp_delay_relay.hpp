// lessons/14-tcp-vs-udp/tcp_delay_relay.hpp
//
// TcpDelayRelay — the TCP row's path when --netem is not available: a TCP relay in this
// program that holds every chunk of bytes for the link's delay (+ jitter) before passing it
// on, so TCP pays the same one-way delay as the UDP rows.
//
//   client ──TCP──► relay ──[ delay + 0..jitter ]──TCP──► server   (and back the same way)
//
// What it cannot do is lose, duplicate, reorder or damage anything: a user-space program
// only sees TCP's bytes, after the kernel has made and checked the segments. Loss for TCP
// needs the kernel (--netem). Jitter never reorders: a chunk leaves at
// max(now + delay + jitter, when the previous chunk left), as in LossyLink.
//
// Contract: loop thread only; one client. Destroy it before its EventLoop.
#pragma once

#include "looplab/core/clock.hpp"
#include "looplab/core/result.hpp"
#include "looplab/loop/event_loop.hpp"
#include "looplab/net/address.hpp"
#include "looplab/net/tcp_connection.hpp"
#include "looplab/net/tcp_connector.hpp"
#include "looplab/lesson/say.hpp"
#include "looplab/net/tcp_listener.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <random>
#include <string>
#include <utility>

namespace lab {

class TcpDelayRelay {
public:
    // Listens on 127.0.0.1 (port 0); the client connects to address(), the relay to `server`.
    [[nodiscard]] static looplab::Result<std::unique_ptr<TcpDelayRelay>> open(
        looplab::loop::EventLoop& loop, const looplab::net::Address& server, looplab::Millis delay,
        looplab::Millis jitter, std::uint64_t seed);

    const looplab::net::Address& address() const { return listener_.local_address(); }

    struct Held {
        looplab::Clock::time_point release;
        std::string bytes;
    };
    // One direction: the connection bytes leave on, and the chunks waiting, oldest first.
    // Release times never decrease along the queue, so one timer (for the front) is enough.
    struct Direction {
        std::unique_ptr<looplab::net::TcpConnection>* to;
        std::deque<Held> held;
        looplab::loop::TimerId timer = 0;   // 0: no timer set
        std::string early;                  // bytes due before the upstream connect finished
    };

    ~TcpDelayRelay();
    TcpDelayRelay(const TcpDelayRelay&) = delete;
    TcpDelayRelay& operator=(const TcpDelayRelay&) = delete;

private:
    TcpDelayRelay(looplab::loop::EventLoop& loop, looplab::net::TcpListener listener,
                  looplab::net::Address server, looplab::Millis delay, looplab::Millis jitter,
                  std::uint64_t seed);
    void on_client(std::unique_ptr<looplab::net::TcpConnection> client);
    void hold(Direction& direction, std::string bytes);   // passes them on after the delay
    void release_due(Direction& direction);   // sends what is due, sets the timer for the rest

    looplab::loop::EventLoop& loop_;
    looplab::net::TcpListener listener_;
    looplab::net::TcpConnector connector_;
    looplab::net::Address server_;
    looplab::Millis delay_;
    looplab::Millis jitter_;
    std::mt19937_64 random_;
    std::unique_ptr<looplab::net::TcpConnection> client_;
    std::unique_ptr<looplab::net::TcpConnection> upstream_;
    Direction forward_{.to = &upstream_, .held = {}, .timer = 0, .early = {}};   // client -> server
    Direction backward_{.to = &client_, .held = {}, .timer = 0, .early = {}};    // server -> client
};

// ---- how it works ------------------------------------------------------------------------

inline looplab::Result<std::unique_ptr<TcpDelayRelay>> TcpDelayRelay::open(
    looplab::loop::EventLoop& loop, const looplab::net::Address& server, looplab::Millis delay,
    looplab::Millis jitter, std::uint64_t seed) {
    auto listener = looplab::net::TcpListener::bind(loop, looplab::net::Address::loopback(0));
    if (!listener) return listener.error();
    std::unique_ptr<TcpDelayRelay> relay{
        new TcpDelayRelay{loop, std::move(*listener), server, delay, jitter, seed}};
    if (auto started =
            relay->listener_.start([raw = relay.get()](auto client) { raw->on_client(std::move(client)); });
        !started)
        return started.error();
    return relay;
}

inline TcpDelayRelay::TcpDelayRelay(looplab::loop::EventLoop& loop,
                                    looplab::net::TcpListener listener,
                                    looplab::net::Address server, looplab::Millis delay,
                                    looplab::Millis jitter, std::uint64_t seed)
    : loop_(loop),
      listener_(std::move(listener)),
      connector_(loop),
      server_(std::move(server)),
      delay_(delay),
      jitter_(jitter),
      random_(seed) {}

inline void TcpDelayRelay::on_client(std::unique_ptr<looplab::net::TcpConnection> client) {
    if (client_) return;   // one client: a second one is closed by its destructor
    client_ = std::move(client);
    if (auto set = client_->set_no_delay(true); !set) looplab::lesson::fail(set.error());
    client_->on(looplab::events::data, [this](looplab::net::ByteBuffer& input) {
        hold(forward_, std::string{input.readable_text()});
        input.consume(input.size());
    });
    if (auto started = client_->start(); !started) looplab::lesson::fail(started.error());

    connector_.connect(server_,
                       [this](looplab::Result<std::unique_ptr<looplab::net::TcpConnection>> made) {
                           if (!made) looplab::lesson::fail(made.error());
                           upstream_ = std::move(*made);
                           if (auto set = upstream_->set_no_delay(true); !set)
                               looplab::lesson::fail(set.error());
                           upstream_->on(looplab::events::data, [this](looplab::net::ByteBuffer& input) {
                               hold(backward_, std::string{input.readable_text()});
                               input.consume(input.size());
                           });
                           if (auto started = upstream_->start(); !started)
                               looplab::lesson::fail(started.error());
                           if (!forward_.early.empty())
                               upstream_->send(std::exchange(forward_.early, {}));
                       });
}

inline TcpDelayRelay::~TcpDelayRelay() {
    loop_.cancel_timer(forward_.timer);
    loop_.cancel_timer(backward_.timer);
}

inline void TcpDelayRelay::hold(Direction& direction, std::string bytes) {
    const auto jitter_us = std::chrono::duration_cast<std::chrono::microseconds>(jitter_).count();
    const std::chrono::microseconds extra{
        jitter_us <= 0 ? 0 : std::uniform_int_distribution<std::int64_t>{0, jitter_us}(random_)};
    auto release = loop_.now() + delay_ + extra;
    // Jitter must not reorder bytes: never leave before the chunk ahead.
    if (!direction.held.empty()) release = std::max(release, direction.held.back().release);
    direction.held.push_back(Held{.release = release, .bytes = std::move(bytes)});
    if (direction.timer == 0) release_due(direction);
}

inline void TcpDelayRelay::release_due(Direction& direction) {
    direction.timer = 0;
    const auto now = loop_.now();
    while (!direction.held.empty() && direction.held.front().release <= now) {
        std::string& bytes = direction.held.front().bytes;
        if (*direction.to)
            (*direction.to)->send(bytes);
        else
            direction.early += bytes;   // only the forward direction can be early
        direction.held.pop_front();
    }
    if (direction.held.empty()) return;
    const auto wait = std::chrono::ceil<looplab::Millis>(direction.held.front().release - now);
    direction.timer = loop_.set_timeout(wait, [this, &direction] { release_due(direction); });
}

}   // namespace lab
