#include "looplab/net/tcp_listener.hpp"

#include "socket_ops.hpp"

#include <cerrno>

#include <sys/socket.h>

namespace looplab::net {

Result<TcpListener> TcpListener::bind(loop::EventLoop& loop, const Address& where,
                                      ListenOptions options) {
    UniqueFd fd{::socket(where.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)};
    if (!fd) return Error::from_errno(fmt::format("socket {}", where));

    // Restart a lesson server without waiting for its old connections' TIME_WAIT to expire.
    if (auto set = detail::set_int_option(fd.get(), SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
        !set)
        return set.error();
    if (options.reuse_port) {
        if (auto set =
                detail::set_int_option(fd.get(), SOL_SOCKET, SO_REUSEPORT, 1, "SO_REUSEPORT");
            !set)
            return set.error();
    }
    if (::bind(fd.get(), where.data(), where.size()) == -1)
        return Error::from_errno(fmt::format("bind {}", where));
    if (::listen(fd.get(), options.backlog) == -1)
        return Error::from_errno(fmt::format("listen {}", where));
    const Address local = detail::local_address_of(fd.get());
    return TcpListener{loop, std::move(fd), local};
}

TcpListener::TcpListener(TcpListener&& other) noexcept
    : loop_(other.loop_),
      fd_(std::move(other.fd_)),
      local_(other.local_),
      listeners_(std::move(other.listeners_)) {
    LOOPLAB_ASSERT(!other.is_accepting_,
                   "a TcpListener was moved while accepting; move it before start()");
}

TcpListener::~TcpListener() {
    stop();
    if (!listeners_) return;   // nobody listened (or moved from)
    // Destroyed inside on_accept or an error listener: that listener is still running.
    listeners_->error.silence();
    lifetime_.retire(loop_, std::move(listeners_));
}

TcpListener::Listeners& TcpListener::callbacks() {
    if (!listeners_) listeners_ = std::make_unique<Listeners>();
    return *listeners_;
}

Status TcpListener::start(OnAccept on_accept, SourceSite site) {
    LOOPLAB_ASSERT(!is_accepting_, "start() of a TcpListener that is already accepting");
    callbacks().accept = std::move(on_accept);
    auto watched = loop_.watch(
        fd_.get(), loop::Interest::read(), [this](const loop::Ready&) { accept_batch(); },
        "tcp listener", site);
    is_accepting_ = watched.has_value();
    return watched;
}

void TcpListener::stop() {
    if (!is_accepting_) return;
    is_accepting_ = false;
    loop_.cancel_timer(resume_timer_);
    resume_timer_ = 0;
    loop_.forget(fd_.get());
}

void TcpListener::accept_batch() {
    LifetimeFlag::Scope alive{lifetime_};
    for (std::size_t accepted = 0; accepted < kTcpMaxAcceptsPerTurn; ++accepted) {
        // accept4 sets non-blocking and close-on-exec in the same call (no race, no extra
        // syscalls); the connection asks for both addresses itself.
        UniqueFd client{::accept4(fd_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC)};
        if (!client) {
            const int error = errno;
            if (error == EAGAIN || error == EWOULDBLOCK) return;   // the backlog is empty
            // The client gave up before we got to it (or a firewall said no): next one.
            if (error == ECONNABORTED || error == EINTR || error == EPERM) continue;
            ++accept_errors_;
            const bool out_of_resources =
                error == EMFILE || error == ENFILE || error == ENOBUFS || error == ENOMEM;
            if (out_of_resources) pause_accepting();
            listeners_->error.emit(events::error, Error{error, fmt::format("accept {}", local_)});
            return;   // a resource error (paused) or something unknown: try again next turn
        }
        listeners_->accept(std::make_unique<TcpConnection>(loop_, std::move(client)));
        if (alive.was_destroyed() || !is_accepting_) return;   // destroyed or stopped
    }
}

void TcpListener::pause_accepting() {
    if (resume_timer_ != 0) return;
    loop_.change(fd_.get(), loop::Interest::none());
    resume_timer_ = loop_.set_timeout(kTcpAcceptPauseWhenOutOfFds, [this] {
        resume_timer_ = 0;
        if (is_accepting_) loop_.change(fd_.get(), loop::Interest::read());
    });
}

}   // namespace looplab::net
