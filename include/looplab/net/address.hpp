// looplab/net/address.hpp
//
// Address — where a socket lives: an IPv4 or IPv6 address plus a port, printed the way you
// would type it: "127.0.0.1:80", "[::1]:80" (brackets keep the port apart from the colons).
// Teaches: packets and connections (lessons 09–15): a TCP connection is known by two of these
// (its 4-tuple), a UDP datagram carries the one it came from.
// Run: lessons/11-server-many-connections   Read: notes/11-server-many-connections.md
//
// Contract: a plain value (copy it freely). Only NUMERIC addresses are parsed: turning a name
// such as "localhost" into an address (DNS) can block for seconds, and nothing on the loop
// thread may block. Resolve names before starting the loop, or on another thread.
// Scoped IPv6 addresses ("fe80::1%eth0") are not supported.
#pragma once

#include "looplab/core/result.hpp"

#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include <netinet/in.h>
#include <sys/socket.h>

namespace looplab::net {

class Address {
public:
    // An unspecified address (family AF_UNSPEC), printed "unspecified". Sockets never have it.
    Address() = default;

    // "127.0.0.1:8080" or "[::1]:8080". Anything else is an Error saying what is wrong.
    [[nodiscard]] static Result<Address> parse(std::string_view host_and_port);
    // A numeric IP without a port ("10.0.0.1", "::1") and the port to go with it.
    [[nodiscard]] static Result<Address> from_ip(std::string_view ip, std::uint16_t port);
    // What accept(), recvfrom() or getsockname() filled in. Families other than IPv4/IPv6
    // give an unspecified Address.
    static Address from_sockaddr(const sockaddr* address, socklen_t size);

    static Address loopback(std::uint16_t port);    // 127.0.0.1: this machine only
    static Address loopback6(std::uint16_t port);   // ::1
    static Address any(std::uint16_t port);         // 0.0.0.0: every IPv4 interface
    static Address any6(std::uint16_t port);        // :: (every interface)

    int family() const { return storage_.any.sa_family; }   // AF_INET, AF_INET6 or AF_UNSPEC
    bool is_ipv6() const { return family() == AF_INET6; }
    std::uint16_t port() const;
    Address with_port(std::uint16_t port) const;
    std::string ip() const;          // "127.0.0.1", "::1" (no brackets, no port)
    std::string to_string() const;   // "127.0.0.1:80", "[::1]:80"

    // For bind(), connect(), sendto(): `::connect(fd, where.data(), where.size())`.
    const sockaddr* data() const { return &storage_.any; }
    socklen_t size() const { return size_; }

    // Same family, IP and port (IPv6 flow labels are ignored).
    bool operator==(const Address& other) const;

private:
    // Only the two families we support, not a 128-byte sockaddr_storage: every TCP connection
    // keeps two addresses, so 28 bytes instead of 128 matter with 10,000 connections.
    union Storage {
        sockaddr any;
        sockaddr_in v4;
        sockaddr_in6 v6;
    };
    Storage storage_{};   // zeroed: family AF_UNSPEC
    socklen_t size_ = 0;
};

}   // namespace looplab::net

template <>
struct fmt::formatter<looplab::net::Address> : fmt::formatter<std::string_view> {
    template <typename FormatContext>
    auto format(const looplab::net::Address& address, FormatContext& ctx) const {
        return fmt::formatter<std::string_view>::format(address.to_string(), ctx);
    }
};

// So an Address can key an unordered_map (a UDP server remembering its peers).
template <>
struct std::hash<looplab::net::Address> {
    std::size_t operator()(const looplab::net::Address& address) const noexcept;
};
