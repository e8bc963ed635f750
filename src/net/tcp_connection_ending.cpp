// TcpConnection, the three ways to end (see tcp_connection.hpp): shutdown_write() sends FIN
// after what is pending; close() also waits (at most kCloseTimeout) for the peer's FIN before
// closing the fd, so unread input never turns into a reset that destroys our last reply;
// abort() resets at once. finish() is where every ending meets, and the close events are
// emitted later, in the loop's close phase.
#include "looplab/net/tcp_connection.hpp"

#include "socket_ops.hpp"

#include <sys/socket.h>

namespace looplab::net {

// ---- ending ----------------------------------------------------------------------------------

void TcpConnection::shutdown_write() {
    if (!fd_ || is_write_shutdown_requested_) return;
    is_write_shutdown_requested_ = true;
    is_corked_ = false;   // send() refuses from now on, the inline cork path included
    if (output_.empty()) shut_write_now();   // else flush() does it when the last byte is out
}

void TcpConnection::shut_write_now() {
    is_write_shut_ = true;
    if (::shutdown(fd_.get(), SHUT_WR) == -1 && errno != ENOTCONN) {
        finish(Error::from_errno(fmt::format("shutdown {}", peer_)));
        return;
    }
    if (peer_ended_) finish(std::nullopt);   // both directions are over
}

void TcpConnection::close() {
    if (!fd_ || is_closing_) return;
    is_closing_ = true;
    // Before start() this only records the wish: start() then watches for what it needs.
    close_timer_ = loop_.set_timeout(kCloseTimeout, [this] { on_close_timeout(); });
    shutdown_write();
    if (fd_) update_interest();   // keep reading (and discarding) until the peer's FIN
}

void TcpConnection::on_close_timeout() {
    close_timer_ = 0;
    if (output_.empty()) {
        finish(std::nullopt);   // all sent; the peer just never closed its side
    } else {
        finish(Error{ETIMEDOUT,
                     fmt::format("close {}: {} bytes still unsent", peer_, output_.size())});
    }
}

void TcpConnection::abort() {
    if (!fd_) return;
    // Linger on, for 0 seconds: close() throws pending data away and sends a reset (RST).
    const linger reset_now{1, 0};
    ::setsockopt(fd_.get(), SOL_SOCKET, SO_LINGER, &reset_now, sizeof reset_now);
    output_.clear();
    finish(std::nullopt);
}

// Closes the socket now; on_error (if `error`) and on_close follow in the loop's close phase.
void TcpConnection::finish(std::optional<Error> error) {
    if (!fd_) return;
    is_corked_ = false;   // send() refuses from now on, the inline cork path included
    loop_.cancel_timer(close_timer_);
    close_timer_ = 0;
    if (is_watched_) loop_.forget(fd_.get());
    is_watched_ = false;
    fd_.reset();
    input_.release_if_empty(0);
    output_.clear();
    output_.release_if_empty(0);
    if (error) error_ = std::make_unique<Error>(std::move(*error));
    // The token says whether we still exist when phase 4 comes: the owner may destroy us
    // before then (it then hears nothing more, which is what destroying means).
    loop_.post_close([this, alive = lifetime_.alive_token()] {
        if (*alive) emit_close_events();
    });
}

void TcpConnection::emit_close_events() {
    LifetimeFlag::Scope alive{lifetime_};
    if (error_ && handler_) {
        handler_->on_error(*this, *error_);
        if (alive.was_destroyed()) return;
    }
    if (handler_) handler_->on_close(*this);   // last: it may destroy this connection
}

}   // namespace looplab::net
