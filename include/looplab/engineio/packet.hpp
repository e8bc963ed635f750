// looplab/engineio/packet.hpp
//
// Engine.IO v4 packets — the small envelope every Socket.IO message travels in, and the
// "payload" that carries several of them in one HTTP body. Pure codec: no sockets, no state.
// Facts: ../shared/PROTOCOLS.md §1.2 and §1.4. Teaches: lesson 18 (how the chat's messages
// travel).
//
// A packet is one type digit and its data:
//
//     0{"sid":...}  open        3probe  pong (upgrade probe)     4hello   message "hello"
//     1             close       5       upgrade                  6        noop
//     2             ping
//
// WebSocket transport: one packet per frame. A text frame is "<digit><data>"; a binary frame
// is a message packet's bytes as they are, with no digit (binary is always a message). A
// client that cannot send binary frames may send a text frame 'b' + base64 instead; it reads
// as a binary message, as in the reference parser.
//
// Polling transport: a payload is packets joined by the record separator 0x1E. A binary
// packet is written as 'b' + base64 of its bytes (strict base64, codec/base64.hpp):
//
//     4hello \x1e 2 \x1e bAQIDBA==        = message "hello", ping, message bytes 01 02 03 04
//
// Two ways to read a payload: decode_payload() returns owning Packets (simple; tests, tools),
// PayloadReader hands out PacketViews one at a time with no copy of text data (the server's
// hot path, and it lets the packets before a bad one be delivered, as the reference server
// does). Both refuse the same inputs with the same errors.
//
// Errors (Error::because, the caller answers 400 / closes with "parse error"), e.g.
//   "engineio: empty packet"                           (a text frame with nothing in it)
//   "engineio: unknown packet type 'x'"                (a byte that is not shown as 0x1f)
//   "engineio: empty payload"                          (an empty POST body: the reference says 400)
//   "engineio: packet 2 is empty"                      ("4a\x1e\x1e4b", or a trailing 0x1E)
//   "engineio: unknown packet type 'x' in packet 3"    (payloads count packets from 1)
//   "engineio: invalid base64 in binary packet 2: base64: length 5 is not a multiple of 4"
//   "engineio: more than 100000 packets in one payload"
//
// Contract: pure functions and plain values; no I/O, no global state. The encoders append to a
// string the caller owns (and reuses): nothing is allocated beyond that string's growth.
#pragma once

#include "looplab/core/result.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace looplab::engineio {

// The ASCII record separator between the packets of a polling payload. Text data never
// contains it (the spec assumes so; Socket.IO's JSON escapes it as \u001e).
inline constexpr char kEioPayloadSeparator = '\x1e';

// Most packets one payload may hold; one more is an error (the server answers 400). A body is
// already bounded in bytes (maxPayload, 1e6 by default: at most 500,000 one-byte packets); this
// bounds the packet count, and so decode_payload()'s vector (about 40 bytes a packet, 4 MB at
// the limit) whatever body size a server allows. The JS client batches by bytes only, so it
// would have to queue more than 100,000 packets within one polling round trip to reach it.
inline constexpr std::size_t kEioMaxPacketsPerPayload = 100'000;

enum class PacketType : char {
    Open = '0',
    Close = '1',
    Ping = '2',
    Pong = '3',
    Message = '4',
    Upgrade = '5',
    Noop = '6',
};

// "open", "close", "ping", "pong", "message", "upgrade", "noop" (the spec's words).
std::string_view to_string(PacketType type);

// The packet type a digit stands for; nullopt when `digit` is not '0'..'6'.
std::optional<PacketType> packet_type_from_digit(char digit);

// One packet that owns its data. is_binary: data holds raw bytes (only ever a Message).
struct Packet {
    PacketType type = PacketType::Message;
    std::string data;
    bool is_binary = false;
    bool operator==(const Packet&) const = default;
};

// The same without owning its data: valid as long as the text it was read from (and, for a
// binary packet from a PayloadReader, until the reader's next call).
struct PacketView {
    PacketType type = PacketType::Message;
    std::string_view data;
    bool is_binary = false;
    bool operator==(const PacketView&) const = default;
    Packet to_packet() const { return Packet{type, std::string{data}, is_binary}; }
};

// ---- WebSocket transport: one packet per frame --------------------------------------------

// A text frame's packet. Errors: "engineio: empty packet", "engineio: unknown packet type 'x'",
// "engineio: invalid base64 in binary packet: ...".
[[nodiscard]] Result<Packet> decode_text_packet(std::string_view frame_text);
// The same with no copy (the hot path): data points into `frame_text`, or, for a 'b' + base64
// frame, into `binary_scratch`, which receives the decoded bytes.
[[nodiscard]] Result<PacketView> view_text_packet(std::string_view frame_text,
                                                  std::string& binary_scratch);

// A binary frame's packet: always a Message with is_binary set (never fails).
Packet binary_packet(std::string_view bytes);

// Appends "<digit><data>" to `out` (a text frame, or one packet of a payload).
void encode_text_packet_to(std::string& out, PacketType type, std::string_view data);
std::string encode_text_packet(PacketType type, std::string_view data);

// ---- Polling transport: a payload of packets joined by 0x1E -------------------------------

// Appends one packet to a payload being built in `out`: the separator first when `out` is not
// empty, then "<digit><data>", or 'b' + base64 for a binary packet (which must be a Message).
void append_to_payload(std::string& out, const Packet& packet);
void append_to_payload(std::string& out, const PacketView& packet);

// Every packet of a POST body, in order; an error if any one of them is bad (which packet is
// named, counting from 1), if the body is empty, or if it holds more than max_packets.
[[nodiscard]] Result<std::vector<Packet>> decode_payload(
    std::string_view body, std::size_t max_packets = kEioMaxPacketsPerPayload);

// Reads a payload one packet at a time:
//
//     PayloadReader reader{body};
//     while (true) {
//         auto next = reader.next();
//         if (!next) return bad_request(next.error());   // packets before it were good
//         if (!*next) break;                             // no more packets
//         deliver(**next);                               // a PacketView
//     }
//
// Text data points into `body`; a binary packet's bytes live in the reader and are valid until
// the next call to next(). After an error, next() keeps returning that error.
class PayloadReader {
public:
    explicit PayloadReader(std::string_view body,
                           std::size_t max_packets = kEioMaxPacketsPerPayload);

    // The next packet; nullopt after the last one; an Error for a bad packet.
    [[nodiscard]] Result<std::optional<PacketView>> next();

    // How many packets next() has handed out so far.
    std::size_t packets_read() const { return packets_read_; }

private:
    std::string_view rest_;        // what is left of the body, starting at the next packet
    bool is_done_ = false;         // the last packet was handed out
    std::optional<Error> error_;   // sticky: a bad payload stays bad
    std::size_t max_packets_;
    std::size_t packets_read_ = 0;
    std::string binary_;   // the decoded bytes of the last binary packet
};

}   // namespace looplab::engineio
