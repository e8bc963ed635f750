// socketio_redis/broadcast_message.cpp — [uid, packet, opts] as msgpack, both ways.
#include "looplab/codec/msgpack.hpp"
#include "looplab/codec/utf8.hpp"
#include "looplab/socketio_redis/wire.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace looplab::socketio_redis {

namespace msgpack = codec::msgpack;

namespace {

Error wrong(std::string_view what) {
    return Error::because(fmt::format("redis adapter: {}", what));
}

// Each name once, in order: the sender's Sets have no duplicates either.
msgpack::Value unique_names(const std::vector<socketio::Room>& names) {
    msgpack::Array out;
    out.reserve(names.size());
    for (const socketio::Room& name : names) {
        const bool seen = std::any_of(
            out.begin(), out.end(), [&](const msgpack::Value& v) { return v.as_string() == name; });
        if (!seen) out.emplace_back(name);
    }
    return msgpack::Value{std::move(out)};
}

}   // namespace

std::string encode_broadcast(std::string_view uid, const socketio::Packet& packet,
                             const socketio::BroadcastOptions& opts) {
    msgpack::Map wire_packet;
    wire_packet.emplace_back("type", static_cast<int>(socketio::PacketType::Event));
    wire_packet.emplace_back("data",
                             packet.data ? msgpack::from_json(*packet.data) : msgpack::Value{});
    wire_packet.emplace_back("nsp", packet.nsp);
    if (packet.id) wire_packet.emplace_back("id", static_cast<std::int64_t>(*packet.id));

    msgpack::Map flags;
    if (opts.flags.is_volatile) flags.emplace_back("volatile", true);
    if (opts.flags.timeout)
        flags.emplace_back("timeout", static_cast<std::int64_t>(opts.flags.timeout->count()));
    msgpack::Map wire_opts;
    wire_opts.emplace_back("rooms", unique_names(opts.rooms));
    wire_opts.emplace_back("except", unique_names(opts.except));
    wire_opts.emplace_back("flags", std::move(flags));

    msgpack::Array message;
    message.emplace_back(uid);
    message.emplace_back(std::move(wire_packet));
    message.emplace_back(std::move(wire_opts));
    return msgpack::encode(msgpack::Value{std::move(message)});
}

Result<BroadcastMessage> decode_broadcast(std::string_view bytes) {
    auto decoded = msgpack::decode(bytes);
    if (!decoded)
        return wrong(fmt::format("a broadcast is not msgpack: {}", decoded.error().message()));
    if (decoded->type() != msgpack::Type::Array || decoded->as_array().size() != 3)
        return wrong("a broadcast must be a 3-element array [uid, packet, opts]");
    const msgpack::Array& parts = decoded->as_array();
    if (parts[0].type() != msgpack::Type::String)
        return wrong("a broadcast's uid must be a string");

    BroadcastMessage message;
    message.uid = parts[0].as_string();
    if (!codec::is_valid_utf8(message.uid)) return wrong("a broadcast's uid is not UTF-8");
    auto packet_json = msgpack::to_json(parts[1]);
    if (!packet_json)
        return wrong(fmt::format("a broadcast's packet: {}", packet_json.error().message()));
    if (!holds_only_utf8(*packet_json))
        return wrong("a broadcast's packet holds a string that is not UTF-8");
    auto packet = packet_from_json(*packet_json);
    if (!packet) return packet.error();
    message.packet = std::move(*packet);
    auto opts_json = msgpack::to_json(parts[2]);
    if (!opts_json)
        return wrong(fmt::format("a broadcast's opts: {}", opts_json.error().message()));
    if (!holds_only_utf8(*opts_json))
        return wrong("a broadcast's rooms hold a name that is not UTF-8");
    auto opts = options_from_json(*opts_json);
    if (!opts) return opts.error();
    message.opts = std::move(*opts);
    return message;
}

}   // namespace looplab::socketio_redis
