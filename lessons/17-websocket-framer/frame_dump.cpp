// lessons/17-websocket-framer/frame_dump.cpp
//
// Frames as annotated hex. This file reads the header bits itself, straight from the bytes,
// because that is the lesson: byte 0 holds FIN, RSV and the opcode, byte 1 holds MASK and
// the length, and the length has three sizes. (The library's FrameParser does the same work
// incrementally; here the whole frame is at hand.)
#include "framer_lesson.hpp"

#include "looplab/lesson/lesson.hpp"

#include <algorithm>
#include <cstdint>
#include <string>

using namespace looplab;

namespace framer {

namespace {

// Payload bytes shown before "..." in a dump: enough to see the pattern, short enough for a
// 65536-byte payload to fit on one line.
constexpr std::size_t kShownPayloadBytes = 8;
// Text payloads up to this many bytes are quoted whole in the descriptions.
constexpr std::size_t kQuotedTextBytes = 40;
// Width of the hex column of a dump (8 bytes and " ..." = 27 characters, plus room).
constexpr std::size_t kHexColumn = 30;

std::uint8_t byte_at(std::string_view bytes, std::size_t i) {
    return static_cast<std::uint8_t>(bytes[i]);
}

bool is_printable(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

// The parts of a frame, found from its first bytes as RFC 6455 §5.2 lays them out.
struct Layout {
    bool fin = false;
    unsigned rsv = 0;
    unsigned opcode = 0;
    bool masked = false;
    unsigned length7 = 0;           // the 7-bit length field: 0..125, or 126 / 127
    std::size_t length_bytes = 0;   // 0, 2 or 8 bytes of extended length after byte 1
    std::uint64_t payload_length = 0;
    std::size_t header_size = 2;   // up to the payload, masking key included
};

Layout layout_of(std::string_view frame) {
    LOOPLAB_ASSERT(frame.size() >= 2, "a frame has at least 2 header bytes");
    Layout l;
    const std::uint8_t b0 = byte_at(frame, 0);
    const std::uint8_t b1 = byte_at(frame, 1);
    l.fin = (b0 & 0x80) != 0;
    l.rsv = (b0 >> 4) & 0x7;
    l.opcode = b0 & 0x0f;
    l.masked = (b1 & 0x80) != 0;
    l.length7 = b1 & 0x7f;
    l.length_bytes = l.length7 == 126 ? 2 : l.length7 == 127 ? 8 : 0;
    LOOPLAB_ASSERT(frame.size() >= 2 + l.length_bytes, "the frame's extended length is cut off");
    l.payload_length = l.length7;
    if (l.length_bytes > 0) {
        l.payload_length = 0;   // big-endian: most significant byte first
        for (std::size_t i = 0; i < l.length_bytes; ++i)
            l.payload_length = (l.payload_length << 8) | byte_at(frame, 2 + i);
    }
    l.header_size = 2 + l.length_bytes + (l.masked ? 4 : 0);
    LOOPLAB_ASSERT(frame.size() == l.header_size + l.payload_length,
                   "print_frame() takes exactly one whole frame");
    return l;
}

std::string opcode_name(unsigned opcode) {
    if (!ws::is_known_opcode(static_cast<std::uint8_t>(opcode))) return "reserved";
    return std::string{ws::to_string(static_cast<ws::Opcode>(opcode))};
}

std::string short_hex(std::string_view payload) {
    if (payload.size() <= kShownPayloadBytes) return hex(payload);
    return hex(payload.substr(0, kShownPayloadBytes)) + " ...";
}

void field(std::string_view bytes_hex, std::string_view meaning) {
    lesson::say("  {:<{}}{}", bytes_hex, kHexColumn, meaning);
}

}   // namespace

std::string hex(std::string_view bytes) {
    std::string text;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (i > 0) text += ' ';
        text += fmt::format("{:02x}", byte_at(bytes, i));
    }
    return text;
}

std::string hex_fields(std::string_view frame) {
    const Layout l = layout_of(frame);
    const std::size_t key_at = 2 + l.length_bytes;
    std::string text = hex(frame.substr(0, key_at));
    if (l.masked) text += " | " + hex(frame.substr(key_at, 4));
    if (l.payload_length > 0) text += " | " + short_hex(frame.substr(l.header_size));
    return text;
}

std::string describe_payload(ws::Opcode opcode, std::string_view payload) {
    if (opcode == ws::Opcode::Close) {
        if (payload.size() < 2) return "no code (reported as 1005, never sent)";
        const auto code =
            static_cast<std::uint16_t>(byte_at(payload, 0) << 8 | byte_at(payload, 1));
        return fmt::format("code {}, reason \"{}\"", ws::CloseCode{code}, payload.substr(2));
    }
    if (opcode != ws::Opcode::Binary && payload.size() <= kQuotedTextBytes && is_printable(payload))
        return fmt::format("\"{}\"", payload);
    return fmt::format("({} bytes)", payload.size());
}

void print_frame(std::string_view frame) {
    const Layout l = layout_of(frame);

    // Byte 0: 1 bit FIN, 3 bits RSV, 4 bits opcode.
    field(hex(frame.substr(0, 1)),
          fmt::format("byte 0 = {:01b} {:03b} {:04b}: FIN={:d}{}, RSV={:03b}, opcode={:X} ({})",
                      l.fin, l.rsv, l.opcode, l.fin, l.fin ? "" : " (more frames follow)", l.rsv,
                      l.opcode, opcode_name(l.opcode)));

    // Byte 1: 1 bit MASK, 7 bits of length (126 and 127 mean "look further").
    std::string length = fmt::format("length={}", l.length7);
    if (l.length7 == 126) length += ", so a 16-bit length follows";
    if (l.length7 == 127) length += ", so a 64-bit length follows";
    field(hex(frame.substr(1, 1)), fmt::format("byte 1 = {:01b} {:07b}: MASK={:d}, {}", l.masked,
                                               l.length7, l.masked, length));

    if (l.length_bytes > 0)
        field(hex(frame.substr(2, l.length_bytes)),
              fmt::format("{}-bit length = {}", l.length_bytes * 8, l.payload_length));
    if (l.masked) field(hex(frame.substr(2 + l.length_bytes, 4)), "masking key");
    if (l.payload_length == 0) return;

    const std::string_view wire = frame.substr(l.header_size);
    std::string payload{wire};
    if (l.masked) {
        ws::MaskingKey key{};
        std::copy_n(frame.begin() + static_cast<std::ptrdiff_t>(2 + l.length_bytes), 4,
                    key.begin());
        ws::apply_mask(std::span<char>{payload}, key);
    }
    const std::string what = ws::is_known_opcode(static_cast<std::uint8_t>(l.opcode))
                                 ? describe_payload(static_cast<ws::Opcode>(l.opcode), payload)
                                 : fmt::format("({} bytes)", payload.size());
    field(short_hex(wire), l.masked ? fmt::format("payload, masked: {} once unmasked", what)
                                    : fmt::format("payload: {}", what));
}

void print_masking(std::string_view plain, ws::MaskingKey key) {
    std::string index = "  byte i          ";
    std::string payload = fmt::format("  {:<16}", fmt::format("\"{}\"", plain));
    std::string key_row = "  XOR key[i % 4]  ";
    std::string wire_row = "  = on the wire   ";
    for (std::size_t i = 0; i < plain.size(); ++i) {
        const std::uint8_t k = key[i % 4];
        const std::uint8_t p = byte_at(plain, i);
        index += fmt::format("{:>4}", i);
        payload += fmt::format("  {:02x}", p);
        key_row += fmt::format("  {:02x}", k);
        wire_row += fmt::format("  {:02x}", static_cast<std::uint8_t>(p ^ k));
    }
    for (const std::string* row : {&index, &payload, &key_row, &wire_row})
        lesson::say("{}", *row);
}

}   // namespace framer
