#include "looplab/net/tcp_connection.hpp"

#include "socket_ops.hpp"

#include <algorithm>
#include <cerrno>
#include <memory>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>

namespace looplab::net {
namespace {

// The stack array each read goes into (see kMinReadSpace).
constexpr std::size_t kReadSpill = 64 * 1024;

bool would_block(int error) {
    return error == EAGAIN || error == EWOULDBLOCK || error == EINTR;
}

}   // namespace

TcpConnection::TcpConnection(loop::EventLoop& loop, UniqueFd connected_socket)
    : loop_(loop),
      fd_(std::move(connected_socket)),
      local_(detail::local_address_of(fd_.get())),
      peer_(detail::peer_address_of(fd_.get())) {
    LOOPLAB_ASSERT(fd_, "TcpConnection needs a connected socket");
}

TcpConnection::~TcpConnection() {
    loop_.cancel_timer(close_timer_);
    if (is_watched_) loop_.forget(fd_.get());
    // Destroyed from inside one of our own listeners: that listener is still running, so its
    // std::function (and the lambda's captures) must outlive us. (A handler given to
    // set_handler() is its owner's business.)
    retire_functions();
    // fd_ closes the socket; lifetime_ tells the running handler that we are gone.
}

// ---- starting ------------------------------------------------------------------------------

Status TcpConnection::start(SourceSite site) {
    LOOPLAB_ASSERT(!is_started_, "start() called twice on one TcpConnection");
    is_started_ = true;
    start_site_ = site;
    if (!fd_) return Ok{};   // it failed before start (a send() error); on_close is on its way
    return watch();
}

Status TcpConnection::watch() {
    auto watched = loop_.watch(
        fd_.get(), interest(), [this](const loop::Ready& ready) { handle_ready(ready); },
        "tcp connection", start_site_);
    if (!watched) return watched;
    is_watched_ = true;
    loop_.describe_socket(fd_.get(), this, &TcpConnection::describe);
    return watched;
}

void TcpConnection::describe(const void* connection, trace::SocketView& view) {
    const auto& self = *static_cast<const TcpConnection*>(connection);
    view.kind = "tcp";
    view.state = self.is_closing_ || self.is_write_shutdown_requested_ ? "closing" : "open";
    view.local = self.local_.to_string();
    view.peer = self.peer_.to_string();
    view.bytes_in = self.bytes_in_;
    view.bytes_out = self.bytes_out_;
}

void TcpConnection::update_interest() {
    // change() asks the kernel only when the interest really changes, so calling this after
    // every state change costs no system call in the common case.
    if (is_watched_) loop_.change(fd_.get(), interest());
}

// ---- the event handler -----------------------------------------------------------------------

void TcpConnection::handle_ready(const loop::Ready& ready) {
    LifetimeFlag::Scope alive{lifetime_};
    // kqueue names the error with the event (a reset: ECONNRESET); the socket may already
    // have lost it. Kept for whoever ends the connection below: read() at the end of the
    // data, a failing send, or notice_hangup().
    if (ready.socket_error != 0) error_from_event_ = ready.socket_error;
    bool did_read = false;
    if (ready.readable && wants_read()) {
        did_read = true;
        read_once(alive);
        if (alive.was_destroyed()) return;
    }
    if (fd_ && ready.writable && !output_.empty()) {
        flush(alive);
        if (alive.was_destroyed()) return;
    }
    // A hang-up or error while we are not reading (paused, or after EOF): read() is not there
    // to report it, and the poller is level-triggered, so it must be dealt with now or the
    // loop would be woken for it again and again.
    if (fd_ && !did_read && (ready.hangup || ready.error)) notice_hangup(ready);
}

// One read per readiness: the poller is level-triggered, so whatever is left is reported
// again next turn, after every other ready connection had its turn.
// (No trace scope here: this runs for every message, and the loop's own frame for this fd,
// labelled "tcp connection", already shows it in a trace.)
void TcpConnection::read_once(LifetimeFlag::Scope& alive) {
    std::uint8_t spill[kReadSpill];   // not initialised: only the bytes read are used
    const bool is_fresh = input_.capacity() == 0;
    std::span<std::uint8_t> space;
    ssize_t count;
    if (is_fresh) {
        // The common case: nothing left over from before. Read into the stack array, which
        // the input buffer borrows while on_data runs: no allocation per read, 64 KiB at most.
        count = ::read(fd_.get(), spill, sizeof spill);
    } else {
        // Unread bytes wait from before: read after them, and up to 64 KiB more into the
        // stack array, copied in afterwards.
        space = input_.prepare(kMinReadSpace);
        iovec parts[2] = {{space.data(), space.size()}, {spill, sizeof spill}};
        count = ::readv(fd_.get(), parts, 2);
    }
    if (count > 0) {
        const auto total = static_cast<std::size_t>(count);
        bytes_in_ += total;
        if (is_fresh) {
            input_.lend(spill, total);
        } else {
            const std::size_t direct = std::min(total, space.size());
            input_.commit(direct);
            if (total > direct) input_.append(std::span{spill, total - direct});
        }
        deliver(alive);
        if (alive.was_destroyed()) return;
        input_.keep_unread();   // the stack array goes away: what on_data left moves to the heap
    } else if (count == 0) {
        // Zero bytes: the peer's FIN, unless an event named an error. A reset whose error was
        // taken from the socket (libkqueue) reads as 0 too, but it is no clean end.
        if (error_from_event_ != 0) finish(Error{error_from_event_, fmt::format("read {}", peer_)});
        else on_peer_end(alive);
    } else if (!would_block(errno)) {
        finish(Error::from_errno(fmt::format("read {}", peer_)));
    }
}

void TcpConnection::deliver(LifetimeFlag::Scope& alive) {
    if (is_closing_ || handler_ == nullptr) {
        input_.clear();   // after close() input is read only to find the peer's FIN
    } else {
        // The cork: replies sent from inside on_data are gathered (in a stack array when
        // nothing else waits) and leave in one send() below. With output already pending,
        // the next "writable" takes them instead.
        std::uint8_t cork_space[kMaxCorkedBytes];
        const bool had_pending_output = !output_.empty();
        if (output_.capacity() == 0) output_.lend(cork_space);
        is_corked_ = true;
        handler_->on_data(*this, input_);
        if (alive.was_destroyed()) return;
        is_corked_ = false;
        if (fd_ && !had_pending_output && cork_depth_ == 0 && !output_.empty()) {
            flush(alive);
            if (alive.was_destroyed()) return;
        }
        output_.keep_unread();   // what the kernel did not take moves to the heap
        if (fd_ && input_.size() > kMaxUnreadInput) {
            finish(Error{ENOBUFS, fmt::format("read {}: more than {} bytes unread", peer_,
                                              kMaxUnreadInput)});
            return;
        }
    }
    input_.release_if_empty(kIdleBufferCapacity);
}

void TcpConnection::on_peer_end(LifetimeFlag::Scope& alive) {
    peer_ended_ = true;
    // Stop asking about reads: at EOF a level-triggered poller reports "readable" forever.
    update_interest();
    if (!is_closing_) {
        if (handler_) {
            handler_->on_end(*this);
            if (alive.was_destroyed()) return;
        }
        if (!allow_half_open_) close();
    }
    if (fd_ && is_write_shut_) finish(std::nullopt);   // both directions are over
}

// Called when the socket is writable and output is pending. One send: if the kernel takes
// less than everything, its buffer is full and a second call would only say EAGAIN.
void TcpConnection::flush(LifetimeFlag::Scope& alive) {
    const std::span<const std::uint8_t> pending = output_.readable();
    const ssize_t sent = ::send(fd_.get(), pending.data(), pending.size(), MSG_NOSIGNAL);
    if (sent < 0) {
        if (!would_block(errno)) fail_send("send");
        return;
    }
    output_.consume(static_cast<std::size_t>(sent));
    bytes_out_ += static_cast<std::size_t>(sent);
    if (output_.empty()) {
        output_.release_if_empty(kIdleBufferCapacity);
        if (is_write_shutdown_requested_ && !is_write_shut_) shut_write_now();
    }
    update_interest();
    if (is_above_high_watermark_ && output_.size() <= low_watermark_) {
        is_above_high_watermark_ = false;
        if (handler_ && fd_ && !is_closing_) {
            handler_->on_drain(*this);
            if (alive.was_destroyed()) return;
        }
    }
}

void TcpConnection::notice_hangup(const loop::Ready& ready) {
    if (const int error = detail::take_socket_error(fd_.get(), error_from_event_); error != 0) {
        // Name the direction that broke: after EOF we were only sending.
        finish(Error{error, fmt::format("{} {}", peer_ended_ ? "send" : "read", peer_)});
        return;
    }
    if (!ready.hangup) return;
    if (is_paused_ && !peer_ended_) {
        // The peer is gone but the user asked not to read yet: stop watching until
        // resume_reading(), which watches again and reads what is left, then the EOF.
        loop_.forget(fd_.get());
        is_watched_ = false;
        return;
    }
    finish(std::nullopt);   // both directions are shut: nothing more can happen
}

// ---- writing ---------------------------------------------------------------------------------

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
    if (!fd_ || is_closing_ || is_write_shutdown_requested_) return false;
    const std::size_t total = first.size() + second.size();
    if (total == 0) return true;
    // Oldest first: what is pending, then the new pieces, all in one system call. The new
    // bytes go straight from the caller to the kernel: no copy.
    const std::span<const std::uint8_t> pending = output_.readable();
    iovec parts[3];
    int count = 0;
    for (const std::span<const std::uint8_t> piece : {pending, first, second})
        if (!piece.empty()) parts[count++] = {const_cast<std::uint8_t*>(piece.data()), piece.size()};
    ssize_t sent;
    if (count == 1) {
        sent = ::send(fd_.get(), parts[0].iov_base, parts[0].iov_len, MSG_NOSIGNAL);
    } else {
        msghdr message{};
        message.msg_iov = parts;
        message.msg_iovlen = static_cast<decltype(message.msg_iovlen)>(count);
        sent = ::sendmsg(fd_.get(), &message, MSG_NOSIGNAL);
    }
    if (sent < 0 && !would_block(errno)) {
        fail_send(count == 1 ? "send" : "sendmsg");
        return false;
    }
    auto taken = sent > 0 ? static_cast<std::size_t>(sent) : std::size_t{0};
    bytes_out_ += taken;
    const std::size_t from_pending = std::min(taken, pending.size());
    output_.consume(from_pending);
    taken -= from_pending;
    // The only copy: what the kernel did not take waits in output_, in order.
    for (const std::span<const std::uint8_t> piece : {first, second}) {
        const std::size_t from_piece = std::min(taken, piece.size());
        taken -= from_piece;
        if (from_piece < piece.size()) output_.append(piece.subspan(from_piece));
    }
    if (from_pending == 0 && output_.empty()) return true;   // the common case: all went out
    output_.release_if_empty(kIdleBufferCapacity);
    update_interest();   // "writable" is wanted exactly while output is pending
    if (!is_above_high_watermark_ && output_.size() >= high_watermark_) {
        is_above_high_watermark_ = true;
        // Last statement: the listener may even destroy this connection.
        if (handler_) handler_->on_high_watermark(*this, output_.size());
    }
    return true;
}

void TcpConnection::uncork() {
    LOOPLAB_ASSERT(cork_depth_ > 0, "uncork() without a cork()");
    if (--cork_depth_ > 0 || is_corked_ || !fd_ || output_.empty()) return;
    LifetimeFlag::Scope alive{lifetime_};
    flush(alive);   // may report on_drain (or a failure, later): nothing touches *this after
}

void TcpConnection::cork_until_next_phase() {
    // Inside our own on_data the cork is on already, and lifted when on_data returns.
    if (is_uncork_posted_ || is_corked_ || !fd_) return;
    is_uncork_posted_ = true;
    cork();
    loop_.post_next([this, alive = lifetime_.alive_token()] {
        if (!*alive) return;
        is_uncork_posted_ = false;
        uncork();
    });
}

void TcpConnection::fail_send(std::string_view syscall) {
    // EPIPE or ECONNRESET: the peer is gone. What is pending can never be delivered. If an
    // event named the error already (kqueue: ECONNRESET), that says more than send's EPIPE.
    const int error = error_from_event_ != 0 ? error_from_event_ : errno;
    finish(Error{error, fmt::format("{} {}", syscall, peer_)});
}

void TcpConnection::set_watermarks(std::size_t low, std::size_t high) {
    LOOPLAB_ASSERT(low <= high, "set_watermarks(low, high) needs low <= high");
    low_watermark_ = low;
    high_watermark_ = high;
}

// ---- reading ---------------------------------------------------------------------------------

void TcpConnection::pause_reading() {
    is_paused_ = true;
    update_interest();
}

void TcpConnection::resume_reading() {
    if (!is_paused_) return;
    is_paused_ = false;
    if (is_started_ && fd_ && !is_watched_) {
        // notice_hangup() stopped watching while we were paused; watch again to read the rest.
        if (auto watched = watch(); !watched) finish(watched.error());
        return;
    }
    update_interest();
}

// ---- options ---------------------------------------------------------------------------------

Status TcpConnection::set_no_delay(bool no_delay) {
    if (!fd_) return Error::because("set_no_delay on a closed connection");
    return detail::set_int_option(fd_.get(), IPPROTO_TCP, TCP_NODELAY, no_delay ? 1 : 0,
                                  "TCP_NODELAY");
}

}   // namespace looplab::net
