// looplab/socketio/packet.hpp
//
// Socket.IO v5 packets — what rides inside each Engine.IO message: a type, a namespace, an
// optional acknowledgement id and a JSON payload, with binary attachments sent apart.
// Pure codec: no sockets. Facts: ../shared/PROTOCOLS.md §2.1-2.7. Teaches: lesson 18 (what
// `socket.emit("chat", "hi")` looks like on the wire).
//
// Text form (no spaces; brackets are optional parts):
//
//     <type>[<attachments>-][<namespace>,][<ack id>][<JSON payload>]
//
//     2["hey","Jude"]                 EVENT "hey" on "/"
//     2/admin,1["tellme"]             EVENT on "/admin" asking for an acknowledgement, id 1
//     3456[1,"2",{"3":[false]}]       ACK for id 456
//     0/admin,{"token":"123"}         CONNECT to "/admin" with auth
//     1/admin,                        DISCONNECT from "/admin"
//     451-["baz",{"_placeholder":true,"num":0}]   then one binary message: the attachment
//
// Binary: every json::Bytes inside the data is sent as its own Engine.IO binary message. The
// text keeps a placeholder {"_placeholder":true,"num":N} where it was (N = 0, 1, ... in
// order), the type becomes BINARY_EVENT (5) / BINARY_ACK (6) and "<count>-" follows it.
// The Decoder puts the attachments back, so users only ever see Event and Ack packets whose
// data holds Bytes: feed_*() never returns BinaryEvent or BinaryAck.
//
// Decoder rules (reference socket.io-parser, PROTOCOLS.md §2.7), each an Error the server
// answers by closing the connection ("parse error"), e.g.
//   "socketio: unknown packet type '9'"               "socketio: invalid JSON payload: json: ..."
//   "socketio: EVENT payload must be a non-empty array whose first element is a string or a number"
//   "socketio: reserved event name 'disconnect' in an EVENT"
//   "socketio: ACK payload must be an array"          "socketio: ACK without an id"
//   "socketio: CONNECT payload must be an object"     "socketio: DISCONNECT has no payload"
//   "socketio: CONNECT_ERROR payload must be a string or an object"
//   "socketio: invalid attachment count"              "socketio: too many attachments (11 > 10)"
//   "socketio: ack id too large"                      "socketio: placeholder num out of range"
//   "socketio: binary message while no attachment is expected"
//   "socketio: text packet while 2 attachments are still expected"
//
// Contract: pure values; a Decoder belongs to one connection. The encoder appends into
// buffers the caller reuses and writes the JSON in one pass.
#pragma once

#include "looplab/codec/json.hpp"
#include "looplab/core/result.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace looplab::socketio {

// Most binary attachments one packet may announce (the reference decoder's maxAttachments
// default). More is an error before anything is buffered, so a peer cannot make a decoder
// wait for (and hold) an unbounded number of binary messages. Each attachment is one
// Engine.IO message, at most maxPayload bytes, so a half-built packet holds at most
// kSioMaxAttachments x maxPayload bytes (10 MB at the defaults), until it completes or the
// connection ends.
inline constexpr std::size_t kSioMaxAttachments = 10;

// Largest ack id accepted: 2^53 - 1, JavaScript's Number.MAX_SAFE_INTEGER. The reference
// reads the id as a JS number, so a larger one cannot come back unchanged from a JS peer;
// ours is refused instead ("socketio: ack id too large"). Real peers count up from 0.
inline constexpr std::uint64_t kSioMaxAckId = (std::uint64_t{1} << 53) - 1;

enum class PacketType : std::uint8_t {
    Connect = 0,
    Disconnect = 1,
    Event = 2,
    Ack = 3,
    ConnectError = 4,
    BinaryEvent = 5,   // on the wire only: the Decoder hands these out as Event
    BinaryAck = 6,     // on the wire only: the Decoder hands these out as Ack
};

// "CONNECT", "DISCONNECT", "EVENT", "ACK", "CONNECT_ERROR", "BINARY_EVENT", "BINARY_ACK".
std::string_view to_string(PacketType type);

struct Packet {
    PacketType type = PacketType::Event;
    std::string nsp = "/";                    // starts with '/', never contains ','
    std::optional<std::uint64_t> id;          // ack id (<= kSioMaxAckId)
    std::optional<codec::json::Value> data;   // nullopt: no payload at all
    bool operator==(const Packet&) const = default;
};

// connect, connect_error, disconnect, disconnecting, newListener, removeListener: names the
// library uses itself. A peer's EVENT with one of them is an error; our emit() refuses them.
bool is_reserved_event(std::string_view name);

// ---- Encoding ------------------------------------------------------------------------------

// The text message and, after it, one binary message per attachment (in order).
struct EncodedPacket {
    std::string text;
    std::vector<std::string> attachments;
};

EncodedPacket encode(const Packet& packet);

// The hot path: appends the text to `text_out` and the attachments to `attachments_out`
// (clear them first to reuse their memory). An Event or Ack whose data holds Bytes is written
// as BinaryEvent / BinaryAck; a packet given as BinaryEvent / BinaryAck is written as binary
// even with no Bytes ("50-..."). Asserts that our own packet is well formed: nsp starts
// with '/' and has no ',', id <= kSioMaxAckId, no Bytes outside a (Binary)Event/Ack. Any
// number of Bytes may be sent: only the decoder limits what a peer announces.
void encode_to(std::string& text_out, std::vector<std::string>& attachments_out,
               const Packet& packet);

// The same bytes encode_to() writes for Packet{Event, nsp, id, [event, args...]}, written
// straight from the parts: a Socket's emit sends what it was given without first copying it
// into a Packet (the hot path of every emit; the Packet is built only when something must
// keep it, as connection state recovery does).
void encode_event_to(std::string& text_out, std::vector<std::string>& attachments_out,
                     std::string_view nsp, std::optional<std::uint64_t> id, std::string_view event,
                     std::span<const codec::json::Value> args);

// ---- Decoding ------------------------------------------------------------------------------

// Turns the Engine.IO messages of one connection back into packets. Feed each text message to
// feed_text() and each binary message to feed_binary(), in arrival order:
//
//     451-["baz",{"_placeholder":true,"num":0}]   feed_text   -> nullopt (1 attachment to come)
//     01 02 03 04                                 feed_binary -> Event ["baz", Bytes{01 02 03 04}]
//
// Each call returns the packet it completed, nullopt while a binary packet still waits for
// attachments, or an Error (the caller closes the connection). After an error, a half-built
// packet is dropped and the decoder starts clean.
class Decoder {
public:
    explicit Decoder(std::size_t max_attachments = kSioMaxAttachments);

    [[nodiscard]] Result<std::optional<Packet>> feed_text(std::string_view text);
    [[nodiscard]] Result<std::optional<Packet>> feed_binary(std::string_view bytes);

    bool is_awaiting_attachments() const { return pending_ != nullptr; }
    std::size_t attachments_missing() const {
        return pending_ ? pending_->expected_attachments - pending_->received.size() : 0;
    }

    // Forgets a half-built packet (the connection closed, or the caller is starting over).
    void reset();

private:
    Result<std::optional<Packet>> fail(Error error);
    Packet finish_binary_packet();

    // A binary packet waiting for its attachments, with what it needs. On the heap, all of
    // it: rare, and every connection has a Decoder (16 bytes instead of 48).
    struct Pending {
        Packet packet;
        std::size_t expected_attachments = 0;
        std::vector<std::string> received;   // the attachments so far
    };

    std::size_t max_attachments_;
    std::unique_ptr<Pending> pending_;
};

// Decodes one text packet on its own (no attachments follow): for tests and tools. A binary
// packet is returned as sent (BinaryEvent / BinaryAck, placeholders left in place) together
// with its announced attachment count.
struct DecodedText {
    Packet packet;
    std::size_t attachment_count = 0;
};
[[nodiscard]] Result<DecodedText> decode_text(std::string_view text,
                                              std::size_t max_attachments = kSioMaxAttachments);

}   // namespace looplab::socketio
