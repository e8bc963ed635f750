// tests/support/refusing_tcp_port.hpp — a port on 127.0.0.1 that refuses every connection for
// as long as the object lives, and that nothing else can take meanwhile.
//
// A TCP socket bound to port 0 (the kernel picks) that never listens: the kernel answers a SYN
// to a port with no listening socket with a RST (ECONNREFUSED), and since we hold the port, no
// other socket can bind it. Use it where "nobody listens there" is the point. A port bound,
// released and then reused (the old unused_tcp_port() / RedisServer::free_port()) is a race:
// another test's listener or an outgoing connection may take the number before we connect.
#pragma once

#include "looplab/core/unique_fd.hpp"
#include "looplab/net/address.hpp"

#include <cstdint>
#include <stdexcept>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace looplab::testing {

class RefusingTcpPort {
public:
    RefusingTcpPort() : fd_{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)} {
        sockaddr_in where{};
        where.sin_family = AF_INET;
        where.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        where.sin_port = 0;
        socklen_t size = sizeof where;
        const bool ok =
            fd_.get() >= 0 &&
            ::bind(fd_.get(), reinterpret_cast<const sockaddr*>(&where), sizeof where) == 0 &&
            ::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&where), &size) == 0;
        if (!ok) throw std::runtime_error("RefusingTcpPort: cannot bind a TCP port on 127.0.0.1");
        port_ = ntohs(where.sin_port);
    }

    std::uint16_t port() const { return port_; }
    net::Address address() const { return net::Address::loopback(port_); }

private:
    UniqueFd fd_;
    std::uint16_t port_ = 0;
};

}   // namespace looplab::testing
