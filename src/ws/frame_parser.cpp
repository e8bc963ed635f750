// looplab/ws/frame_parser.cpp
//
// The parser is a small state machine over one frame at a time:
//
//   Header ──(header complete)──► Payload ──(payload complete)──► Header ...
//      │                              │
//      └──── any rule broken ─────────┴──► Failed (for good)        a Close frame ──► Closed
//
// Every check runs at the first byte where it can: the flags after 2 bytes, the size limit as
// soon as the extended length is in, UTF-8 on each piece of payload. So a peer that breaks a
// rule is caught before we store anything it sends after the broken part.
#include "looplab/ws/frame_parser.hpp"

#include <algorithm>
#include <cstring>

namespace looplab::ws {

namespace {

// A sink call destroyed the owner of this parser, and so the parser (see feed()).
bool is_destroyed(const net::LifetimeFlag::Scope* owner_alive) {
    return owner_alive != nullptr && owner_alive->was_destroyed();
}

std::span<const std::uint8_t> as_bytes(std::string_view text) {
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

// Bytes a string holds on the heap: short strings live inside the object itself.
std::size_t heap_bytes(const std::string& text) {
    return text.capacity() > std::string{}.capacity() ? text.capacity() : 0;
}

std::uint64_t read_big_endian(const std::uint8_t* bytes, std::size_t count) {
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < count; ++i) value = (value << 8) | bytes[i];
    return value;
}

// A close payload is empty, or a 2-byte big-endian code followed by a UTF-8 reason (§5.5.1).
std::variant<Close, FrameError> parse_close_payload(std::string_view payload) {
    if (payload.empty()) return Close{};
    if (payload.size() == 1) return FrameError::CloseFrameTooShort;
    const auto code = static_cast<std::uint16_t>(
        read_big_endian(reinterpret_cast<const std::uint8_t*>(payload.data()), 2));
    if (!is_valid_close_code_on_wire(code)) return FrameError::InvalidCloseCode;
    const std::string_view reason = payload.substr(2);
    if (!codec::is_valid_utf8(reason)) return FrameError::InvalidCloseReason;
    return Close{CloseCode{code}, std::string{reason}};
}

}   // namespace

FrameParser::FrameParser(Role role, std::size_t max_message_size)
    : max_message_size_(max_message_size), role_(role) {}

std::optional<FrameError> FrameParser::feed(std::string_view bytes, std::vector<Event>& events) {
    return feed(as_bytes(bytes), events);
}

std::optional<FrameError> FrameParser::feed(std::span<const std::uint8_t> bytes,
                                            std::vector<Event>& events) {
    EventCollector collector{events};
    return feed(bytes, collector);
}

std::optional<FrameError> FrameParser::feed(std::string_view bytes, FrameSink& sink) {
    return feed(as_bytes(bytes), sink);
}

std::optional<FrameError> FrameParser::feed(std::span<const std::uint8_t> bytes, FrameSink& sink) {
    return feed(bytes, sink, nullptr);
}

std::optional<FrameError> FrameParser::feed(std::string_view bytes, FrameSink& sink,
                                            const net::LifetimeFlag::Scope& owner_alive) {
    return feed(as_bytes(bytes), sink, &owner_alive);
}

std::optional<FrameError> FrameParser::feed(std::span<const std::uint8_t> bytes, FrameSink& sink,
                                            const net::LifetimeFlag::Scope* owner_alive) {
    const std::uint8_t* data = bytes.data();
    std::size_t left = bytes.size();
    // Nothing after a close counts (§5.5.1), and nothing after an error is read.
    while (left > 0 && stage_ != Stage::Closed && stage_ != Stage::Failed) {
        const std::size_t used =
            stage_ == Stage::Header ? read_header(data, left) : read_payload(data, left);
        data += used;
        left -= used;
        // Checked here rather than only after a payload byte, so an empty frame completes
        // as soon as its header does, even at the very end of the input.
        if (stage_ == Stage::Payload && payload_received_ == header_.payload_length &&
            !finish_frame(sink, owner_alive))
            return std::nullopt;   // destroyed: nobody is left to hear an error
    }
    release_idle_buffers();
    return error_;
}

// Between feeds, a parser with no message open keeps no memory: 10,000 idle connections cost
// no buffers. Within one feed, the buffers serve every message it holds.
void FrameParser::release_idle_buffers() {
    const bool is_over = stage_ == Stage::Failed || stage_ == Stage::Closed;
    // swap, not `= std::string{}`: assigning a short string keeps the old heap buffer.
    if ((!message_open_ || is_over) && heap_bytes(message_.payload) > 0)
        std::string{}.swap(message_.payload);
    const bool is_reading_control = stage_ == Stage::Payload && is_control(header_.opcode);
    if (!is_reading_control && heap_bytes(control_) > 0) std::string{}.swap(control_);
}

std::size_t FrameParser::held_memory() const {
    return heap_bytes(message_.payload) + heap_bytes(control_);
}

std::optional<FrameHeader> FrameParser::current_header() const {
    if (header_received_ < 2) return std::nullopt;
    return header_;
}

// ---- Header --------------------------------------------------------------------------------

namespace {

// Where the extended length ends, and the whole header, as the second byte announces them.
std::size_t length_end_for(std::uint8_t byte1) {
    const std::uint8_t length7 = byte1 & 0x7F;
    return 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0);
}
std::size_t header_size_for(std::uint8_t byte1) {
    return length_end_for(byte1) + ((byte1 & 0x80) != 0 ? 4 : 0);
}

}   // namespace

std::size_t FrameParser::read_header(const std::uint8_t* data, std::size_t size) {
    // The common case: the whole header is here. One copy, then every check in a row.
    if (const std::size_t whole = size >= 2 ? header_size_for(data[1]) : 0;
        header_received_ == 0 && whole > 0 && size >= whole) {
        std::memcpy(header_bytes_, data, whole);
        header_received_ = static_cast<std::uint8_t>(whole);
        if (check_first_two_bytes() && check_length()) start_payload();
        return whole;
    }
    // Otherwise byte by byte as they come, checking at each milestone.
    std::size_t used = 0;
    while (stage_ == Stage::Header && used < size) {
        const std::size_t milestone = header_received_ < 2             ? 2
                                      : header_received_ < length_end_ ? length_end_
                                                                       : header_size_;
        const std::size_t take = std::min<std::size_t>(milestone - header_received_, size - used);
        std::memcpy(header_bytes_ + header_received_, data + used, take);
        header_received_ = static_cast<std::uint8_t>(header_received_ + take);
        used += take;
        if (header_received_ == milestone && !on_header_milestone()) break;
    }
    return used;
}

// Two or three milestones can coincide (a short unmasked frame reaches all three at byte 2),
// so each is checked in turn.
bool FrameParser::on_header_milestone() {
    if (header_received_ == 2 && !check_first_two_bytes()) return false;
    if (header_received_ == length_end_ && !check_length()) return false;
    if (header_received_ == header_size_) start_payload();
    return true;
}

bool FrameParser::check_first_two_bytes() {
    const std::uint8_t byte0 = header_bytes_[0];
    const std::uint8_t byte1 = header_bytes_[1];
    const std::uint8_t opcode = byte0 & 0x0F;
    const std::uint8_t length7 = byte1 & 0x7F;

    header_ = FrameHeader{};
    header_.fin = (byte0 & 0x80) != 0;
    header_.rsv1 = (byte0 & 0x40) != 0;
    header_.rsv2 = (byte0 & 0x20) != 0;
    header_.rsv3 = (byte0 & 0x10) != 0;
    header_.opcode = static_cast<Opcode>(opcode);
    header_.masked = (byte1 & 0x80) != 0;
    header_.payload_length = length7;
    length_end_ = static_cast<std::uint8_t>(length_end_for(byte1));
    header_size_ = static_cast<std::uint8_t>(header_size_for(byte1));

    const bool is_data_start = header_.opcode == Opcode::Text || header_.opcode == Opcode::Binary;
    std::optional<FrameError> broken;
    if (header_.rsv1 || header_.rsv2 || header_.rsv3) broken = FrameError::ReservedBitsSet;
    else if (!is_known_opcode(opcode)) broken = FrameError::UnknownOpcode;
    else if (is_control(header_.opcode) && !header_.fin)
        broken = FrameError::FragmentedControlFrame;
    else if (is_control(header_.opcode) && length7 > kWsMaxControlPayload)
        broken = FrameError::ControlPayloadTooLong;
    else if (role_ == Role::Server && !header_.masked) broken = FrameError::UnmaskedClientFrame;
    else if (role_ == Role::Client && header_.masked) broken = FrameError::MaskedServerFrame;
    else if (header_.opcode == Opcode::Continuation && !message_open_)
        broken = FrameError::UnexpectedContinuation;
    else if (is_data_start && message_open_) broken = FrameError::InterleavedMessage;

    if (broken) fail(*broken);
    return !broken;
}

bool FrameParser::check_length() {
    if (length_end_ == 4) header_.payload_length = read_big_endian(header_bytes_ + 2, 2);
    if (length_end_ == 10) header_.payload_length = read_big_endian(header_bytes_ + 2, 8);
    if (header_.payload_length >> 63) {
        fail(FrameError::LengthHighBitSet);
        return false;
    }
    // The declared length is checked before a single payload byte is stored: this is what
    // keeps a peer from making us buffer a huge message only to refuse it at the end.
    if (!is_control(header_.opcode)) {
        const std::size_t so_far =
            header_.opcode == Opcode::Continuation ? message_.payload.size() : 0;
        if (header_.payload_length > max_message_size_ - so_far) {
            fail(FrameError::MessageTooBig);
            return false;
        }
    }
    return true;
}

void FrameParser::start_payload() {
    if (header_.masked) std::memcpy(header_.masking_key.data(), header_bytes_ + length_end_, 4);
    payload_received_ = 0;
    stage_ = Stage::Payload;

    if (is_control(header_.opcode)) {
        control_.clear();
        return;
    }
    if (header_.opcode != Opcode::Continuation) {   // the first frame of a message
        message_open_ = true;
        message_.kind = header_.opcode == Opcode::Text ? MessageKind::Text : MessageKind::Binary;
        message_.payload.clear();
        utf8_.reset();
    }
    // Room for this frame now, so appending its pieces never reallocates; for many small
    // fragments, grow geometrically (but never past the limit) to avoid a copy per fragment.
    std::string& payload = message_.payload;
    frame_start_ = payload.size();
    const std::size_t needed = frame_start_ + static_cast<std::size_t>(header_.payload_length);
    if (payload.capacity() < needed)
        payload.reserve(std::max(needed, std::min(2 * payload.capacity(), max_message_size_)));
}

// ---- Payload -------------------------------------------------------------------------------

std::size_t FrameParser::read_payload(const std::uint8_t* data, std::size_t size) {
    const std::uint64_t remaining = header_.payload_length - payload_received_;
    const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining, size));
    const bool is_data = !is_control(header_.opcode);
    std::string& target = is_data ? message_.payload : control_;

    const std::size_t at = target.size();
    target.append(reinterpret_cast<const char*>(data), take);   // the one copy of the payload
    const std::span<char> piece{target.data() + at, take};
    if (header_.masked) apply_mask(piece, header_.masking_key, payload_received_);
    payload_received_ += take;

    // Fail early: a text message is rejected at the first byte that cannot be UTF-8, even
    // when the message would have gone on for megabytes.
    if (is_data && message_.kind == MessageKind::Text &&
        !utf8_.feed(as_bytes({piece.data(), piece.size()})))
        fail(FrameError::InvalidUtf8);
    return take;
}

bool FrameParser::finish_frame(FrameSink& sink, const net::LifetimeFlag::Scope* owner_alive) {
    const std::string_view payload = is_control(header_.opcode)
                                         ? std::string_view{control_}
                                         : std::string_view{message_.payload}.substr(frame_start_);
    sink.on_frame(FrameInfo{header_, {header_bytes_, header_size_}, payload});
    if (is_destroyed(owner_alive)) return false;
    const bool is_alive = is_control(header_.opcode) ? finish_control_frame(sink, owner_alive)
                                                     : finish_data_frame(sink, owner_alive);
    if (!is_alive) return false;

    if (stage_ == Stage::Failed) return true;   // keep header_ for current_header()
    header_received_ = 0;
    if (stage_ == Stage::Payload) stage_ = Stage::Header;
    return true;
}

bool FrameParser::finish_control_frame(FrameSink& sink,
                                       const net::LifetimeFlag::Scope* owner_alive) {
    switch (header_.opcode) {
        case Opcode::Ping: sink.on_ping(control_); break;
        case Opcode::Pong: sink.on_pong(control_); break;
        case Opcode::Close: {
            auto close = parse_close_payload(control_);
            if (auto* error = std::get_if<FrameError>(&close)) {
                fail(*error);
                return true;
            }
            stage_ = Stage::Closed;   // before the sink hears it: it may look
            sink.on_close(std::get<Close>(close));
            break;
        }
        default: break;   // unreachable: check_first_two_bytes() let only these through
    }
    return !is_destroyed(owner_alive);
}

bool FrameParser::finish_data_frame(FrameSink& sink, const net::LifetimeFlag::Scope* owner_alive) {
    if (!header_.fin) return true;   // more fragments to come
    // A text message may not end in the middle of a character.
    if (message_.kind == MessageKind::Text && !utf8_.is_complete()) {
        fail(FrameError::InvalidUtf8);
        return true;
    }
    message_open_ = false;
    sink.on_message(message_);
    if (is_destroyed(owner_alive)) return false;
    message_.payload.clear();   // keeps its memory for the next message of this feed
    return true;
}

void FrameParser::fail(FrameError error) {
    error_ = error;
    stage_ = Stage::Failed;
}

}   // namespace looplab::ws
