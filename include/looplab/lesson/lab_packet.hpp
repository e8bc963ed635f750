// looplab/lesson/lab_packet.hpp
//
// The lab's packet format: what lesson 14's raw UDP and reliable protocol
// (lessons/14-tcp-vs-udp/reliable_udp.hpp) and lesson 09's numbered pieces put in a datagram. Every
// packet carries a checksum of its own (internet_checksum.hpp, lesson 10): the lossy link corrupts
// bytes ABOVE UDP, where the kernel's UDP checksum no longer sees them, so ours plays the part
// UDP's plays on a wire.
//
//   DATA  +------+---------+---------------------+----------+---------------------+
//         | 'D'  | attempt | seq (32 bits, BE)   | checksum | payload ...         |
//         +------+---------+---------------------+----------+---------------------+
//   ACK   +------+---------+---------------------+----------+------------+------------+
//         | 'A'  | attempt | seq it answers      | checksum | cumulative | SACK bits  |
//         +------+---------+---------------------+----------+------------+------------+
//            1        1              4                 2          4            4
//
// seq numbers the messages 0, 1, 2...; attempt counts the sends of one message (0 = first),
// so a retransmission is never the same bytes as the original. cumulative = "I have every
// message below this"; SACK bit i = "I also have message cumulative + 1 + i" (selective ack).
// The checksum covers the whole packet (its own field counted as 0).
//
// Pure functions: bytes in, values out. A packet that is too short, of an unknown kind, or
// fails its checksum decodes to a named PacketError, never to a crash.
#pragma once

#include "looplab/lesson/internet_checksum.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

namespace looplab::lesson {

using Bytes = std::vector<std::uint8_t>;

inline constexpr std::uint8_t kDataKind = 'D';
inline constexpr std::uint8_t kAckKind = 'A';
inline constexpr std::size_t kDataHeaderSize = 8;
inline constexpr std::size_t kAckSize = 16;
// What makes a datagram "the same one" to the lossy link: kind, attempt and seq.
inline constexpr std::size_t kIdentityBytes = 6;
// attempt is one byte; after 255 sends of one message it stays at 255.
inline constexpr std::uint8_t kMaxAttempt = 255;

enum class PacketError {
    TooShort,      // fewer bytes than the header of its kind
    UnknownKind,   // first byte neither 'D' nor 'A'
    BadChecksum,   // damaged on the way: the sum is not 0xFFFF
};

constexpr std::string_view describe(PacketError error) {
    switch (error) {
        case PacketError::TooShort: return "too short";
        case PacketError::UnknownKind: return "unknown kind";
        case PacketError::BadChecksum: return "bad checksum";
    }
    return "?";
}

struct DataPacket {
    std::uint32_t seq = 0;
    std::uint8_t attempt = 0;
    Bytes payload;
};

struct AckPacket {
    std::uint32_t seq = 0;          // the DATA packet that made the receiver send this ack
    std::uint8_t attempt = 0;       // ...and which send of it
    std::uint32_t cumulative = 0;   // every seq below this has arrived
    std::uint32_t sack = 0;         // bit i: seq cumulative + 1 + i has arrived too
};

using Decoded = std::variant<DataPacket, AckPacket, PacketError>;

namespace detail {

inline void put32(Bytes& out, std::uint32_t value) {
    out.insert(out.end(),
               {static_cast<std::uint8_t>(value >> 24), static_cast<std::uint8_t>(value >> 16),
                static_cast<std::uint8_t>(value >> 8), static_cast<std::uint8_t>(value)});
}

inline std::uint32_t get32(std::span<const std::uint8_t> bytes, std::size_t at) {
    return static_cast<std::uint32_t>(bytes[at]) << 24 |
           static_cast<std::uint32_t>(bytes[at + 1]) << 16 |
           static_cast<std::uint32_t>(bytes[at + 2]) << 8 |
           static_cast<std::uint32_t>(bytes[at + 3]);
}

// Fills bytes 6-7 with the Internet checksum of the packet (those two bytes counted as 0).
inline void seal(Bytes& packet) {
    packet[6] = packet[7] = 0;
    const std::uint16_t checksum = internet_checksum(packet);
    packet[6] = static_cast<std::uint8_t>(checksum >> 8);
    packet[7] = static_cast<std::uint8_t>(checksum);
}

}   // namespace detail

inline Bytes encode(const DataPacket& data) {
    Bytes packet{kDataKind, data.attempt};
    detail::put32(packet, data.seq);
    packet.insert(packet.end(), {0, 0});   // checksum, filled in by seal()
    packet.insert(packet.end(), data.payload.begin(), data.payload.end());
    detail::seal(packet);
    return packet;
}

inline Bytes encode(const AckPacket& ack) {
    Bytes packet{kAckKind, ack.attempt};
    detail::put32(packet, ack.seq);
    packet.insert(packet.end(), {0, 0});
    detail::put32(packet, ack.cumulative);
    detail::put32(packet, ack.sack);
    detail::seal(packet);
    return packet;
}

inline Decoded decode(std::span<const std::uint8_t> packet) {
    if (packet.size() < kDataHeaderSize) return PacketError::TooShort;
    // The checksum first: a damaged kind byte must read as damage, not as a strange packet.
    if (fold(add_words(packet)) != 0xFFFF) return PacketError::BadChecksum;
    if (packet[0] == kDataKind)
        return DataPacket{detail::get32(packet, 2), packet[1],
                          Bytes(packet.begin() + kDataHeaderSize, packet.end())};
    if (packet[0] != kAckKind) return PacketError::UnknownKind;
    if (packet.size() < kAckSize) return PacketError::TooShort;
    return AckPacket{detail::get32(packet, 2), packet[1], detail::get32(packet, 8),
                     detail::get32(packet, 12)};
}

}   // namespace looplab::lesson
