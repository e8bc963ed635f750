// TcpConnection, the three ways to end and the life cycle they move (see the state diagram in
// tcp_connection.hpp): shutdown_write() sends FIN after what is pending; close() also waits (at
// most kTcpCloseTimeout) for the peer's FIN before closing the fd, so unread input never turns into
// a reset that destroys our last reply; abort() resets at once. finish() is where every ending
// meets, and the close events are emitted later, in the loop's close phase.
#include "looplab/net/tcp_connection.hpp"

#include "socket_ops.hpp"

#include <sys/socket.h>

namespace looplab::net {
namespace {

using State = TcpConnection::State;

// The arrows of the state diagram in tcp_connection.hpp, and no others.
bool is_arrow(State from, State to) {
    switch (to) {
        case State::Open: return false;   // where every connection starts, never returns to
        case State::ShuttingWrite: return from == State::Open;
        case State::WriteShut: return from == State::ShuttingWrite;
        case State::Closing: return from == State::Open || from == State::ShuttingWrite;
        case State::WaitingForPeerFin: return from == State::WriteShut || from == State::Closing;
        case State::Closed: return from != State::Closed;
    }
    return false;
}

}   // namespace

void TcpConnection::enter(State next) {
    LOOPLAB_ASSERT(is_arrow(state_, next), "a TcpConnection state change the diagram lacks");
    state_ = next;
}

// ---- the three ways to end -------------------------------------------------------------------

// Open ──► ShuttingWrite (──► WriteShut at once, when nothing is pending).
void TcpConnection::shutdown_write() {
    if (!is_sending()) return;
    output_.stop_gathering_input();   // send() refuses from now on, the inline cork path included
    enter(State::ShuttingWrite);
    send_fin_once_output_is_out();
}

// Open or ShuttingWrite ──► Closing; WriteShut ──► WaitingForPeerFin.
void TcpConnection::close() {
    if (is_closed() || is_closing_now()) return;
    was_close_called_ = true;
    // Before start() this only records the wish: start() then watches for what it needs.
    close_timer_ = loop_.set_timeout(kTcpCloseTimeout, [this] { on_close_timeout(); });
    if (is_sending()) output_.stop_gathering_input();   // as shutdown_write() does
    enter(has_sent_fin() ? State::WaitingForPeerFin : State::Closing);
    send_fin_once_output_is_out();
    if (!is_closed()) update_interest();   // keep reading (and discarding) until the peer's FIN
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
    if (is_closed()) return;
    // Linger on, for 0 seconds: close() throws pending data away and sends a reset (RST).
    const linger reset_now{1, 0};
    ::setsockopt(fd_.get(), SOL_SOCKET, SO_LINGER, &reset_now, sizeof reset_now);
    output_.drop();
    finish(std::nullopt);
}

// ---- the FIN ---------------------------------------------------------------------------------

// The "last pending byte out" arrow: taken as soon as a FIN waits and nothing is pending.
void TcpConnection::send_fin_once_output_is_out() {
    if (is_fin_pending() && output_.empty()) send_fin();
}

// ShuttingWrite ──► WriteShut; Closing ──► WaitingForPeerFin. ──► Closed if the peer's FIN
// came first: both directions are over.
void TcpConnection::send_fin() {
    enter(state_ == State::Closing ? State::WaitingForPeerFin : State::WriteShut);
    if (::shutdown(fd_.get(), SHUT_WR) == -1 && errno != ENOTCONN) {
        finish(Error::from_errno(fmt::format("shutdown {}", peer_)));
        return;
    }
    if (peer_ended_) finish(std::nullopt);
}

// ---- Closed ----------------------------------------------------------------------------------

// Any state ──► Closed. Closes the socket now; error (if `error`) and close follow in
// the loop's close phase.
void TcpConnection::finish(std::optional<Error> error) {
    if (is_closed()) return;
    output_.stop_gathering_input();   // send() refuses from now on, the inline cork path included
    enter(State::Closed);
    loop_.cancel_timer(close_timer_);
    close_timer_ = 0;
    if (is_watched_) loop_.forget(fd_.get());
    is_watched_ = false;
    fd_.reset();
    input_.release_if_empty(0);
    output_.drop();
    if (error) error_ = std::make_unique<Error>(std::move(*error));
    // The token says whether we still exist when phase 4 comes: the owner may destroy us
    // before then (it then hears nothing more, which is what destroying means).
    loop_.post_close([this, alive = lifetime_.alive_token()] {
        if (*alive) emit_close_events();
    });
}

void TcpConnection::emit_close_events() {
    LifetimeFlag::Scope alive{lifetime_};
    if (error_ && observer_) {
        observer_->on_error(*this, *error_);
        if (alive.was_destroyed()) return;
    }
    if (observer_) observer_->on_close(*this);   // last: it may destroy this connection
}

}   // namespace looplab::net
