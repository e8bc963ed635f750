// looplab/lesson/internet_checksum.hpp
//
// The Internet checksum (RFC 1071) and the UDP checksum built on it (RFC 768). The class
// notes say UDP cannot detect corrupted data; it can. The sender adds up the datagram as
// 16-bit words, in one's-complement arithmetic, over a PSEUDO-HEADER (the two IP addresses,
// the protocol number and the UDP length, which are not part of the UDP header), the UDP
// header (checksum field set to 0) and the data:
//
//   IPv4 pseudo-header, 12 bytes         UDP header, 8 bytes            data
//   +------------------------------+     +-------------+-------------+  +---------------+
//   | source IPv4 address          |     | source port | dest port   |  | "hi from A"   |
//   | destination IPv4 address     |     | UDP length  | checksum    |  | (+ one zero   |
//   | 0 | 17 (UDP) | UDP length    |     +-------------+-------------+  |  byte if odd) |
//   +------------------------------+                                    +---------------+
//   (IPv6: 16-byte addresses, a 32-bit length, 3 zero bytes and 17: 40 bytes, RFC 8200 §8.1)
//
// sender:   checksum = ~sum. A result of 0 is sent as 0xFFFF, because 0 on IPv4 means "not
//           computed" (allowed on IPv4, forbidden on IPv6).
// receiver: adds every word again, checksum included. 0xFFFF means intact; anything else and
//           the kernel drops the datagram without a word to anyone (RFC 1122 §4.1.3.4).
//
// Why the pseudo-header: a datagram delivered to the wrong address or port fails the sum too.
// What the sum cannot see: words that swap places (addition does not care about order), and
// some multi-bit errors. It detects; it does not guarantee.
//
// Taught by lesson 10; lessons 09 and 14 put internet_checksum() on their own packets
// (lab_packet.hpp), which is why it lives in the lesson kit. The unit tests in
// tests/unit/lessons/ check it against the RFC 1071 example. Pure functions, no sockets.
#pragma once

#include "looplab/net/address.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include <netinet/in.h>

namespace looplab::lesson {

using Bytes = std::vector<std::uint8_t>;

inline constexpr std::uint8_t kUdpProtocol = 17;   // the IP protocol number of UDP
inline constexpr std::size_t kUdpHeaderSize = 8;

// Adds `bytes` to `sum` as big-endian 16-bit words; an odd last byte counts as its word's high
// half (as if a zero byte followed). The carries pile up above bit 15; fold() adds them back.
constexpr std::uint32_t add_words(std::span<const std::uint8_t> bytes, std::uint32_t sum = 0) {
    std::size_t i = 0;
    for (; i + 1 < bytes.size(); i += 2)
        sum += static_cast<std::uint32_t>(bytes[i] << 8 | bytes[i + 1]);
    if (i < bytes.size()) sum += static_cast<std::uint32_t>(bytes[i] << 8);
    return sum;
}

// One's-complement addition: a carry out of bit 15 wraps around into bit 0.
constexpr std::uint16_t fold(std::uint32_t sum) {
    while (sum > 0xFFFF) sum = (sum & 0xFFFF) + (sum >> 16);
    return static_cast<std::uint16_t>(sum);
}

// The Internet checksum of `bytes`: the complement of their one's-complement sum.
constexpr std::uint16_t internet_checksum(std::span<const std::uint8_t> bytes) {
    return static_cast<std::uint16_t>(~fold(add_words(bytes)));
}

// The pseudo-header for a datagram of `udp_length` bytes (header + data) from `from` to `to`
// (both IPv4 or both IPv6; only their IPs are used, the ports are in the UDP header).
inline Bytes pseudo_header(const looplab::net::Address& from, const looplab::net::Address& to,
                           std::size_t udp_length) {
    Bytes header;
    auto append_ip = [&header](const looplab::net::Address& address) {
        const auto* raw = reinterpret_cast<const std::uint8_t*>(address.data());
        if (address.is_ipv6()) {
            const auto* ip = raw + offsetof(sockaddr_in6, sin6_addr);
            header.insert(header.end(), ip, ip + 16);
        } else {
            const auto* ip = raw + offsetof(sockaddr_in, sin_addr);
            header.insert(header.end(), ip, ip + 4);
        }
    };
    append_ip(from);
    append_ip(to);
    const auto length = static_cast<std::uint32_t>(udp_length);
    if (from.is_ipv6()) {   // 32-bit length, 3 zero bytes, next header 17
        header.insert(header.end(), {static_cast<std::uint8_t>(length >> 24),
                                     static_cast<std::uint8_t>(length >> 16),
                                     static_cast<std::uint8_t>(length >> 8),
                                     static_cast<std::uint8_t>(length), 0, 0, 0, kUdpProtocol});
    } else {   // zero byte, protocol 17, 16-bit length
        header.insert(header.end(), {0, kUdpProtocol, static_cast<std::uint8_t>(length >> 8),
                                     static_cast<std::uint8_t>(length)});
    }
    return header;
}

// The one's-complement sum of pseudo-header + `segment` (UDP header and data, as they are).
inline std::uint16_t udp_sum(const looplab::net::Address& from, const looplab::net::Address& to,
                             std::span<const std::uint8_t> segment) {
    const Bytes pseudo = pseudo_header(from, to, segment.size());
    return fold(add_words(segment, add_words(pseudo)));   // the pseudo-header's length is even
}

// The UDP datagram `from` sends `to`: the 8-byte header, checksum filled in, then `data`.
inline Bytes udp_segment(const looplab::net::Address& from, const looplab::net::Address& to,
                         std::span<const std::uint8_t> data) {
    const std::size_t length = kUdpHeaderSize + data.size();
    Bytes segment(length);   // sized once: g++ 12 -O2 misreads an insert after a short init
    segment[0] = static_cast<std::uint8_t>(from.port() >> 8);
    segment[1] = static_cast<std::uint8_t>(from.port());
    segment[2] = static_cast<std::uint8_t>(to.port() >> 8);
    segment[3] = static_cast<std::uint8_t>(to.port());
    segment[4] = static_cast<std::uint8_t>(length >> 8);
    segment[5] = static_cast<std::uint8_t>(length);
    // bytes 6 and 7, the checksum, stay 0 while we add up
    for (std::size_t i = 0; i < data.size(); ++i) segment[kUdpHeaderSize + i] = data[i];
    std::uint16_t checksum = static_cast<std::uint16_t>(~udp_sum(from, to, segment));
    if (checksum == 0) checksum = 0xFFFF;   // 0 would mean "no checksum"
    segment[6] = static_cast<std::uint8_t>(checksum >> 8);
    segment[7] = static_cast<std::uint8_t>(checksum);
    return segment;
}

// The checksum field of a segment built by udp_segment().
inline std::uint16_t checksum_field(std::span<const std::uint8_t> segment) {
    return static_cast<std::uint16_t>(segment[6] << 8 | segment[7]);
}

// What the receiver computes: 0xFFFF when the segment arrived as it was sent.
inline bool is_intact(const looplab::net::Address& from, const looplab::net::Address& to,
                      std::span<const std::uint8_t> segment) {
    return udp_sum(from, to, segment) == 0xFFFF;
}

}   // namespace looplab::lesson
