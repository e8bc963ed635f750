// looplab/net/tcp_listener.hpp
//
// TcpListener — a listening TCP socket on the loop: each client that connects becomes a
// TcpConnection handed to on_accept.
// Teaches: many connections on one port (lesson 11): the listening socket only accepts; every
// accept() makes a NEW socket that shares the server's port and is told apart by the 4-tuple.
// Run: lessons/11-server-many-connections   Read: notes/11-server-many-connections.md
//
//     auto listener = TcpListener::bind(loop, Address::loopback(0));   // port 0: the OS picks one
//     if (!listener) return fail(listener.error());                    // "bind 127.0.0.1:80: ..."
//     auto started = listener->start([&](std::unique_ptr<TcpConnection> connection) {
//         ...set its listeners, keep it somewhere, then connection->start()
//     });
//
// Running out of file descriptors (EMFILE/ENFILE): accept() fails but the client stays in
// the backlog, so the listening socket is STILL readable — a level-triggered loop would call
// us again at once, forever, at 100 % CPU. Instead we stop watching the socket for
// kTcpAcceptPauseWhenOutOfFds, report the error to the error listeners, and try again; the waiting
// clients are accepted as soon as descriptors are free. (The other classic cure, keeping a spare fd
// to close, accept and reject with, would drop the clients; pausing keeps them.)
//
// Lifetime: the one rule, include/looplab/README.md. stop() is this listener's close(): it
// may be called twice, and from inside on_accept or an error listener. Connections already accepted
// are their owners' and live on. Move a TcpListener only before start(): the loop holds a
// pointer to it from then on.
//
// Contract: loop thread only.
#pragma once

#include "looplab/core/clock.hpp"
#include "looplab/core/result.hpp"
#include "looplab/events/event_words.hpp"
#include "looplab/events/typed_listeners.hpp"
#include "looplab/core/unique_fd.hpp"
#include "looplab/loop/event_loop.hpp"
#include "looplab/net/address.hpp"
#include "looplab/net/lifetime_flag.hpp"
#include "looplab/net/tcp_connection.hpp"

#include <cstddef>
#include <functional>
#include <memory>

#include <sys/socket.h>

namespace looplab::net {

// Most connections accepted per readiness. The rest wait in the backlog until the next turn,
// so a crowd of new clients cannot starve the connections already being served.
inline constexpr std::size_t kTcpMaxAcceptsPerTurn = 64;
// How long accepting pauses when we are out of file descriptors (or kernel memory).
inline constexpr Millis kTcpAcceptPauseWhenOutOfFds{100};

struct ListenOptions {
    int backlog = SOMAXCONN;   // clients the kernel queues for us before refusing more
    bool reuse_port = false;   // SO_REUSEPORT: several listeners share one port (lesson 11)
};

class TcpListener : public events::Listenable<TcpListener> {
public:
    using OnAccept = std::function<void(std::unique_ptr<TcpConnection>)>;

    // socket + SO_REUSEADDR (+ SO_REUSEPORT) + bind + listen; non-blocking and close-on-exec.
    // The kernel queues clients from here on; start() begins taking them on `loop`.
    [[nodiscard]] static Result<TcpListener> bind(loop::EventLoop& loop, const Address& where,
                                                  ListenOptions options = {});

    TcpListener(TcpListener&& other) noexcept;
    TcpListener& operator=(TcpListener&&) = delete;
    TcpListener(const TcpListener&) = delete;
    TcpListener& operator=(const TcpListener&) = delete;
    ~TcpListener();

    // Starts accepting: each new connection goes to `on_accept`, not started yet. After
    // stop(), start() again resumes.
    // `site` (your line, filled in for you) is where the live view (--watch) says the
    // accepts come from.
    [[nodiscard]] Status start(OnAccept on_accept, SourceSite site = SourceSite::here());
    // Stops accepting; the socket stays bound, so new clients wait in the backlog.
    void stop();
    // accept() errors that do not end the listener, such as "accept 127.0.0.1:80: Too many
    // open files". Without a listener they are only counted in accept_errors().
    // (Listen with on(events::error, listener), once(), off(): events::Listenable.)

    // The real address, with the port the OS chose when bound to port 0.
    const Address& local_address() const { return local_; }
    std::size_t accept_errors() const { return accept_errors_; }
    int fd() const { return fd_.get(); }

private:
    using ErrorListeners = events::TypedListeners<events::Event<events::ErrorWord, const Error&>>;
    // On the heap, so that a listener destroying its TcpListener keeps running
    // (LifetimeFlag::retire).
    struct Listeners {
        OnAccept accept;
        ErrorListeners error;
    };
    TcpListener(loop::EventLoop& loop, UniqueFd fd, Address local)
        : loop_(loop), fd_(std::move(fd)), local_(local) {}
    friend class events::Listenable<TcpListener>;
    Listeners& callbacks();
    ErrorListeners& listeners() { return callbacks().error; }
    ErrorListeners* existing_listeners() { return listeners_ ? &listeners_->error : nullptr; }
    void accept_batch();
    void pause_accepting();

    loop::EventLoop& loop_;
    UniqueFd fd_;
    Address local_;
    std::unique_ptr<Listeners> listeners_;   // made by start() or on()
    bool is_accepting_ = false;              // between start() and stop()
    loop::TimerId resume_timer_ = 0;
    std::size_t accept_errors_ = 0;
    LifetimeFlag lifetime_;
};

}   // namespace looplab::net
