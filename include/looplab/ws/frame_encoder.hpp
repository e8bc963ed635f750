// looplab/ws/frame_encoder.hpp
//
// encode_frame() and friends — write a WebSocket frame's bytes: the header in its shortest
// form, then the payload, masked when a client sends it.
// Teaches: the framer (lesson 17): what "Hello" looks like on the wire, and why a client
// masks (so a script in a browser cannot choose the bytes a proxy sees, RFC 6455 §10.3).
// Run: lessons/17-websocket-framer   Read: notes/17-websocket-framer.md
//
//     encode_frame(Opcode::Text, "Hello")
//         == "\x81\x05" "Hello"                               FIN|text, len 5, no mask
//     encode_frame(Opcode::Text, "Hello", MaskingKey{0x37, 0xfa, 0x21, 0x3d})
//         == "\x81\x85" "\x37\xfa\x21\x3d" "\x7f\x9f\x4d\x51\x58"   MASK bit, key, masked bytes
//
// Contract: the functions taking an Opcode follow the rules: a control frame (close, ping,
// pong) must have FIN=1 and at most 125 bytes, and asking for anything else is a bug that
// aborts. The functions taking a whole Frame write exactly what it says, rule-breaking or not:
// tests use them to build bad input. `append_*` write onto the end of a buffer the caller
// owns (one allocation at most, often none); `encode_*` return a new string.
// A server passes no key; a client passes a fresh key per frame, or uses FrameEncoder.
#pragma once

#include "looplab/ws/close_code.hpp"
#include "looplab/ws/frame.hpp"
#include "looplab/ws/limits.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace looplab::ws {

// Bytes the header takes for this payload length: 2, +2 or +8 for the length, +4 with a mask.
constexpr std::size_t frame_header_size(std::uint64_t payload_length, bool masked) {
    const std::size_t length_bytes = payload_length <= 125 ? 0 : payload_length <= 0xFFFF ? 2 : 8;
    return 2 + length_bytes + (masked ? 4 : 0);
}

// A frame's header alone (2 to 14 bytes), for a sender that writes the payload itself from
// where it already is: a server's header and payload leave in one gathered write, no copy.
struct FrameHeaderBytes {
    std::uint8_t bytes[kWsMaxFrameHeaderSize];
    std::size_t size;
    std::string_view view() const { return {reinterpret_cast<const char*>(bytes), size}; }
};
FrameHeaderBytes encode_frame_header(Opcode opcode, std::uint64_t payload_length,
                                     std::optional<MaskingKey> mask = std::nullopt,
                                     bool fin = true);

// One frame. With a key, the MASK bit is set and the payload is masked while it is copied.
void append_frame(std::string& out, Opcode opcode, std::string_view payload,
                  std::optional<MaskingKey> mask = std::nullopt, bool fin = true);
std::string encode_frame(Opcode opcode, std::string_view payload,
                         std::optional<MaskingKey> mask = std::nullopt, bool fin = true);

// Exactly the frame described: RSV bits, any opcode value, any payload size. Masked with
// frame.masking_key when frame.masked is set.
void append_frame(std::string& out, const Frame& frame);
std::string encode_frame(const Frame& frame);

// A close frame: the code in 2 big-endian bytes, then the UTF-8 reason (at most
// kWsMaxCloseReason bytes). No code means an empty close payload. The code must be one that may
// be sent (is_valid_close_code_on_wire): 1005, 1006 and 1015 are only ever reported locally.
void append_close(std::string& out, std::optional<CloseCode> code, std::string_view reason = {},
                  std::optional<MaskingKey> mask = std::nullopt);
std::string encode_close(std::optional<CloseCode> code, std::string_view reason = {},
                         std::optional<MaskingKey> mask = std::nullopt);

// Ping and pong carry at most 125 bytes; a pong answering a ping repeats its payload.
std::string encode_ping(std::string_view payload = {},
                        std::optional<MaskingKey> mask = std::nullopt);
std::string encode_pong(std::string_view payload = {},
                        std::optional<MaskingKey> mask = std::nullopt);

// ---- Sending with a role -------------------------------------------------------------------

// Where a client gets a new masking key for each frame.
using MaskingKeySource = std::function<MaskingKey()>;

// Masking keys from a small generator (splitmix64) seeded once from std::random_device.
// RFC 6455 asks for keys a script cannot predict, because in a browser the script choosing
// the payload is untrusted; a looplab client sends its own data, so a fast seeded generator
// is enough here and costs no system call per frame.
class RandomMaskingKeys {
public:
    RandomMaskingKeys();
    MaskingKey operator()();

private:
    std::uint64_t state_;
};

// The session's writer: a Server encoder never masks; a Client encoder masks every frame with
// a key from `keys`, RandomMaskingKeys when none is given (pass a fixed source in tests to get
// the same bytes every run).
class FrameEncoder {
public:
    explicit FrameEncoder(Role role, MaskingKeySource keys = {});

    void append(std::string& out, Opcode opcode, std::string_view payload, bool fin = true);
    void append_close(std::string& out, std::optional<CloseCode> code,
                      std::string_view reason = {});

    Role role() const { return role_; }

private:
    std::optional<MaskingKey> next_mask();

    Role role_;
    MaskingKeySource keys_;
};

}   // namespace looplab::ws
