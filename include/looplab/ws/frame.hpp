// looplab/ws/frame.hpp
//
// Frame — one WebSocket frame, the unit RFC 6455 §5 puts on a TCP stream, with the words that
// go with it: Opcode, Role, MaskingKey, FrameHeader and apply_mask().
// Teaches: the framer (lesson 17): TCP carries a byte stream, so WebSocket cuts it into frames
// that say where each message starts and ends.
// Run: lessons/17-websocket-framer   Read: notes/17-websocket-framer.md
//
// One frame on the wire:
//
//   byte 0            byte 1             bytes 2..           next 4 bytes    the rest
//   +---+-------+-------+---+----------+------------------+---------------+--------------+
//   |FIN|RSV1-3 |opcode |MASK| length  | 16-bit length    | masking key   | payload      |
//   | 1 |  3    |  4    | 1 | 7 bits   | (if length=126)  | (if MASK=1)   | (XORed with  |
//   |   |       |       |   | 0..125,  | 64-bit length    |               |  the key if  |
//   |   |       |       |   | 126, 127 | (if length=127)  |               |  MASK=1)     |
//   +---+-------+-------+---+----------+------------------+---------------+--------------+
//
// A message is one frame with FIN=1, or a text/binary frame with FIN=0 followed by
// continuation frames, the last with FIN=1. Close, ping and pong are "control frames": they
// are never fragmented, carry at most 125 bytes, and may arrive between a message's fragments.
#pragma once

#include <fmt/format.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace looplab::ws {

// The 4-bit frame type. 3-7 and 11-15 are reserved: receiving one fails the connection.
enum class Opcode : std::uint8_t {
    Continuation = 0x0,   // the next piece of a fragmented message
    Text = 0x1,           // a message of UTF-8 text
    Binary = 0x2,         // a message of arbitrary bytes
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
};

// Which end of the connection *we* are. It decides masking: a client masks every frame it
// sends, a server never does, and each side fails a connection whose peer gets it wrong.
enum class Role { Server, Client };

using MaskingKey = std::array<std::uint8_t, 4>;

// Close, ping and pong (opcodes 8-15) are control frames.
constexpr bool is_control(Opcode opcode) { return (static_cast<std::uint8_t>(opcode) & 0x8) != 0; }

// True for the six opcodes RFC 6455 defines.
constexpr bool is_known_opcode(std::uint8_t value) {
    return value <= 0x2 || (value >= 0x8 && value <= 0xA);
}

// "continuation", "text", "binary", "close", "ping", "pong"; "reserved" for the rest.
std::string_view to_string(Opcode opcode);

// Everything a frame says before its payload. payload_length is the declared length, which
// the payload must then fill. The parser hands these to a frame inspector (see FrameInfo).
struct FrameHeader {
    bool fin = true;
    bool rsv1 = false;
    bool rsv2 = false;
    bool rsv3 = false;
    Opcode opcode = Opcode::Text;
    bool masked = false;
    MaskingKey masking_key{};   // meaningful only when masked
    std::uint64_t payload_length = 0;
};

// A whole frame, as the encoder writes it. payload holds the bytes *before* masking: masking
// is done while writing (encoder) or undone while reading (parser), never stored.
struct Frame {
    bool fin = true;
    bool rsv1 = false;
    bool rsv2 = false;
    bool rsv3 = false;
    Opcode opcode = Opcode::Text;
    bool masked = false;
    MaskingKey masking_key{};
    std::string payload;

    FrameHeader header() const {
        return FrameHeader{fin, rsv1, rsv2, rsv3, opcode, masked, masking_key, payload.size()};
    }
};

// XORs `bytes` with the masking key, as if they started `offset` bytes into a frame's payload
// (byte i of a payload uses key[i % 4]). Masking twice gives the original bytes back, so the
// same function masks (encoder) and unmasks (parser). The offset lets a parser unmask a
// payload that arrives in pieces.
void apply_mask(std::span<std::uint8_t> bytes, MaskingKey key, std::size_t offset = 0);
void apply_mask(std::span<char> bytes, MaskingKey key, std::size_t offset = 0);

}   // namespace looplab::ws

template <>
struct fmt::formatter<looplab::ws::Opcode> : fmt::formatter<std::string_view> {
    template <typename FormatContext>
    auto format(looplab::ws::Opcode opcode, FormatContext& ctx) const {
        if (!looplab::ws::is_known_opcode(static_cast<std::uint8_t>(opcode)))
            return fmt::format_to(ctx.out(), "reserved(0x{:X})", static_cast<unsigned>(opcode));
        return fmt::formatter<std::string_view>::format(looplab::ws::to_string(opcode), ctx);
    }
};

// One line, the way the frame inspector prints it: "FIN=1 opcode=text mask=1 len=5".
// Set RSV bits are added as " rsv=100" (RSV1, RSV2, RSV3), since they are almost always 0.
template <>
struct fmt::formatter<looplab::ws::FrameHeader> {
    constexpr auto parse(format_parse_context& ctx) { return ctx.begin(); }

    template <typename FormatContext>
    auto format(const looplab::ws::FrameHeader& h, FormatContext& ctx) const {
        auto out = fmt::format_to(ctx.out(), "FIN={:d} opcode={} mask={:d} len={}", h.fin, h.opcode,
                                  h.masked, h.payload_length);
        if (h.rsv1 || h.rsv2 || h.rsv3)
            out = fmt::format_to(out, " rsv={:d}{:d}{:d}", h.rsv1, h.rsv2, h.rsv3);
        return out;
    }
};

template <>
struct fmt::formatter<looplab::ws::Frame> : fmt::formatter<looplab::ws::FrameHeader> {
    template <typename FormatContext>
    auto format(const looplab::ws::Frame& frame, FormatContext& ctx) const {
        return fmt::formatter<looplab::ws::FrameHeader>::format(frame.header(), ctx);
    }
};
