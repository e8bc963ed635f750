// lessons/15-two-clients-connect/active_open.cpp — see active_open.hpp.
#include "active_open.hpp"

#include "looplab/net/tcp_listener.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace simopen {
namespace {

// Any key will do, as long as both ends use the same one.
constexpr std::string_view kSharedKey = "looplab lesson 15";

looplab::Status sign_segments_to(int fd, const net::Address& peer) {
    tcp_md5sig signature{};
    std::memcpy(&signature.tcpm_addr, peer.data(), peer.size());
    signature.tcpm_keylen = static_cast<std::uint16_t>(kSharedKey.size());
    std::memcpy(signature.tcpm_key, kSharedKey.data(), kSharedKey.size());
    if (::setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &signature, sizeof signature) == -1)
        return looplab::Error::from_errno("setsockopt TCP_MD5SIG");
    return looplab::Ok{};
}

}  // namespace

looplab::Result<looplab::UniqueFd> start_active_open(const net::Address& local,
                                                     const net::Address& remote, Signing signing) {
    looplab::UniqueFd fd{::socket(local.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)};
    if (!fd) return looplab::Error::from_errno("socket");
    const int on = 1;   // the port was in use a moment ago (free_port() probed it)
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (signing == Signing::TcpMd5) {
        if (auto signed_ok = sign_segments_to(fd.get(), remote); !signed_ok) return signed_ok.error();
    }
    // 1. A FIXED local port: the other side must know where to send its SYN.
    if (::bind(fd.get(), local.data(), local.size()) == -1)
        return looplab::Error::from_errno(fmt::format("bind {}", local));
    // 2. connect() sends the SYN and returns at once (EINPROGRESS): the socket is SYN-SENT.
    if (::connect(fd.get(), remote.data(), remote.size()) == -1 && errno != EINPROGRESS)
        return looplab::Error::from_errno(fmt::format("connect {}", remote));
    return fd;
}

std::string tcp_state(int fd) {
    tcp_info info{};
    socklen_t size = sizeof info;
    if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &size) == -1) return "unknown";
    switch (info.tcpi_state) {
        case TCP_ESTABLISHED: return "ESTABLISHED";
        case TCP_SYN_SENT: return "SYN-SENT";
        case TCP_SYN_RECV: return "SYN-RECEIVED";
        case TCP_CLOSE: return "CLOSED";
        case TCP_LISTEN: return "LISTEN";
        default: return fmt::format("state {}", info.tcpi_state);
    }
}

std::uint16_t free_port(looplab::loop::EventLoop& loop) {
    auto probe = net::TcpListener::bind(loop, net::Address::loopback(0));
    if (!probe) lesson::fail(probe.error());
    return probe->local_address().port();   // closed when `probe` goes
}

std::array<std::uint16_t, 2> two_free_ports(looplab::loop::EventLoop& loop) {
    auto first = net::TcpListener::bind(loop, net::Address::loopback(0));
    if (!first) lesson::fail(first.error());
    // `first` is still bound, so the kernel cannot pick its port again.
    return {first->local_address().port(), free_port(loop)};
}

HandshakeWatch::HandshakeWatch(looplab::loop::EventLoop& loop, int fd) : loop_(loop), fd_(fd) {
    using looplab::loop::Ready;
    auto watched = loop_.watch(fd_, looplab::loop::Interest::write(), [this](const Ready& ready) {
        // kqueue names the error with the event; epoll and poll make us ask the socket.
        int error = ready.socket_error;
        socklen_t size = sizeof error;
        if (error == 0 && ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &size) == -1)
            error = errno;
        error_ = error;
        loop_.forget(fd_);   // writable stays true: stop watching, or the loop spins
        is_watched_ = false;
    }, "handshake");
    if (!watched) lesson::fail(watched.error());
    is_watched_ = true;
}

HandshakeWatch::~HandshakeWatch() {
    if (is_watched_) loop_.forget(fd_);
}

void wait_for(looplab::loop::EventLoop& loop, const std::function<bool()>& done,
              std::string_view what) {
    if (!loop.run_until(done, std::chrono::milliseconds{1000}))
        lesson::fail(fmt::format("gave up waiting for {} after 1 s", what));
}

}  // namespace simopen
