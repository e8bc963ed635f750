#include "looplab/net/udp_socket.hpp"

#include "socket_ops.hpp"

#include <cerrno>

#include <sys/socket.h>
#include <sys/uio.h>

namespace looplab::net {

Result<UdpSocket> UdpSocket::bind(loop::EventLoop& loop, const Address& where) {
    UniqueFd fd{::socket(where.family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)};
    if (!fd) return Error::from_errno(fmt::format("socket {}", where));
    if (::bind(fd.get(), where.data(), where.size()) == -1)
        return Error::from_errno(fmt::format("bind {}", where));
    const Address local = detail::local_address_of(fd.get());
    return UdpSocket{loop, std::move(fd), local};
}

UdpSocket::UdpSocket(UdpSocket&& other) noexcept
    : loop_(other.loop_),
      fd_(std::move(other.fd_)),
      local_(other.local_),
      peer_(std::move(other.peer_)),
      listeners_(std::move(other.listeners_)),
      start_listener_(other.start_listener_),
      max_datagram_(other.max_datagram_),
      datagrams_in_(other.datagrams_in_),
      datagrams_out_(other.datagrams_out_),
      bytes_in_(other.bytes_in_),
      bytes_out_(other.bytes_out_),
      last_peer_(other.last_peer_) {
    LOOPLAB_ASSERT(!other.is_started_,
                   "a UdpSocket was moved while receiving; move it before start()");
}

UdpSocket::~UdpSocket() {
    stop();
    if (!listeners_) return;   // nobody listened (or moved from)
    // Destroyed inside one of its listeners: that listener is still running.
    listeners_->silence();
    lifetime_.retire(loop_, std::move(listeners_));
}

UdpSocket::Listeners& UdpSocket::listeners() {
    if (!listeners_) listeners_ = std::make_unique<Listeners>();
    return *listeners_;
}

void UdpSocket::report(const Error& error) {
    if (listeners_) listeners_->emit(events::error, error);
}

Status UdpSocket::start(OnDatagram on_datagram, SourceSite site) {
    LOOPLAB_ASSERT(!is_started_, "start() of a UdpSocket that is already receiving");
    listeners().off(start_listener_);
    if (on_datagram) start_listener_ = listeners().on(events::message, std::move(on_datagram));
    if (!receive_buffer_)
        receive_buffer_ = std::make_unique_for_overwrite<std::uint8_t[]>(max_datagram_);
    auto watched = loop_.watch(
        fd_.get(), loop::Interest::read(),
        [this](const loop::Ready& ready) { receive_batch(ready); }, "udp socket", site);
    is_started_ = watched.has_value();
    if (is_started_) loop_.describe_socket(fd_.get(), this, &UdpSocket::describe);
    return watched;
}

void UdpSocket::describe(const void* socket, trace::SocketView& view) {
    const auto& self = *static_cast<const UdpSocket*>(socket);
    view.kind = "udp";
    view.state = "open";
    view.local = self.local_.to_string();
    if (self.peer_) view.peer = self.peer_->to_string();
    else if (self.last_peer_) view.peer = self.last_peer_->to_string();
    view.bytes_in = self.bytes_in_;
    view.bytes_out = self.bytes_out_;
    view.datagrams_in = self.datagrams_in_;
    view.datagrams_out = self.datagrams_out_;
}

void UdpSocket::count_sent(const Address& to, std::size_t bytes) {
    ++datagrams_out_;
    bytes_out_ += bytes;
    last_peer_ = to;
}

void UdpSocket::stop() {
    if (!is_started_) return;
    is_started_ = false;
    loop_.forget(fd_.get());
}

void UdpSocket::set_max_datagram(std::size_t bytes) {
    LOOPLAB_ASSERT(bytes >= 1 && bytes <= kUdpMaxDatagramSize,
                   "set_max_datagram() takes 1 to kUdpMaxDatagramSize bytes");
    max_datagram_ = bytes;
    if (receive_buffer_) receive_buffer_ = std::make_unique_for_overwrite<std::uint8_t[]>(bytes);
}

// Read datagrams until none is waiting (EAGAIN) or the per-turn limit is reached.
void UdpSocket::receive_batch(const loop::Ready& ready) {
    LifetimeFlag::Scope alive{lifetime_};
    if (ready.error || ready.socket_error != 0) {
        // An error came with the readiness (a connected socket's ICMP "port unreachable").
        // kqueue may say which in the event, and the socket may then no longer hold it
        // (libkqueue takes it): recvmsg would just say EAGAIN. So take it the same way on
        // every backend, report it once, and stop for this turn, as below.
        if (const int error = detail::take_socket_error(fd_.get(), ready.socket_error);
            error != 0) {
            report(receive_error(error));
            return;   // touches nothing: report() may have destroyed us
        }
    }
    for (std::size_t received = 0; received < kUdpMaxDatagramsPerTurn && is_started_; ++received) {
        sockaddr_storage from{};
        iovec part{receive_buffer_.get(), max_datagram_};
        msghdr message{};
        message.msg_name = &from;
        message.msg_namelen = sizeof from;
        message.msg_iov = &part;
        message.msg_iovlen = 1;
        const ssize_t count = ::recvmsg(fd_.get(), &message, 0);
        if (count < 0) {
            const int error = errno;
            if (error == EAGAIN || error == EWOULDBLOCK) return;
            if (error == EINTR) continue;
            // Reading the error cleared it; report it and stop for this turn, so an error
            // that keeps coming back cannot keep us here.
            report(receive_error(error));
            return;
        }
        const Datagram datagram{
            .from = Address::from_sockaddr(reinterpret_cast<const sockaddr*>(&from),
                                           message.msg_namelen),
            .bytes = std::span{receive_buffer_.get(), static_cast<std::size_t>(count)},
            // The kernel sets MSG_TRUNC when the datagram did not fit: the rest is discarded.
            .truncated = (message.msg_flags & MSG_TRUNC) != 0,
        };
        ++datagrams_in_;
        bytes_in_ += static_cast<std::size_t>(count);
        last_peer_ = datagram.from;
        if (listeners_) listeners_->emit(events::message, datagram);
        if (alive.was_destroyed()) return;
    }
}

Error UdpSocket::receive_error(int code) const {
    if (peer_) return Error{code, fmt::format("recvmsg {}", *peer_)};
    return Error{code, fmt::format("recvmsg on {}", local_)};
}

Status UdpSocket::send_to(const Address& to, std::span<const std::uint8_t> bytes) {
    if (::sendto(fd_.get(), bytes.data(), bytes.size(), 0, to.data(), to.size()) == -1)
        return Error::from_errno(fmt::format("sendto {}", to));
    count_sent(to, bytes.size());
    return Ok{};
}

Status UdpSocket::send_to(const Address& to, std::string_view text) {
    return send_to(to, std::span{reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
}

Status UdpSocket::connect(const Address& peer) {
    if (::connect(fd_.get(), peer.data(), peer.size()) == -1)
        return Error::from_errno(fmt::format("connect {}", peer));
    peer_ = peer;
    return Ok{};
}

Status UdpSocket::send(std::span<const std::uint8_t> bytes) {
    LOOPLAB_ASSERT(peer_.has_value(), "send() on a UdpSocket that is not connected; use send_to()");
    if (::send(fd_.get(), bytes.data(), bytes.size(), 0) == -1)
        return Error::from_errno(fmt::format("send {}", *peer_));
    count_sent(*peer_, bytes.size());
    return Ok{};
}

Status UdpSocket::send(std::string_view text) {
    return send(std::span{reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
}

}   // namespace looplab::net
