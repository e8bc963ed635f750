// socketio_redis/request_message.cpp — requests, responses, and the packet / options shapes
// they share with broadcasts.
#include "looplab/codec/msgpack.hpp"
#include "looplab/codec/utf8.hpp"
#include "looplab/socketio_redis/wire.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <utility>

namespace looplab::socketio_redis {

namespace msgpack = codec::msgpack;

namespace {

Error wrong(std::string_view what) {
    return Error::because(fmt::format("redis adapter: {}", what));
}

json::Value room_list(const std::vector<socketio::Room>& rooms) {
    json::Array list;
    list.reserve(rooms.size());
    for (const socketio::Room& room : rooms) {
        bool seen = false;
        for (const json::Value& v : list) seen = seen || v.as_string() == room;
        if (!seen) list.emplace_back(room);
    }
    return json::Value{std::move(list)};
}

// A list of room names; JavaScript lets a room be a number, which arrives as its text.
Result<std::vector<socketio::Room>> rooms_from(const json::Value* value, std::string_view field) {
    std::vector<socketio::Room> rooms;
    if (value == nullptr || value->is_null()) return rooms;
    if (!value->is_array()) return wrong(fmt::format("opts.{} must be an array", field));
    for (const json::Value& room : value->as_array()) {
        if (room.is_string()) rooms.push_back(room.as_string());
        else if (room.is_number()) rooms.push_back(json::write(room));
        else return wrong(fmt::format("opts.{} must hold strings", field));
    }
    return rooms;
}

}   // namespace

// msgpack strings are raw bytes; JSON text must be UTF-8. A string that is not (a broken peer,
// or a lone UTF-16 surrogate a JavaScript encoder wrote) is refused here, as our JSON parser
// refuses it in a Socket.IO packet, so nothing we forward or answer is invalid JSON.
bool holds_only_utf8(const json::Value& value) {
    switch (value.type()) {
        case json::Type::String: return codec::is_valid_utf8(value.as_string());
        case json::Type::Array:
            for (const json::Value& item : value.as_array())
                if (!holds_only_utf8(item)) return false;
            return true;
        case json::Type::Object:
            for (const auto& [key, item] : value.as_object())
                if (!codec::is_valid_utf8(key) || !holds_only_utf8(item)) return false;
            return true;
        default: return true;
    }
}

json::Value packet_to_json(const socketio::Packet& packet) {
    json::Value out = json::Value::object();
    out.set("type", static_cast<int>(socketio::PacketType::Event));
    out.set("data", packet.data ? *packet.data : json::Value{});
    out.set("nsp", packet.nsp);
    if (packet.id) out.set("id", static_cast<std::int64_t>(*packet.id));
    return out;
}

Result<socketio::Packet> packet_from_json(const json::Value& value) {
    if (!value.is_object()) return wrong("packet must be an object");
    const json::Value* type = value.find("type");
    if (type == nullptr || !type->is_int() ||
        (type->as_int() != static_cast<int>(socketio::PacketType::Event) &&
         type->as_int() != static_cast<int>(socketio::PacketType::BinaryEvent)))
        return wrong("packet.type must be 2 (EVENT)");
    const json::Value* data = value.find("data");
    if (data == nullptr || !data->is_array() || data->as_array().empty() ||
        !data->as_array()[0].is_string())
        return wrong("packet.data must be an array starting with the event name");
    socketio::Packet packet;
    packet.type = socketio::PacketType::Event;
    packet.data = *data;
    if (const json::Value* nsp = value.find("nsp"); nsp != nullptr && !nsp->is_null()) {
        if (!nsp->is_string() || !nsp->as_string().starts_with('/'))
            return wrong("packet.nsp must be a string starting with '/'");
        packet.nsp = nsp->as_string();
    }
    return packet;
}

json::Value options_to_json(const socketio::BroadcastOptions& opts, bool with_flags) {
    json::Value out = json::Value::object();
    out.set("rooms", room_list(opts.rooms));
    out.set("except", room_list(opts.except));
    if (with_flags) {
        json::Value flags = json::Value::object();
        if (opts.flags.is_volatile) flags.set("volatile", true);
        if (opts.flags.timeout)
            flags.set("timeout", static_cast<std::int64_t>(opts.flags.timeout->count()));
        out.set("flags", std::move(flags));
    }
    return out;
}

Result<socketio::BroadcastOptions> options_from_json(const json::Value& value) {
    if (!value.is_object()) return wrong("opts must be an object");
    socketio::BroadcastOptions opts;
    auto rooms = rooms_from(value.find("rooms"), "rooms");
    if (!rooms) return rooms.error();
    opts.rooms = std::move(*rooms);
    auto except = rooms_from(value.find("except"), "except");
    if (!except) return except.error();
    opts.except = std::move(*except);
    if (const json::Value* flags = value.find("flags"); flags != nullptr && flags->is_object()) {
        if (const json::Value* v = flags->find("volatile"); v != nullptr && v->is_bool())
            opts.flags.is_volatile = v->as_bool();
        if (const json::Value* v = flags->find("local"); v != nullptr && v->is_bool())
            opts.flags.is_local = v->as_bool();
        if (const json::Value* v = flags->find("timeout"); v != nullptr && v->is_number()) {
            const double ms = v->is_int() ? static_cast<double>(v->as_int()) : v->as_double();
            if (std::isfinite(ms) && ms >= 0 && ms < 1e12)
                opts.flags.timeout = Millis{static_cast<std::int64_t>(ms)};
        }
    }
    return opts;
}

Result<json::Value> decode_message(std::string_view bytes) {
    Result<json::Value> value = json::Value{};
    if (!bytes.empty() && bytes.front() == '{') {
        value = json::parse(bytes);
        if (!value) return wrong(fmt::format("a request is not JSON: {}", value.error().message()));
    } else {
        auto decoded = msgpack::decode(bytes);
        if (!decoded)
            return wrong(fmt::format("a request is neither JSON nor msgpack: {}",
                                     decoded.error().message()));
        value = msgpack::to_json(*decoded);
        if (!value) return wrong(fmt::format("a msgpack request: {}", value.error().message()));
        if (!holds_only_utf8(*value))
            return wrong("a msgpack request holds a string that is not UTF-8");
    }
    if (!value->is_object()) return wrong("a request must be an object");
    return value;
}

std::string encode_json_message(const json::Value& message) { return json::write(message); }

std::string encode_msgpack_message(const json::Value& message) {
    return msgpack::encode(msgpack::from_json(message));
}

int message_type(const json::Value& message) {
    const json::Value* type = message.find("type");
    return type != nullptr && type->is_int() ? static_cast<int>(type->as_int()) : -1;
}

std::string message_text(const json::Value& message, std::string_view field) {
    const json::Value* value = message.find(field);
    return value != nullptr && value->is_string() ? value->as_string() : std::string{};
}

}   // namespace looplab::socketio_redis
