// lessons/10-udp-is-connectionless/checksum_demo.cpp
//
// The UDP checksum of a datagram this lesson really sent (client A's "hi from A"), computed as
// the sender's kernel computes it (the lesson kit's internet_checksum.hpp), then checked as
// the receiver's kernel checks it: intact, one bit flipped in the data, one bit flipped in
// the destination IP (the pseudo-header at work), and two words swapped (what a 16-bit sum
// cannot see).
#include "udp_lesson.hpp"

#include <algorithm>
#include <string>

namespace udp_lesson {
namespace {

std::string text_of(std::span<const std::uint8_t> data) {
    return {reinterpret_cast<const char*>(data.data()), data.size()};
}

void report(std::string_view what, std::uint16_t sum) {
    lesson::say("  {:<48} sum 0x{:04x} -> {}", what, sum,
                sum == 0xFFFF ? "intact: delivered" : "CAUGHT: the kernel drops it, silently");
}

}  // namespace

void show_checksum(const SeenDatagram& seen, const lesson::Options& options) {
    const Bytes segment = udp_segment(seen.from, seen.to, seen.data);
    const std::size_t length = segment.size();
    lesson::say("the datagram {} sent to the UDP server: \"{}\", {} bytes of data",
                options.label(seen.from), text_of(seen.data), seen.data.size());
    lesson::say("  pseudo-header   {} -> {}, zero, protocol 17, UDP length {}", seen.from.ip(),
                seen.to.ip(), length);
    // (Labels are taken one statement at a time: the order of a call's arguments is unspecified.)
    // Named after their owners ("client A's port"), not a series of their own: a "port B" would
    // read as client B's.
    const std::string from_port =
        options.label_as(seen.from.port(), fmt::format("{}'s port", options.label(seen.from)));
    const std::string to_port = options.label_as(seen.to.port(), "the UDP server's port");
    lesson::say("  UDP header      {} -> {}, length {}, checksum (0 while adding up)", from_port,
                to_port, length);
    lesson::say("  data            \"{}\" (+ one zero byte for the sum if the length is odd)",
                text_of(seen.data));
    // The value depends on the ports, which change every run: --demo does not print it.
    lesson::say("sender: checksum = ~(one's-complement sum of all 16-bit words) = {}",
                options.demo ? std::string{"(a 16-bit value; run without --demo to see it)"}
                             : fmt::format("0x{:04x}", checksum_field(segment)));
    lesson::say("receiver: adds up every word again, checksum included; 0xffff means intact");
    report("as sent", udp_sum(seen.from, seen.to, segment));

    // One bit of the data flips on the wire: the third byte ' ' (0x20) becomes '!' (0x21).
    Bytes flipped = segment;
    flipped[kUdpHeaderSize + 2] ^= 0x01;
    report(fmt::format("one bit flipped: \"{}\"", text_of(std::span{flipped}.subspan(kUdpHeaderSize))),
           udp_sum(seen.from, seen.to, flipped));

    // One bit of the destination IP flips: the datagram reaches 127.0.0.3, whose kernel uses
    // ITS address in the pseudo-header. Misdelivery is caught too.
    auto misdelivered_to = net::Address::from_ip("127.0.0.3", seen.to.port());
    if (misdelivered_to && !seen.to.is_ipv6())
        report("one bit flipped in the destination IP (.1->.3)",
               udp_sum(seen.from, *misdelivered_to, segment));

    // Two 16-bit words swap places: the sum is the same. Detection, not a guarantee.
    Bytes swapped = segment;
    std::swap_ranges(swapped.begin() + kUdpHeaderSize, swapped.begin() + kUdpHeaderSize + 2,
                     swapped.begin() + kUdpHeaderSize + 4);
    report(fmt::format("two words swapped: \"{}\"", text_of(std::span{swapped}.subspan(kUdpHeaderSize))),
           udp_sum(seen.from, seen.to, swapped));
}

}  // namespace udp_lesson
