// looplab/socketio_client/manager_packets.cpp — what travels on the Manager's connection:
// Engine.IO packets in and out (one per WebSocket frame), and the Socket.IO packets inside
// them, handed to the socket of their namespace.
#include "looplab/engineio/packet.hpp"
#include "looplab/socketio_client/manager.hpp"

#include <fmt/format.h>

namespace looplab::socketio_client {

namespace json = codec::json;

namespace {

Result<Millis> read_millis(const json::Value& handshake, std::string_view key) {
    const json::Value* value = handshake.find(key);
    if (value == nullptr || !value->is_int() || value->as_int() < 0)
        return Error::because(fmt::format("engineio: open packet without a valid \"{}\"", key));
    return Millis{value->as_int()};
}

}   // namespace

Result<EngineHandshake> parse_open_packet(std::string_view json_text) {
    auto parsed = json::parse(json_text);
    if (!parsed)
        return Error::because(fmt::format("engineio: open packet: {}", parsed.error().context()));
    const json::Value& handshake = *parsed;
    const json::Value* sid = handshake.find("sid");
    if (!handshake.is_object() || sid == nullptr || !sid->is_string() || sid->as_string().empty())
        return Error::because("engineio: open packet without a \"sid\"");
    auto interval = read_millis(handshake, "pingInterval");
    if (!interval) return interval.error();
    auto timeout = read_millis(handshake, "pingTimeout");
    if (!timeout) return timeout.error();
    EngineHandshake result{sid->as_string(), *interval, *timeout};
    if (const json::Value* max = handshake.find("maxPayload");
        max != nullptr && max->is_int() && max->as_int() > 0)
        result.max_payload = static_cast<std::size_t>(max->as_int());
    return result;
}

// ---- in ----------------------------------------------------------------------------------------

void Manager::on_frame(Connection* connection, const ws::Message& message) {
    if (connection != connection_.get()) return;   // a retired connection still talking
    if (message.kind == ws::MessageKind::Binary) return on_binary_packet(message.payload);
    on_text_packet(message.payload);
}

void Manager::on_text_packet(std::string_view text) {
    report(WireDirection::Received, text, false);
    auto packet = engineio::decode_text_packet(text);
    if (!packet) {
        if (state_ == State::Open) return on_lost(DisconnectReason::ParseError);
        retire_connection(/*abort=*/true);
        return on_attempt_failed(packet.error());
    }
    if (packet->is_binary) return on_socketio_packet(decoder_.feed_binary(packet->data));
    switch (packet->type) {
        case engineio::PacketType::Open: return on_open_packet(packet->data);
        case engineio::PacketType::Ping:
            if (state_ != State::Open) return;
            arm_heartbeat();
            send_engine_text(
                engineio::encode_text_packet(engineio::PacketType::Pong, packet->data));
            emitter_.emit("ping", json::Value{});
            return;
        case engineio::PacketType::Close:
            if (state_ == State::Open) on_lost(DisconnectReason::TransportClose);
            return;
        case engineio::PacketType::Message:
            if (state_ == State::Open) on_socketio_packet(decoder_.feed_text(packet->data));
            return;
        default: return;   // pong, upgrade, noop: nothing for a WebSocket-only client to do
    }
}

void Manager::on_binary_packet(std::string_view bytes) {
    report(WireDirection::Received, bytes, true);
    if (state_ == State::Open) on_socketio_packet(decoder_.feed_binary(bytes));
}

void Manager::on_socketio_packet(Result<std::optional<socketio::Packet>> decoded) {
    if (!decoded) return on_lost(DisconnectReason::ParseError);
    if (!*decoded) return;   // a binary packet waiting for its attachments
    socketio::Packet packet = std::move(**decoded);
    const auto found = sockets_.find(packet.nsp);
    if (found != sockets_.end()) found->second->on_packet(std::move(packet));
    // A packet for a namespace we never joined is ignored, as the reference client does.
}

// ---- out ---------------------------------------------------------------------------------------

bool Manager::send(const socketio::Packet& packet) {
    if (state_ != State::Open || !connection_) return false;
    // Fresh strings, not reused members: a wire listener may emit again from inside.
    std::string text(1, static_cast<char>(engineio::PacketType::Message));
    std::vector<std::string> attachments;
    socketio::encode_to(text, attachments, packet);
    send_engine_text(text);
    for (const std::string& attachment : attachments) {
        if (!connection_) return false;
        report(WireDirection::Sent, attachment, true);
        connection_->socket().send_binary(attachment);
    }
    return true;
}

void Manager::send_engine_text(std::string_view text) {
    if (!connection_) return;
    report(WireDirection::Sent, text, false);
    connection_->socket().send_text(text);
}

void Manager::report(WireDirection direction, std::string_view packet, bool is_binary) {
    if (wire_) wire_(direction, packet, is_binary);
}

}   // namespace looplab::socketio_client
