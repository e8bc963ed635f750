// tests/unit/lessons/internet_checksum_test.cpp — lesson 10's checksum (the lesson kit's
// internet_checksum.hpp): the RFC 1071 example, UDP checksums over IPv4 and IPv6
// pseudo-headers (values computed independently), every single-bit flip caught, and the
// sum's known blind spot.
#include "looplab/lesson/internet_checksum.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string_view>

using namespace looplab::lesson;
using looplab::net::Address;

namespace {

Bytes bytes_of(std::string_view text) { return Bytes(text.begin(), text.end()); }

Address ip(std::string_view text, std::uint16_t port) {
    return Address::from_ip(text, port).value();
}

}   // namespace

TEST_CASE("the one's-complement sum of the RFC 1071 example is 0xddf2, its checksum 0x220d",
          "[lessons][checksum]") {
    // RFC 1071 section 3, "Numerical Examples": bytes 00 01 f2 03 f4 f5 f6 f7.
    const Bytes example{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    CHECK(fold(add_words(example)) == 0xddf2);
    CHECK(internet_checksum(example) == 0x220d);
}

TEST_CASE("an odd last byte counts as the high half of a word padded with zero",
          "[lessons][checksum]") {
    CHECK(fold(add_words(Bytes{0xab})) == 0xab00);
    CHECK(fold(add_words(Bytes{0x12, 0x34, 0xab})) == 0x1234 + 0xab00);
}

TEST_CASE("carries out of bit 15 wrap around into bit 0", "[lessons][checksum]") {
    CHECK(fold(0xffff + 0x0001) == 0x0001);
    CHECK(fold(0x2'ffff) == 0x0002);   // twice 0x10000 folded back, plus 0xffff folded too
}

TEST_CASE("the UDP checksum over an IPv4 pseudo-header matches an independent computation",
          "[lessons][checksum]") {
    // 192.168.0.1:5000 -> 192.168.0.199:6000, "hello": computed with a separate Python script.
    const Bytes segment =
        udp_segment(ip("192.168.0.1", 5000), ip("192.168.0.199", 6000), bytes_of("hello"));
    CHECK(segment.size() == 13);
    CHECK(checksum_field(segment) == 0x0ef1);
    //                 src port    dst port    length      checksum
    CHECK(Bytes(segment.begin(), segment.begin() + 8) ==
          Bytes{0x13, 0x88, 0x17, 0x70, 0x00, 0x0d, 0x0e, 0xf1});
    CHECK(is_intact(ip("192.168.0.1", 5000), ip("192.168.0.199", 6000), segment));

    // The datagram lesson 10 prints when run by hand: 127.0.0.1:34443 -> 127.0.0.1:51478.
    CHECK(checksum_field(udp_segment(ip("127.0.0.1", 34443), ip("127.0.0.1", 51478),
                                     bytes_of("hi from A"))) == 0x08c8);
}

TEST_CASE("the UDP checksum over an IPv6 pseudo-header matches an independent computation",
          "[lessons][checksum]") {
    const Bytes segment = udp_segment(ip("::1", 5000), ip("::1", 6000), bytes_of("hello"));
    CHECK(pseudo_header(ip("::1", 5000), ip("::1", 6000), segment.size()).size() == 40);
    CHECK(checksum_field(segment) == 0x9108);
    CHECK(is_intact(ip("::1", 5000), ip("::1", 6000), segment));
}

TEST_CASE("every single-bit flip in a UDP datagram is caught", "[lessons][checksum]") {
    const Address from = ip("127.0.0.1", 40000);
    const Address to = ip("127.0.0.1", 4950);
    const Bytes segment = udp_segment(from, to, bytes_of("hi from A"));
    for (std::size_t bit = 0; bit < segment.size() * 8; ++bit) {
        CAPTURE(bit);
        Bytes damaged = segment;
        damaged[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
        CHECK_FALSE(is_intact(from, to, damaged));
    }
}

TEST_CASE("a datagram delivered to the wrong IP fails the sum: the pseudo-header's job",
          "[lessons][checksum]") {
    const Bytes segment =
        udp_segment(ip("127.0.0.1", 40000), ip("127.0.0.1", 4950), bytes_of("hi"));
    CHECK_FALSE(is_intact(ip("127.0.0.1", 40000), ip("127.0.0.3", 4950), segment));
    CHECK_FALSE(is_intact(ip("127.0.0.2", 40000), ip("127.0.0.1", 4950), segment));
}

TEST_CASE("two 16-bit words that swap places are NOT caught: detection, not a guarantee",
          "[lessons][checksum]") {
    const Address from = ip("127.0.0.1", 40000);
    const Address to = ip("127.0.0.1", 4950);
    Bytes segment = udp_segment(from, to, bytes_of("hi from A"));
    std::swap_ranges(segment.begin() + 8, segment.begin() + 10, segment.begin() + 12);
    CHECK(std::string_view{reinterpret_cast<const char*>(segment.data()) + 8, 9} == "ro fhim A");
    CHECK(is_intact(from, to, segment));
}

TEST_CASE("a checksum that comes out 0 is sent as 0xFFFF, and still verifies",
          "[lessons][checksum]") {
    const Address from = ip("10.0.0.1", 1000);
    const Address to = ip("10.0.0.2", 2000);
    // Pick the two data bytes that make the sum of everything else 0xFFFF: then ~sum is 0.
    const Bytes probe = udp_segment(from, to, Bytes{0, 0});
    Bytes zeroed = probe;
    zeroed[6] = zeroed[7] = 0;
    const std::uint16_t rest = udp_sum(from, to, zeroed);
    const auto word = static_cast<std::uint16_t>(0xFFFF - rest);
    const Bytes segment = udp_segment(
        from, to, Bytes{static_cast<std::uint8_t>(word >> 8), static_cast<std::uint8_t>(word)});
    CHECK(checksum_field(segment) == 0xFFFF);
    CHECK(is_intact(from, to, segment));
}

TEST_CASE(
    "the worked example of notes/10: 10.0.0.1:1 -> 10.0.0.2:2 carrying 01 02 has checksum 0xead2",
    "[lessons][checksum]") {
    const Bytes segment = udp_segment(ip("10.0.0.1", 1), ip("10.0.0.2", 2), Bytes{0x01, 0x02});
    CHECK(checksum_field(segment) == 0xead2);
}
