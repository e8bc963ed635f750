// looplab/socketio/packet_encoder.cpp — a Packet as text plus binary attachments.
//
// The plain case (no Bytes inside) is one pass: header, then json::write_to into the caller's
// buffer. A binary packet needs its attachment count in the header, before the JSON, so the
// Bytes are counted first; then the JSON is written by a small walker of our own that writes a
// placeholder where each Bytes value is and leaves every other value to json::write_to. The
// packet itself is never copied.
#include "looplab/socketio/packet.hpp"

#include "looplab/core/assert.hpp"

#include <array>
#include <charconv>

namespace looplab::socketio {

namespace json = codec::json;

namespace {

std::size_t count_bytes(const json::Value& value) {
    switch (value.type()) {
        case json::Type::Bytes: return 1;
        case json::Type::Array: {
            std::size_t count = 0;
            for (const json::Value& item : value.as_array()) count += count_bytes(item);
            return count;
        }
        case json::Type::Object: {
            std::size_t count = 0;
            for (const json::Member& member : value.as_object())
                count += count_bytes(member.second);
            return count;
        }
        default: return 0;
    }
}

void append_number(std::string& out, std::uint64_t number) {
    std::array<char, 24> digits{};
    const auto end = std::to_chars(digits.data(), digits.data() + digits.size(), number).ptr;
    out.append(digits.data(), end);
}

// Writes `value` as JSON, each Bytes as {"_placeholder":true,"num":N} with N counting from
// the number of attachments already collected (so N = 0, 1, ... in document order).
void write_with_placeholders(std::string& out, std::vector<std::string>& attachments,
                             std::size_t first_attachment, const json::Value& value) {
    switch (value.type()) {
        case json::Type::Bytes:
            out += R"({"_placeholder":true,"num":)";
            append_number(out, attachments.size() - first_attachment);
            out += '}';
            attachments.push_back(value.as_bytes());
            return;
        case json::Type::Array: {
            out += '[';
            bool is_first = true;
            for (const json::Value& item : value.as_array()) {
                if (!is_first) out += ',';
                is_first = false;
                write_with_placeholders(out, attachments, first_attachment, item);
            }
            out += ']';
            return;
        }
        case json::Type::Object: {
            out += '{';
            bool is_first = true;
            for (const json::Member& member : value.as_object()) {
                if (!is_first) out += ',';
                is_first = false;
                json::write_string_to(out, member.first);
                out += ':';
                write_with_placeholders(out, attachments, first_attachment, member.second);
            }
            out += '}';
            return;
        }
        default: json::write_to(out, value);
    }
}

void check_our_packet(PacketType type, std::string_view nsp, std::optional<std::uint64_t> id) {
    LOOPLAB_ASSERT(!nsp.empty() && nsp[0] == '/',
                   "a namespace starts with '/'; write \"/\" for the main namespace");
    LOOPLAB_ASSERT(nsp.find(',') == std::string_view::npos,
                   "a namespace cannot contain ',' (it ends the namespace on the wire)");
    LOOPLAB_ASSERT(
        !id || *id <= kSioMaxAckId,
        "ack ids stay below 2^53 (kSioMaxAckId) so a JavaScript peer reads them exactly");
    LOOPLAB_ASSERT(static_cast<std::uint8_t>(type) <= 6, "unknown Socket.IO packet type");
}

bool can_carry_binary(PacketType type) {
    return type == PacketType::Event || type == PacketType::Ack ||
           type == PacketType::BinaryEvent || type == PacketType::BinaryAck;
}

PacketType binary_type_for(PacketType type) {
    if (type == PacketType::Event) return PacketType::BinaryEvent;
    if (type == PacketType::Ack) return PacketType::BinaryAck;
    return type;
}

// <type>[<attachments>-][<namespace>,][<ack id>]: everything before the JSON.
void write_header(std::string& out, PacketType type, std::size_t bytes_inside, std::string_view nsp,
                  std::optional<std::uint64_t> id) {
    const bool is_binary =
        bytes_inside > 0 || type == PacketType::BinaryEvent || type == PacketType::BinaryAck;
    out += static_cast<char>('0' +
                             static_cast<std::uint8_t>(is_binary ? binary_type_for(type) : type));
    if (is_binary) {
        append_number(out, bytes_inside);
        out += '-';
    }
    if (nsp != "/") {
        out += nsp;
        out += ',';
    }
    if (id) append_number(out, *id);
}

}   // namespace

std::string_view to_string(PacketType type) {
    switch (type) {
        case PacketType::Connect: return "CONNECT";
        case PacketType::Disconnect: return "DISCONNECT";
        case PacketType::Event: return "EVENT";
        case PacketType::Ack: return "ACK";
        case PacketType::ConnectError: return "CONNECT_ERROR";
        case PacketType::BinaryEvent: return "BINARY_EVENT";
        case PacketType::BinaryAck: return "BINARY_ACK";
    }
    return "UNKNOWN";
}

void encode_to(std::string& text_out, std::vector<std::string>& attachments_out,
               const Packet& packet) {
    check_our_packet(packet.type, packet.nsp, packet.id);
    const std::size_t bytes_inside = packet.data ? count_bytes(*packet.data) : 0;
    LOOPLAB_ASSERT(bytes_inside == 0 || can_carry_binary(packet.type),
                   "only an EVENT or an ACK can carry Bytes; send binary data as an argument");
    write_header(text_out, packet.type, bytes_inside, packet.nsp, packet.id);
    if (!packet.data) return;
    if (bytes_inside == 0) {
        json::write_to(text_out, *packet.data);
    } else {
        attachments_out.reserve(attachments_out.size() + bytes_inside);
        write_with_placeholders(text_out, attachments_out, attachments_out.size(), *packet.data);
    }
}

void encode_event_to(std::string& text_out, std::vector<std::string>& attachments_out,
                     std::string_view nsp, std::optional<std::uint64_t> id, std::string_view event,
                     std::span<const json::Value> args) {
    check_our_packet(PacketType::Event, nsp, id);
    std::size_t bytes_inside = 0;
    for (const json::Value& arg : args) bytes_inside += count_bytes(arg);
    write_header(text_out, PacketType::Event, bytes_inside, nsp, id);
    text_out += '[';
    json::write_string_to(text_out, event);
    const std::size_t first_attachment = attachments_out.size();
    for (const json::Value& arg : args) {
        text_out += ',';
        if (bytes_inside == 0) json::write_to(text_out, arg);
        else write_with_placeholders(text_out, attachments_out, first_attachment, arg);
    }
    text_out += ']';
}

EncodedPacket encode(const Packet& packet) {
    EncodedPacket encoded;
    encode_to(encoded.text, encoded.attachments, packet);
    return encoded;
}

bool is_reserved_event(std::string_view name) {
    return name == "connect" || name == "connect_error" || name == "disconnect" ||
           name == "disconnecting" || name == "newListener" || name == "removeListener";
}

}   // namespace looplab::socketio
