// looplab/net/tcp_connector.hpp
//
// TcpConnector — opens TCP connections without blocking the loop: connect() starts the
// handshake and returns at once; the callback gets a TcpConnection or the reason it failed.
// Teaches: one client, many servers (lesson 12): several connects in flight on one loop, each
// with its own local port; and that TCP's connect fails at once where UDP's send "succeeds".
// Run: lessons/12-client-many-servers   Read: notes/12-client-many-servers.md
//
//     TcpConnector connector{loop};
//     connector.connect(Address::loopback(9), [](Result<std::unique_ptr<TcpConnection>> made) {
//         if (!made) fmt::print("{}\n", made.error());   // connect 127.0.0.1:9: Connection refused
//     });
//
// How a non-blocking connect works: connect() says EINPROGRESS; the socket becomes writable
// when the handshake ends either way; getsockopt(SO_ERROR) then says which way. A timer gives
// up after the timeout: "connect 127.0.0.1:80: Connection timed out" (code ETIMEDOUT).
//
// Lifetime: the one rule, include/looplab/README.md. Destroying the connector is its close():
// the attempts still in flight are cancelled without calling their callbacks.
//
// Contract: loop thread only. The callback never runs inside connect(), always later from the
// loop, once per attempt.
#pragma once

#include "looplab/core/clock.hpp"
#include "looplab/core/result.hpp"
#include "looplab/core/unique_fd.hpp"
#include "looplab/loop/event_loop.hpp"
#include "looplab/net/address.hpp"
#include "looplab/net/lifetime_flag.hpp"
#include "looplab/net/tcp_connection.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>

namespace looplab::net {

// A connect that has not finished by then fails with ETIMEDOUT. (The kernel's own limit,
// about two minutes of SYN retries, is far too long to keep a student waiting.)
inline constexpr Millis kTcpDefaultConnectTimeout{10'000};

struct ConnectOptions {
    Millis timeout = kTcpDefaultConnectTimeout;
    // Bind the socket here before connecting (with SO_REUSEADDR), for a fixed local port:
    // lesson 15's simultaneous open. Unset: the OS picks an ephemeral port.
    std::optional<Address> local;
};

class TcpConnector {
public:
    using OnConnected = std::function<void(Result<std::unique_ptr<TcpConnection>>)>;

    explicit TcpConnector(loop::EventLoop& loop) : loop_(loop) {}
    ~TcpConnector();
    TcpConnector(const TcpConnector&) = delete;
    TcpConnector& operator=(const TcpConnector&) = delete;

    // Starts connecting to `remote`; `on_connected` gets a connection (not started yet: set
    // its listeners, then start() it) or an Error naming the syscall and the address.
    // `site` (your line, filled in for you) is where the live view (--watch) says the attempt
    // comes from.
    void connect(const Address& remote, OnConnected on_connected, ConnectOptions options = {},
                 SourceSite site = SourceSite::here());

    std::size_t pending() const { return attempts_.size(); }

private:
    struct Attempt {
        Address remote;
        UniqueFd fd;
        OnConnected on_connected;
        loop::TimerId timer = 0;   // the timeout
        bool is_watched = false;
    };
    using AttemptId = std::uint64_t;

    std::optional<Error> begin(Attempt& attempt, AttemptId id, const ConnectOptions& options,
                               SourceSite site);
    // The live view's picture of an attempt (EventLoop::describe_socket): "connecting".
    static void describe(const void* attempt, trace::SocketView& view);
    void on_ready(AttemptId id, const loop::Ready& ready);
    void finish(AttemptId id, Result<std::unique_ptr<TcpConnection>> result);

    loop::EventLoop& loop_;
    std::unordered_map<AttemptId, Attempt> attempts_;
    AttemptId next_id_ = 1;
    LifetimeFlag lifetime_;
};

}   // namespace looplab::net
