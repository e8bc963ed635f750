#include "looplab/net/tcp_connection.hpp"

#include "socket_ops.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <memory>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/uio.h>
#include <unistd.h>

namespace looplab::net {
namespace {

// The stack array each read goes into (see kTcpMinReadSpace).
constexpr std::size_t kReadSpill = 64 * 1024;

// One read() of `fd`, into `stack_space`, which `input` then borrows: nothing is allocated for
// a read (the common case, when no unread bytes wait). When unread bytes wait, a readv() fills
// the free space after them, then `stack_space`, whose part is copied in at once.
ssize_t read_lending_stack_space(int fd, ByteBuffer& input, std::span<std::uint8_t> stack_space) {
    if (input.capacity() == 0) {
        const ssize_t count = ::read(fd, stack_space.data(), stack_space.size());
        if (count > 0) input.lend(stack_space, static_cast<std::size_t>(count));
        return count;
    }
    const std::span<std::uint8_t> space = input.prepare(kTcpMinReadSpace);
    iovec parts[2] = {{space.data(), space.size()}, {stack_space.data(), stack_space.size()}};
    const ssize_t count = ::readv(fd, parts, 2);
    if (count > 0) {
        const auto total = static_cast<std::size_t>(count);
        const std::size_t direct = std::min(total, space.size());
        input.commit(direct);
        if (total > direct) input.append(stack_space.first(total - direct));
    }
    return count;
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
    // std::function (and the lambda's captures) must outlive us. (An observer given to
    // set_observer() is its owner's business.)
    retire_listeners();
    // fd_ closes the socket; lifetime_ tells the running handler that we are gone.
}

// ---- starting ------------------------------------------------------------------------------

Status TcpConnection::start(SourceSite site) {
    LOOPLAB_ASSERT(!is_started_, "start() called twice on one TcpConnection");
    is_started_ = true;
    start_site_ = site;
    if (is_closed())
        return Ok{};   // it failed before start (a send() error); the close event is on its way
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
    view.state = self.is_sending() ? "open" : "closing";
    view.local = self.local_.to_string();
    view.peer = self.peer_.to_string();
    view.bytes_in = self.bytes_in_;
    view.bytes_out = self.output_.bytes_sent();
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
    if (!is_closed() && ready.writable && !output_.empty()) {
        flush(alive);
        if (alive.was_destroyed()) return;
    }
    // A hang-up or error while we are not reading (paused, or after EOF): read() is not there
    // to report it, and the poller is level-triggered, so it must be dealt with now or the
    // loop would be woken for it again and again.
    if (!is_closed() && !did_read && (ready.hangup || ready.error)) notice_hangup(ready);
}

// One read per readiness: the poller is level-triggered, so whatever is left is reported
// again next turn, after every other ready connection had its turn.
// (No trace scope here: this runs for every message, and the loop's own frame for this fd,
// labelled "tcp connection", already shows it in a trace.)
void TcpConnection::read_once(LifetimeFlag::Scope& alive) {
    std::array<std::uint8_t, kReadSpill> stack_space;   // not initialised: only bytes read are used
    const ssize_t count = read_lending_stack_space(fd_.get(), input_, stack_space);
    if (count > 0) {
        bytes_in_ += static_cast<std::size_t>(count);
        deliver(alive);
        if (alive.was_destroyed()) return;
        input_.keep_unread();   // the stack array goes away: what the data event left moves to the
                                // heap
    } else if (count == 0) {
        // Zero bytes: the peer's FIN, unless an event named an error. A reset whose error was
        // taken from the socket (libkqueue) reads as 0 too, but it is no clean end.
        if (error_from_event_ != 0) finish(Error{error_from_event_, fmt::format("read {}", peer_)});
        else on_peer_end(alive);
    } else if (!detail::would_block(errno)) {
        finish(Error::from_errno(fmt::format("read {}", peer_)));
    }
}

void TcpConnection::deliver(LifetimeFlag::Scope& alive) {
    if (is_closing_now() || observer_ == nullptr) {
        input_.clear();   // after close() input is read only to find the peer's FIN
    } else {
        // The cork: replies sent from inside the data event leave together in one send() below.
        TcpOutput::StackSpace gather_space;   // not initialised: only bytes gathered are used
        const bool replies_are_ours = output_.gather_while_handling_input(gather_space);
        observer_->on_data(*this, input_);
        if (alive.was_destroyed()) return;
        output_.stop_gathering_input();
        if (replies_are_ours && !is_closed() && output_.has_gathered_to_write()) {
            flush(alive);
            if (alive.was_destroyed()) return;
        }
        output_.give_back_stack_space();
        if (!is_closed() && input_.size() > kTcpMaxUnreadInput) {
            finish(Error{ENOBUFS, fmt::format("read {}: more than {} bytes unread", peer_,
                                              kTcpMaxUnreadInput)});
            return;
        }
    }
    input_.release_if_empty(kTcpIdleBufferCapacity);
}

void TcpConnection::on_peer_end(LifetimeFlag::Scope& alive) {
    peer_ended_ = true;
    // Stop asking about reads: at EOF a level-triggered poller reports "readable" forever.
    update_interest();
    if (!is_closing_now()) {
        if (observer_) {
            observer_->on_end(*this);
            if (alive.was_destroyed()) return;
        }
        if (!allow_half_open_) close();
    }
    if (has_sent_fin()) finish(std::nullopt);   // both directions are over
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

// ---- reading ---------------------------------------------------------------------------------

void TcpConnection::pause_reading() {
    is_paused_ = true;
    update_interest();
}

void TcpConnection::resume_reading() {
    if (!is_paused_) return;
    is_paused_ = false;
    if (is_started_ && !is_closed() && !is_watched_) {
        // notice_hangup() stopped watching while we were paused; watch again to read the rest.
        if (auto watched = watch(); !watched) finish(watched.error());
        return;
    }
    update_interest();
}

// ---- options ---------------------------------------------------------------------------------

Status TcpConnection::set_no_delay(bool no_delay) {
    if (is_closed()) return Error::because("set_no_delay on a closed connection");
    return detail::set_int_option(fd_.get(), IPPROTO_TCP, TCP_NODELAY, no_delay ? 1 : 0,
                                  "TCP_NODELAY");
}

}   // namespace looplab::net
