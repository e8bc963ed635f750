// looplab/ws/frame_encoder.cpp
#include "looplab/ws/frame_encoder.hpp"

#include "looplab/core/assert.hpp"
#include "looplab/ws/limits.hpp"

#include <cstring>
#include <random>

namespace looplab::ws {

namespace {

FrameHeaderBytes header_for(std::uint8_t byte0, std::uint64_t length,
                            const std::optional<MaskingKey>& mask) {
    FrameHeaderBytes header{};
    std::size_t size = 0;
    const std::uint8_t mask_bit = mask ? 0x80 : 0x00;
    header.bytes[size++] = byte0;
    if (length <= 125) {
        header.bytes[size++] = static_cast<std::uint8_t>(mask_bit | length);
    } else if (length <= 0xFFFF) {
        header.bytes[size++] = mask_bit | 126;
        header.bytes[size++] = static_cast<std::uint8_t>(length >> 8);
        header.bytes[size++] = static_cast<std::uint8_t>(length);
    } else {
        header.bytes[size++] = mask_bit | 127;
        for (int shift = 56; shift >= 0; shift -= 8)   // big-endian: most significant first
            header.bytes[size++] = static_cast<std::uint8_t>(length >> shift);
    }
    if (mask) {
        std::memcpy(header.bytes + size, mask->data(), 4);
        size += 4;
    }
    header.size = size;
    return header;
}

// The shared writer: header (shortest length form), then the payload, masked in place once it
// sits in `out`, so the payload is copied exactly once.
void write_frame(std::string& out, std::uint8_t byte0, std::string_view payload,
                 const std::optional<MaskingKey>& mask) {
    const FrameHeaderBytes header = header_for(byte0, payload.size(), mask);
    const std::size_t payload_at = out.size() + header.size;
    out.reserve(payload_at + payload.size());
    out.append(header.view());
    out.append(payload);
    if (mask) apply_mask(std::span<char>{out.data() + payload_at, payload.size()}, *mask);
}

std::uint8_t first_byte(bool fin, bool rsv1, bool rsv2, bool rsv3, Opcode opcode) {
    return static_cast<std::uint8_t>((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | (rsv2 ? 0x20 : 0) |
                                     (rsv3 ? 0x10 : 0) |
                                     (static_cast<std::uint8_t>(opcode) & 0x0F));
}

}   // namespace

namespace {
void check_frame_rules(Opcode opcode, std::uint64_t payload_length, bool fin) {
    LOOPLAB_ASSERT(is_known_opcode(static_cast<std::uint8_t>(opcode)),
                   "reserved opcode; use encode_frame(Frame) to build bad frames on purpose");
    if (is_control(opcode)) {
        LOOPLAB_ASSERT(fin, "control frames cannot be fragmented; pass fin = true");
        LOOPLAB_ASSERT(payload_length <= kWsMaxControlPayload,
                       "control frames carry at most 125 bytes; shorten the payload");
    }
}
}   // namespace

FrameHeaderBytes encode_frame_header(Opcode opcode, std::uint64_t payload_length,
                                     std::optional<MaskingKey> mask, bool fin) {
    check_frame_rules(opcode, payload_length, fin);
    return header_for(first_byte(fin, false, false, false, opcode), payload_length, mask);
}

void append_frame(std::string& out, Opcode opcode, std::string_view payload,
                  std::optional<MaskingKey> mask, bool fin) {
    check_frame_rules(opcode, payload.size(), fin);
    write_frame(out, first_byte(fin, false, false, false, opcode), payload, mask);
}

std::string encode_frame(Opcode opcode, std::string_view payload, std::optional<MaskingKey> mask,
                         bool fin) {
    std::string out;
    append_frame(out, opcode, payload, mask, fin);
    return out;
}

void append_frame(std::string& out, const Frame& frame) {
    const std::optional<MaskingKey> mask =
        frame.masked ? std::optional<MaskingKey>{frame.masking_key} : std::nullopt;
    write_frame(out, first_byte(frame.fin, frame.rsv1, frame.rsv2, frame.rsv3, frame.opcode),
                frame.payload, mask);
}

std::string encode_frame(const Frame& frame) {
    std::string out;
    append_frame(out, frame);
    return out;
}

void append_close(std::string& out, std::optional<CloseCode> code, std::string_view reason,
                  std::optional<MaskingKey> mask) {
    if (!code) {
        LOOPLAB_ASSERT(reason.empty(), "a close reason needs a close code; pass one");
        append_frame(out, Opcode::Close, {}, mask);
        return;
    }
    const auto number = static_cast<std::uint16_t>(*code);
    LOOPLAB_ASSERT(is_valid_close_code_on_wire(number),
                   "this close code may not be sent (1005, 1006, 1015 are local only); use 1000");
    LOOPLAB_ASSERT(reason.size() <= kWsMaxCloseReason,
                   "a close reason is at most 123 bytes; shorten it");
    char payload[kWsMaxControlPayload];
    payload[0] = static_cast<char>(number >> 8);
    payload[1] = static_cast<char>(number & 0xFF);
    if (!reason.empty())
        std::memcpy(payload + 2, reason.data(), reason.size());   // data() may be null
    append_frame(out, Opcode::Close, std::string_view{payload, 2 + reason.size()}, mask);
}

std::string encode_close(std::optional<CloseCode> code, std::string_view reason,
                         std::optional<MaskingKey> mask) {
    std::string out;
    append_close(out, code, reason, mask);
    return out;
}

std::string encode_ping(std::string_view payload, std::optional<MaskingKey> mask) {
    return encode_frame(Opcode::Ping, payload, mask);
}

std::string encode_pong(std::string_view payload, std::optional<MaskingKey> mask) {
    return encode_frame(Opcode::Pong, payload, mask);
}

RandomMaskingKeys::RandomMaskingKeys() {
    std::random_device device;   // 32 bits per call: two calls fill the 64-bit state
    state_ = (std::uint64_t{device()} << 32) | device();
}

// splitmix64 (Steele, Lea, Flood 2014): add a constant, then scramble the bits.
MaskingKey RandomMaskingKeys::operator()() {
    state_ += 0x9E3779B97F4A7C15u;
    std::uint64_t bits = state_;
    bits = (bits ^ (bits >> 30)) * 0xBF58476D1CE4E5B9u;
    bits = (bits ^ (bits >> 27)) * 0x94D049BB133111EBu;
    bits ^= bits >> 31;
    return MaskingKey{static_cast<std::uint8_t>(bits >> 24), static_cast<std::uint8_t>(bits >> 16),
                      static_cast<std::uint8_t>(bits >> 8), static_cast<std::uint8_t>(bits)};
}

FrameEncoder::FrameEncoder(Role role, MaskingKeySource keys) : role_(role), keys_(std::move(keys)) {
    if (role_ == Role::Client && !keys_) keys_ = RandomMaskingKeys{};
}

void FrameEncoder::append(std::string& out, Opcode opcode, std::string_view payload, bool fin) {
    append_frame(out, opcode, payload, next_mask(), fin);
}

void FrameEncoder::append_close(std::string& out, std::optional<CloseCode> code,
                                std::string_view reason) {
    ws::append_close(out, code, reason, next_mask());
}

std::optional<MaskingKey> FrameEncoder::next_mask() {
    if (role_ == Role::Server) return std::nullopt;   // servers never mask (RFC 6455 §5.1)
    return keys_();
}

}   // namespace looplab::ws
