// TcpConnection, the write path (see tcp_connection.hpp): send() goes to TcpOutput, which writes
// at once or keeps what the kernel refused; this file turns what TcpOutput answers into events
// (the high_watermark and drain events, a failure) and into the loop's interest in "writable".
#include "looplab/net/tcp_connection.hpp"

namespace looplab::net {

bool TcpConnection::send(std::string_view text) {
    return send(std::span{reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}, {});
}

bool TcpConnection::send(std::span<const std::uint8_t> bytes) { return send(bytes, {}); }

bool TcpConnection::send(std::string_view first, std::string_view second) {
    return send(std::span{reinterpret_cast<const std::uint8_t*>(first.data()), first.size()},
                std::span{reinterpret_cast<const std::uint8_t*>(second.data()), second.size()});
}

// Everything but the cork's case (inline in the header).
bool TcpConnection::send_now(std::span<const std::uint8_t> first,
                             std::span<const std::uint8_t> second) {
    if (!is_sending()) return false;
    if (first.size() + second.size() == 0) return true;
    const bool had_pending = !output_.empty();
    if (const TcpOutput::Written written = output_.write(fd_.get(), first, second); written.error) {
        fail_send(written);
        return false;
    }
    if (!had_pending && output_.empty()) return true;   // the common case: all went out
    update_interest();   // "writable" is wanted exactly while output is pending
    if (output_.rose_to_high_watermark() && observer_) {
        // Inside the user's send() no scope is open yet. The listener may destroy this
        // connection, and then it must not free the listener that is running (see retire()).
        LifetimeFlag::Scope alive{lifetime_};
        observer_->on_high_watermark(*this, output_.size());
    }
    return true;   // touches nothing: *this may be gone
}

// Called when the socket is writable and output is pending, and when a cork comes off.
void TcpConnection::flush(LifetimeFlag::Scope& alive) {
    const TcpOutput::Written written = output_.flush(fd_.get());
    if (written.error) return fail_send(written);
    // The kernel took nothing. Replies gathered in the data event (or released by uncork()) may be
    // the first output pending, so "writable" may not be watched yet: ask for it now.
    if (written.was_blocked) return update_interest();
    send_fin_once_output_is_out();
    update_interest();
    if (output_.fell_to_low_watermark() && observer_ && !is_closed() && !is_closing_now()) {
        observer_->on_drain(*this);
        if (alive.was_destroyed()) return;
    }
}

void TcpConnection::fail_send(const TcpOutput::Written& written) {
    // EPIPE or ECONNRESET: the peer is gone. What is pending can never be delivered. If an
    // event named the error already (kqueue: ECONNRESET), that says more than send's EPIPE.
    const int error = error_from_event_ != 0 ? error_from_event_ : written.error;
    finish(Error{error, fmt::format("{} {}", written.syscall, peer_)});
}

// ---- the cork --------------------------------------------------------------------------------

void TcpConnection::uncork() {
    if (!output_.uncork() || is_closed()) return;
    LifetimeFlag::Scope alive{lifetime_};
    flush(alive);   // may emit drain (or a failure, later): nothing touches *this after
}

void TcpConnection::cork_until_next_phase() {
    // Inside our own data event the cork is on already, and lifted when the data event returns.
    if (is_closed() || !output_.cork_until_next_phase()) return;
    loop_.post_next([this, alive = lifetime_.alive_token()] {
        if (!*alive) return;
        if (!output_.uncork_at_next_phase() || is_closed()) return;
        LifetimeFlag::Scope still_alive{lifetime_};
        flush(still_alive);
    });
}

}   // namespace looplab::net
