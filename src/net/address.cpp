#include "looplab/net/address.hpp"

#include <charconv>
#include <cstring>

#include <arpa/inet.h>
#include <netinet/in.h>

namespace looplab::net {
namespace {

Error bad_address(std::string_view text, std::string_view why) {
    return Error::because(fmt::format("address \"{}\": {}", text, why));
}

// The port after the last colon: 1 to 5 digits, 0..65535, nothing else.
Result<std::uint16_t> parse_port(std::string_view full_text, std::string_view digits) {
    if (digits.empty()) return bad_address(full_text, "missing port after ':'");
    unsigned value = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (error != std::errc{} || end != digits.data() + digits.size() || value > 65535)
        return bad_address(full_text, "port must be a number from 0 to 65535");
    return static_cast<std::uint16_t>(value);
}

}   // namespace

Result<Address> Address::from_ip(std::string_view ip, std::uint16_t port) {
    // inet_pton needs a NUL-terminated string; the longest IPv6 text is 45 characters.
    char text[INET6_ADDRSTRLEN + 1] = {};
    if (ip.empty() || ip.size() >= sizeof text)
        return bad_address(ip, "not a numeric IPv4 or IPv6 address");
    std::memcpy(text, ip.data(), ip.size());

    Address address;
    if (sockaddr_in v4{}; ::inet_pton(AF_INET, text, &v4.sin_addr) == 1) {
        v4.sin_family = AF_INET;
        v4.sin_port = htons(port);
        address.storage_.v4 = v4;
        address.size_ = sizeof v4;
        return address;
    }
    if (sockaddr_in6 v6{}; ::inet_pton(AF_INET6, text, &v6.sin6_addr) == 1) {
        v6.sin6_family = AF_INET6;
        v6.sin6_port = htons(port);
        address.storage_.v6 = v6;
        address.size_ = sizeof v6;
        return address;
    }
    return bad_address(ip,
                       "not a numeric IPv4 or IPv6 address (names such as \"localhost\" "
                       "are not resolved here: that would block the loop)");
}

Result<Address> Address::parse(std::string_view text) {
    if (text.starts_with('[')) {   // "[v6]:port"
        const auto close = text.find(']');
        if (close == std::string_view::npos) return bad_address(text, "missing ']'");
        if (close + 1 >= text.size() || text[close + 1] != ':')
            return bad_address(text, "missing ':port' after ']'");
        auto port = parse_port(text, text.substr(close + 2));
        if (!port) return port.error();
        auto address = from_ip(text.substr(1, close - 1), *port);
        if (!address) return address.error();
        if (!address->is_ipv6()) return bad_address(text, "brackets are for IPv6 addresses only");
        return address;
    }
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return bad_address(text, "missing ':port'");
    const std::string_view host = text.substr(0, colon);
    if (host.find(':') != std::string_view::npos)
        return bad_address(text, "an IPv6 address needs brackets, as in [::1]:80");
    auto port = parse_port(text, text.substr(colon + 1));
    if (!port) return port.error();
    return from_ip(host, *port);
}

Address Address::from_sockaddr(const sockaddr* source, socklen_t size) {
    Address address;
    if (source == nullptr) return address;
    // Copied by the family's own size: the kernel may report a longer buffer than it filled.
    if (source->sa_family == AF_INET && size >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
        std::memcpy(&address.storage_.v4, source, sizeof(sockaddr_in));
        address.size_ = sizeof(sockaddr_in);
    } else if (source->sa_family == AF_INET6 &&
               size >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
        std::memcpy(&address.storage_.v6, source, sizeof(sockaddr_in6));
        address.size_ = sizeof(sockaddr_in6);
    }
    return address;
}

Address Address::loopback(std::uint16_t port) { return from_ip("127.0.0.1", port).value(); }
Address Address::loopback6(std::uint16_t port) { return from_ip("::1", port).value(); }
Address Address::any(std::uint16_t port) { return from_ip("0.0.0.0", port).value(); }
Address Address::any6(std::uint16_t port) { return from_ip("::", port).value(); }

std::uint16_t Address::port() const {
    if (family() == AF_INET) return ntohs(storage_.v4.sin_port);
    if (family() == AF_INET6) return ntohs(storage_.v6.sin6_port);
    return 0;
}

Address Address::with_port(std::uint16_t port) const {
    Address copy = *this;
    if (family() == AF_INET) copy.storage_.v4.sin_port = htons(port);
    if (family() == AF_INET6) copy.storage_.v6.sin6_port = htons(port);
    return copy;
}

std::string Address::ip() const {
    char text[INET6_ADDRSTRLEN] = {};
    if (family() == AF_INET) ::inet_ntop(AF_INET, &storage_.v4.sin_addr, text, sizeof text);
    else if (family() == AF_INET6) ::inet_ntop(AF_INET6, &storage_.v6.sin6_addr, text, sizeof text);
    else return "unspecified";
    return text;
}

std::string Address::to_string() const {
    if (family() == AF_INET6) return fmt::format("[{}]:{}", ip(), port());
    if (family() == AF_INET) return fmt::format("{}:{}", ip(), port());
    return "unspecified";
}

bool Address::operator==(const Address& other) const {
    if (family() != other.family()) return false;
    if (family() == AF_INET) {
        const sockaddr_in& a = storage_.v4;
        const sockaddr_in& b = other.storage_.v4;
        return a.sin_port == b.sin_port && a.sin_addr.s_addr == b.sin_addr.s_addr;
    }
    if (family() == AF_INET6) {
        const sockaddr_in6& a = storage_.v6;
        const sockaddr_in6& b = other.storage_.v6;
        return a.sin6_port == b.sin6_port && a.sin6_scope_id == b.sin6_scope_id &&
               std::memcmp(&a.sin6_addr, &b.sin6_addr, sizeof a.sin6_addr) == 0;
    }
    return true;   // two unspecified addresses
}

}   // namespace looplab::net

std::size_t std::hash<looplab::net::Address>::operator()(
    const looplab::net::Address& address) const noexcept {
    // FNV-1a over the address bytes and the port: equal addresses hash equally.
    std::uint64_t hash = 14695981039346656037ull;
    auto mix = [&hash](const void* bytes, std::size_t count) {
        for (std::size_t i = 0; i < count; ++i) {
            hash ^= static_cast<const unsigned char*>(bytes)[i];
            hash *= 1099511628211ull;
        }
    };
    const sockaddr* raw = address.data();
    if (address.family() == AF_INET)
        mix(&reinterpret_cast<const sockaddr_in*>(raw)->sin_addr, sizeof(in_addr));
    else if (address.family() == AF_INET6)
        mix(&reinterpret_cast<const sockaddr_in6*>(raw)->sin6_addr, sizeof(in6_addr));
    const std::uint16_t port = address.port();
    mix(&port, sizeof port);
    return static_cast<std::size_t>(hash);
}
