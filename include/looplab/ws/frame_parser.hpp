// looplab/ws/frame_parser.hpp
//
// FrameParser — turns the bytes a WebSocket peer sends into messages, pings, pongs and a
// close, checking every rule of RFC 6455 on the way.
// Teaches: the framer (lesson 17), and "parsers own no sockets": bytes in, events out.
// Run: lessons/17-websocket-framer   Read: notes/17-websocket-framer.md
//
// Feed it bytes as they arrive, in pieces of any size; a header or payload cut anywhere waits
// inside for the next feed(). It works at two levels:
//
//   bytes ──► frames:    header (FIN, RSV, opcode, MASK, length, key), payload unmasked in place
//   frames ──► events:   fragments joined into one Message, text checked as UTF-8 as it
//                        arrives, control frames (Ping, Pong, Close) handed out at once, even
//                        between the fragments of a message
//
// Output goes to a FrameSink, as it is found: on_message(), on_ping(), on_pong(), on_close(),
// and on_frame() for every frame (a frame inspector). The WebSocket session is a sink; tests
// and lessons use feed(bytes, events), which collects copies of them as Events in a vector.
//
// Contract:
// - feed() returns nullopt while the input is valid so far, and a FrameError the moment it is
//   not. The caller then sends a close frame with close_code_for(error) and closes. The parser
//   stays failed: every later feed() returns the same error and reads nothing.
// - Events handed out before an error are valid and complete; deliver them before closing.
// - After a Close event the conversation is over for the peer (RFC 6455 §5.5.1): later bytes
//   are ignored and produce nothing.
// - Memory: at most one message (<= max_message_size, checked against each frame's declared
//   length before its payload is stored) plus 125 bytes of control payload. The buffers are
//   reused for every message of one feed() and given back when it returns with no message
//   open: an idle parser holds no heap memory at all.
// - Each payload byte is copied once, from the input into the message that is handed out.
#pragma once

#include "looplab/codec/utf8.hpp"
#include "looplab/net/lifetime_flag.hpp"
#include "looplab/ws/close_code.hpp"
#include "looplab/ws/frame.hpp"
#include "looplab/ws/limits.hpp"

#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace looplab::ws {

// Every way a peer can break the framing rules, named once. close_code_for() says what the
// peer is told; describe() says it in a sentence for logs and lessons.
enum class FrameError : std::uint8_t {
    ReservedBitsSet,          // no extension negotiated, so RSV1-3 must be 0
    UnknownOpcode,            // opcodes 3-7 and 11-15 are reserved
    FragmentedControlFrame,   // close, ping and pong always have FIN=1
    ControlPayloadTooLong,    // control payloads are at most 125 bytes
    UnmaskedClientFrame,      // a server got an unmasked frame: clients must mask every frame
    MaskedServerFrame,        // a client got a masked frame: servers never mask
    LengthHighBitSet,         // the 64-bit length must have its most significant bit clear
    UnexpectedContinuation,   // a continuation frame with no fragmented message open
    InterleavedMessage,       // a new text/binary frame while a fragmented message is open
    CloseFrameTooShort,       // a close payload of 1 byte: half a status code
    InvalidCloseCode,         // a close code that may not appear on the wire
    MessageTooBig,            // the message would exceed the parser's max_message_size
    InvalidUtf8,              // a text message that is not valid UTF-8
    InvalidCloseReason,       // a close reason that is not valid UTF-8
};

// What the peer hears when we give up on it.
constexpr CloseCode close_code_for(FrameError error) {
    switch (error) {
        case FrameError::MessageTooBig: return CloseCode::MessageTooBig;   // 1009
        case FrameError::InvalidUtf8:                                      // 1007
        case FrameError::InvalidCloseReason: return CloseCode::InvalidPayload;
        default: return CloseCode::ProtocolError;   // 1002
    }
}

// "a server got an unmasked frame (clients must mask every frame)"
std::string_view describe(FrameError error);

// ---- What comes out ------------------------------------------------------------------------

enum class MessageKind : std::uint8_t { Text, Binary };

// A whole message: one frame, or every fragment joined. Text payloads are valid UTF-8.
struct Message {
    MessageKind kind = MessageKind::Text;
    std::string payload;
    bool operator==(const Message&) const = default;
};

// Answer with a Pong carrying the same payload, at once (RFC 6455 §5.5.2).
struct Ping {
    std::string payload;
    bool operator==(const Ping&) const = default;
};

// An answer to our ping, or a heartbeat nobody asked for; either way nothing to answer.
struct Pong {
    std::string payload;
    bool operator==(const Pong&) const = default;
};

// The peer is closing. `code` is empty when the close frame had no payload (report it as
// 1005, never send 1005). When present it passed is_valid_close_code_on_wire(), and the
// reason is valid UTF-8.
struct Close {
    std::optional<CloseCode> code;
    std::string reason;
    bool operator==(const Close&) const = default;
};

using Event = std::variant<Message, Ping, Pong, Close>;

// One frame as it was on the wire, for a frame inspector. Only valid during the on_frame()
// listener call: the spans point into the parser's buffers.
struct FrameInfo {
    FrameHeader header;
    std::span<const std::uint8_t> header_bytes;   // the 2..14 header bytes exactly as received
    std::string_view payload;                     // already unmasked; apply_mask() on a copy
                                                  // with header.masking_key gives the wire bytes
};

// Where the parser's output goes. What it is handed (a message, a payload) lives in the
// parser and is valid only during the call: copy what you keep.
class FrameSink {
public:
    // A whole message: one frame, or every fragment joined.
    virtual void on_message(const Message& message) = 0;
    // Answer with a pong carrying the same payload, at once (RFC 6455 §5.5.2).
    virtual void on_ping(std::string_view payload) = 0;
    // An answer to our ping, or a heartbeat nobody asked for.
    virtual void on_pong(std::string_view payload) = 0;
    // The peer is closing; nothing after this counts.
    virtual void on_close(const Close& close) = 0;
    // Every frame once its payload is complete, before its content is interpreted (so a close
    // frame with a bad code is still shown). A frame that fails part-way (too big, bad UTF-8)
    // is never complete: see FrameParser::current_header().
    virtual void on_frame(const FrameInfo& /*frame*/) {}

protected:
    FrameSink() = default;
    FrameSink(const FrameSink&) = default;
    FrameSink& operator=(const FrameSink&) = default;
    ~FrameSink() = default;   // not owned through this type
};

// A FrameSink that keeps a copy of everything, as Events in a vector: for tests, lessons and
// the fuzzer. Derive from it to watch the frames too.
class EventCollector : public FrameSink {
public:
    explicit EventCollector(std::vector<Event>& into) : events_(into) {}
    void on_message(const Message& message) override { events_.emplace_back(message); }
    void on_ping(std::string_view payload) override {
        events_.emplace_back(Ping{std::string{payload}});
    }
    void on_pong(std::string_view payload) override {
        events_.emplace_back(Pong{std::string{payload}});
    }
    void on_close(const Close& close) override { events_.emplace_back(close); }

private:
    std::vector<Event>& events_;
};

// ---- The parser ----------------------------------------------------------------------------

class FrameParser {
public:
    // `role` is our end: a Server parser requires masked frames, a Client parser unmasked ones.
    explicit FrameParser(Role role, std::size_t max_message_size = kWsMaxMessageSize);

    // Reads all of `bytes`, handing what it finds to `sink` on the way.
    std::optional<FrameError> feed(std::span<const std::uint8_t> bytes, FrameSink& sink);
    std::optional<FrameError> feed(std::string_view bytes, FrameSink& sink);
    // The same for a parser that its sink's owner holds (a WebSocket): a listener may destroy
    // the owner, and this parser with it, from inside a sink call. `owner_alive` is the
    // owner's open scope: once it says so, feed() returns at once, touching nothing.
    std::optional<FrameError> feed(std::string_view bytes, FrameSink& sink,
                                   const net::LifetimeFlag::Scope& owner_alive);
    // The same, appending complete events to `events` (it does not clear it).
    std::optional<FrameError> feed(std::span<const std::uint8_t> bytes, std::vector<Event>& events);
    std::optional<FrameError> feed(std::string_view bytes, std::vector<Event>& events);

    // The header of the frame being read, as far as it has arrived (all of it once the payload
    // started); nullopt between frames. After an error it shows the offending frame.
    std::optional<FrameHeader> current_header() const;

    std::optional<FrameError> error() const { return error_; }
    bool has_failed() const { return error_.has_value(); }
    bool has_received_close() const { return stage_ == Stage::Closed; }

    // True while a fragmented message has started and its final fragment has not arrived.
    bool is_inside_message() const { return message_open_; }

    // Heap memory the parser holds now (its message and control buffers): zero between
    // feeds unless a message or control frame is only partly in.
    std::size_t held_memory() const;

private:
    enum class Stage : std::uint8_t { Header, Payload, Closed, Failed };

    std::size_t read_header(const std::uint8_t* data, std::size_t size);
    bool on_header_milestone();
    bool check_first_two_bytes();
    bool check_length();
    void start_payload();
    std::size_t read_payload(const std::uint8_t* data, std::size_t size);
    std::optional<FrameError> feed(std::span<const std::uint8_t> bytes, FrameSink& sink,
                                   const net::LifetimeFlag::Scope* owner_alive);
    // Each returns false when the sink call destroyed this parser (see feed() above).
    bool finish_frame(FrameSink& sink, const net::LifetimeFlag::Scope* owner_alive);
    bool finish_control_frame(FrameSink& sink, const net::LifetimeFlag::Scope* owner_alive);
    bool finish_data_frame(FrameSink& sink, const net::LifetimeFlag::Scope* owner_alive);
    void fail(FrameError error);
    void release_idle_buffers();

    // (Small fields together: the parser lives in every connection.)
    const std::size_t max_message_size_;
    const Role role_;
    Stage stage_ = Stage::Header;
    std::optional<FrameError> error_;

    // The frame being read. header_bytes_ collects the header until header_size_ is known and
    // reached; the milestones are 2 bytes (flags, opcode, short length), length_end_ (the
    // extended length, checked against the size limit before the key even arrives) and
    // header_size_ (the masking key).
    std::uint8_t header_bytes_[kWsMaxFrameHeaderSize] = {};
    std::uint8_t header_received_ = 0;
    std::uint8_t length_end_ = 2;
    std::uint8_t header_size_ = 2;
    FrameHeader header_;
    std::uint64_t payload_received_ = 0;

    // The message being assembled. Data payloads go straight into message_.payload (control
    // payloads into control_), so a whole message is copied exactly once; frame_start_ is
    // where the current frame's payload begins inside it.
    bool message_open_ = false;
    codec::Utf8Validator utf8_;   // fed each piece of a text message as it is unmasked
    Message message_;
    std::size_t frame_start_ = 0;
    std::string control_;
};

}   // namespace looplab::ws

template <>
struct fmt::formatter<looplab::ws::FrameError> : fmt::formatter<std::string_view> {
    template <typename FormatContext>
    auto format(looplab::ws::FrameError error, FormatContext& ctx) const {
        return fmt::formatter<std::string_view>::format(looplab::ws::describe(error), ctx);
    }
};
