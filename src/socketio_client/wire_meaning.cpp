// looplab/socketio_client/wire_meaning.cpp — a packet on the wire, told in words.
#include "looplab/socketio_client/wire_meaning.hpp"

#include "looplab/engineio/packet.hpp"
#include "looplab/socketio/packet.hpp"
#include "looplab/socketio_client/manager.hpp"

#include <fmt/format.h>

namespace looplab::socketio_client {

namespace {

namespace json = codec::json;

std::string plural(std::size_t count, std::string_view word) {
    return fmt::format("{} {}{}", count, word, count == 1 ? "" : "s");
}

std::string describe_open(std::string_view data) {
    auto handshake = parse_open_packet(data);
    if (!handshake) return "open, unreadable: " + handshake.error().message();
    return fmt::format("open: session {}, ping every {} ms, pong within {} ms", handshake->sid,
                       handshake->ping_interval.count(), handshake->ping_timeout.count());
}

std::string describe_connect(const socketio::Packet& packet) {
    if (!packet.data) return fmt::format("CONNECT to {}", packet.nsp);
    const json::Value* sid = packet.data->find("sid");
    if (sid != nullptr && sid->is_string()) {
        const bool has_pid = packet.data->find("pid") != nullptr;
        return fmt::format("CONNECT to {} accepted: socket id {}{}", packet.nsp, sid->as_string(),
                           has_pid ? " (state recovery on)" : "");
    }
    return fmt::format("CONNECT to {} with auth {}", packet.nsp, json::write(*packet.data));
}

std::string describe_event(const socketio::Packet& packet, std::size_t attachments) {
    const json::Array& data = packet.data->as_array();
    const std::string name = data[0].is_string() ? data[0].as_string() : json::write(data[0]);
    std::string text = fmt::format("EVENT \"{}\" on {} with {}", name, packet.nsp,
                                   plural(data.size() - 1, "argument"));
    if (packet.id) text += fmt::format(", asks for ack {}", *packet.id);
    if (attachments > 0)
        text += fmt::format(", {} follow{}", plural(attachments, "binary attachment"),
                            attachments == 1 ? "s" : "");
    return text;
}

std::string describe_socketio(std::string_view text) {
    auto decoded = socketio::decode_text(text);
    if (!decoded) return "not a Socket.IO packet: " + decoded.error().message();
    const socketio::Packet& packet = decoded->packet;
    const std::size_t attachments = decoded->attachment_count;
    switch (packet.type) {
        case socketio::PacketType::Connect: return describe_connect(packet);
        case socketio::PacketType::Disconnect: return fmt::format("DISCONNECT from {}", packet.nsp);
        case socketio::PacketType::Event:
        case socketio::PacketType::BinaryEvent: return describe_event(packet, attachments);
        case socketio::PacketType::Ack:
        case socketio::PacketType::BinaryAck: {
            std::string result = fmt::format("ACK {} on {} with {}", packet.id.value_or(0),
                                             packet.nsp, plural(packet.data->size(), "argument"));
            if (attachments > 0)
                result += fmt::format(", {} to follow", plural(attachments, "binary attachment"));
            return result;
        }
        case socketio::PacketType::ConnectError: {
            const json::Value* message =
                packet.data->is_object() ? packet.data->find("message") : nullptr;
            return fmt::format("CONNECT_ERROR on {}: {}", packet.nsp,
                               message != nullptr && message->is_string()
                                   ? message->as_string()
                                   : json::write(*packet.data));
        }
    }
    return "Socket.IO packet";
}

}   // namespace

std::string describe_packet(std::string_view packet, bool is_binary) {
    if (is_binary) return fmt::format("binary attachment: {} bytes", packet.size());
    auto decoded = engineio::decode_text_packet(packet);
    if (!decoded) return "not an Engine.IO packet: " + decoded.error().message();
    if (decoded->is_binary)
        return fmt::format("binary attachment (base64): {} bytes", decoded->data.size());
    const std::string_view data = decoded->data;
    switch (decoded->type) {
        case engineio::PacketType::Open: return describe_open(data);
        case engineio::PacketType::Close: return "close: the connection ends";
        case engineio::PacketType::Ping:
            return data == "probe" ? "ping probe (upgrade)" : "ping: is the client still there?";
        case engineio::PacketType::Pong:
            return data == "probe" ? "pong probe (upgrade)" : "pong: still here";
        case engineio::PacketType::Upgrade: return "upgrade: from now on, this transport";
        case engineio::PacketType::Noop: return "noop";
        case engineio::PacketType::Message: return describe_socketio(data);
    }
    return "Engine.IO packet";
}

}   // namespace looplab::socketio_client
