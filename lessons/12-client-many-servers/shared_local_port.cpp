// lessons/12-client-many-servers/shared_local_port.cpp
//
// One local port, two connections: what the kernel may do on its own when ports run short,
// done here by hand so it happens every run. A connection is known by its 4-tuple
// (local address, local port, remote address, remote port); a local port can serve any
// number of connections as long as their remote halves differ.
//
// The sockets are plain blocking POSIX sockets: the servers are listeners nobody accepts
// from, and on loopback the kernel completes the handshake into their backlog at once.
#include "fan_out.hpp"

#include "looplab/core/unique_fd.hpp"

#include <cerrno>
#include <cstring>
#include <string>

#include <netinet/in.h>
#include <sys/socket.h>

namespace fan_out {
namespace {

// A TCP socket bound to `local` with SO_REUSEADDR (so several may share the port; none of
// them listens). Port 0: the kernel picks one.
looplab::UniqueFd bound_socket(const net::Address& local) {
    looplab::UniqueFd fd{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
    if (!fd) lesson::fail(looplab::Error::from_errno("socket"));
    const int on = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (::bind(fd.get(), local.data(), local.size()) == -1)
        lesson::fail(looplab::Error::from_errno("bind"));
    return fd;
}

net::Address local_address_of(int fd) {
    sockaddr_storage storage{};
    socklen_t size = sizeof storage;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &size);
    return net::Address::from_sockaddr(reinterpret_cast<const sockaddr*>(&storage), size);
}

// "connected", or why not ("Cannot assign requested address (EADDRNOTAVAIL)").
std::string try_connect(int fd, const net::Address& server) {
    if (::connect(fd, server.data(), server.size()) == 0) return "connected";
    const int error = errno;
    return fmt::format("{}{}", std::strerror(error), error == EADDRNOTAVAIL ? " (EADDRNOTAVAIL)" : "");
}

net::TcpListener listening_server(EventLoop& loop) {
    return lesson::or_fail(net::TcpListener::bind(loop, net::Address::loopback(0)));
}

}  // namespace

void show_one_port_two_connections(EventLoop& loop, const lesson::Options& options) {
    const net::TcpListener e = listening_server(loop);
    const net::TcpListener f = listening_server(loop);

    // 1. Socket 1 gets a port from the kernel and connects to server E.
    const looplab::UniqueFd first = bound_socket(net::Address::loopback(0));
    const net::Address shared = local_address_of(first.get());
    const std::string port = options.label_as(shared.port(), "port P");
    lesson::say("socket 1: bind 127.0.0.1:{}, connect to server E: {}", port,
                try_connect(first.get(), e.local_address()));

    // 2. Socket 2 binds the SAME port and connects to server F: a different 4-tuple.
    const looplab::UniqueFd second = bound_socket(shared);
    lesson::say("socket 2: bind 127.0.0.1:{}, connect to server F: {}", port,
                try_connect(second.get(), f.local_address()));

    // 3. Socket 3 binds it too and asks for server E again: that 4-tuple is taken.
    const looplab::UniqueFd third = bound_socket(shared);
    lesson::say("socket 3: bind 127.0.0.1:{}, connect to server E: {}", port,
                try_connect(third.get(), e.local_address()));
}

}  // namespace fan_out
