// socketio_redis/sharded_redis_adapter.cpp — sharded channels, and broadcasts across servers.
#include "looplab/socketio_redis/sharded_redis_adapter.hpp"

#include "looplab/codec/msgpack.hpp"
#include "looplab/socketio/namespace.hpp"
#include "looplab/socketio/server.hpp"

#include <fmt/format.h>

namespace looplab::socketio_redis {

namespace {

// socket.io-adapter's rule: a 20-character room is probably a socket id, whose broadcasts go
// on the main channel (nobody subscribes to one channel per socket).
constexpr std::size_t kSocketIdLength = 20;

std::string make_hex_uid(std::minstd_rand& random) {
    static constexpr std::string_view kHex = "0123456789abcdef";
    std::uniform_int_distribution<std::size_t> pick(0, kHex.size() - 1);
    std::string uid(kRedisShardedUidLength, '0');
    for (char& c : uid) c = kHex[pick(random)];
    return uid;
}

}   // namespace

ShardedRedisAdapter::ShardedRedisAdapter(socketio::Namespace& nsp, ShardedRedisBus& bus,
                                         RedisAdapterOptions options)
    : ClusterAdapterBase(nsp, bus.loop(), options.requests_timeout,
                         [&bus](std::string_view line) { bus.report(line); }),
      bus_(bus),
      options_(std::move(options)),
      main_channel_(fmt::format("{}#{}#", options_.key, nsp.name())),
      uid_(make_hex_uid(bus.random())),
      response_channel_(main_channel_ + uid_ + "#") {}

ShardedRedisAdapter::~ShardedRedisAdapter() { close(); }

void ShardedRedisAdapter::init() {
    if (is_subscribed_) return;
    is_subscribed_ = true;
    message_listener_ = bus_.redis().pubsub().on("smessage", [this](const resp::PubSubMessage& m) {
        if (m.channel.starts_with(main_channel_)) on_raw_message(m.channel, m.payload);
    });
    bus_.redis().ssubscribe({main_channel_, response_channel_});
}

void ShardedRedisAdapter::close() {
    if (!is_subscribed_) return;
    is_subscribed_ = false;
    bus_.redis().pubsub().off(message_listener_);
    std::vector<std::string> channels{main_channel_, response_channel_};
    for (const socketio::Room& room : rooms())
        if (is_public_room(room)) channels.push_back(room_channel(room));
    bus_.redis().sunsubscribe(std::move(channels));
}

bool ShardedRedisAdapter::is_public_room(std::string_view room) const {
    return nsp().find_socket(room) == nullptr;
}

void ShardedRedisAdapter::on_room_created(const socketio::Room& room) {
    if (is_subscribed_ && is_public_room(room)) bus_.redis().ssubscribe({room_channel(room)});
}

void ShardedRedisAdapter::on_room_deleted(const socketio::Room& room) {
    if (is_subscribed_ && is_public_room(room)) bus_.redis().sunsubscribe({room_channel(room)});
}

void ShardedRedisAdapter::server_count(std::function<void(std::size_t)> done) {
    if (!bus_.redis().is_ready()) return done(1);
    bus_.redis().pubsub_shardnumsub(
        main_channel_,
        [this, done = std::move(done), alive = alive_token()](Result<std::int64_t> count) {
            if (!*alive) return;
            if (!count) {
                bus_.report(fmt::format(
                    "redis adapter {}: cannot count the servers ({}); counting this one only",
                    nsp().name(), count.error().message()));
                return done(1);
            }
            done(*count > 0 ? static_cast<std::size_t>(*count) : 1);
        });
}

// ---- publishing ------------------------------------------------------------------------------

// {type, data, uid, nsp}: JSON, or msgpack when the data holds binary (JSON cannot carry it).
void ShardedRedisAdapter::publish(ClusterMessageType type, json::Value data,
                                  const std::string& channel) {
    const bool has_binary = data.has_bytes();
    json::Value message = json::Value::object();
    message.set("type", static_cast<int>(type));
    message.set("data", std::move(data));
    message.set("uid", uid_);
    message.set("nsp", nsp().name());
    bus_.redis().spublish(
        channel, has_binary ? encode_msgpack_message(message) : encode_json_message(message));
}

void ShardedRedisAdapter::publish_response(const std::string& requester, ClusterMessageType type,
                                           json::Value data) {
    publish(type, std::move(data), main_channel_ + requester + "#");
}

void ShardedRedisAdapter::broadcast(socketio::Packet& packet,
                                    const socketio::BroadcastOptions& opts) {
    packet.nsp = nsp().name();
    if (!opts.flags.is_local) {
        json::Value data = json::Value::object();
        data.set("packet", packet_to_json(packet));
        data.set("opts", options_to_json(opts, true));
        // One public room: its own channel, heard only by the servers with a member of it.
        const bool one_room = opts.rooms.size() == 1 && opts.rooms[0].size() != kSocketIdLength;
        publish(ClusterMessageType::Broadcast, std::move(data),
                one_room ? room_channel(opts.rooms[0]) : main_channel_);
    }
    InMemoryAdapter::broadcast(packet, opts);
}

void ShardedRedisAdapter::broadcast_with_ack(
    socketio::Packet& packet, const socketio::BroadcastOptions& opts,
    const std::function<void(std::size_t)>& client_count,
    const std::function<void(const socketio::Args&)>& on_answer) {
    packet.nsp = nsp().name();
    if (!opts.flags.is_local) {
        const std::string request_id = make_hex_uid(bus_.random());
        socketio::Packet shared = packet;
        shared.id.reset();   // every server numbers its own recipients' acks
        json::Value data = json::Value::object();
        data.set("packet", packet_to_json(shared));
        data.set("requestId", request_id);
        data.set("opts", options_to_json(opts, true));
        // On the main channel: the server count covers every server, not a room's.
        publish(ClusterMessageType::Broadcast, std::move(data), main_channel_);
        remember_broadcast_ack(request_id, client_count, on_answer,
                               opts.flags.timeout.value_or(options_.requests_timeout));
    }
    InMemoryAdapter::broadcast_with_ack(packet, opts, client_count, on_answer);
}

// ---- receiving -------------------------------------------------------------------------------

void ShardedRedisAdapter::on_raw_message(std::string_view channel, std::string_view payload) {
    // Only our channels: the main one, one of a room, ours for answers (not another server's).
    std::string_view rest = channel.substr(main_channel_.size());
    const bool is_ours = channel == main_channel_ || channel == response_channel_ ||
                         (rest.ends_with('#') && room_size(rest.substr(0, rest.size() - 1)) > 0);
    if (!is_ours) return;
    auto decoded = decode_message(payload);
    if (!decoded) {
        bus_.report(fmt::format("redis adapter {}: ignored a message on {}: {}", nsp().name(),
                                channel, decoded.error().message()));
        return;
    }
    const json::Value* uid = decoded->find("uid");
    if (uid != nullptr && uid->is_string() && uid->as_string() == uid_) return;   // our own
    const json::Value* nsp_name = decoded->find("nsp");
    if (nsp_name == nullptr || !nsp_name->is_string() || nsp_name->as_string() != nsp().name())
        return;
    if (channel == response_channel_) on_response(*decoded);
    else on_message(*decoded);
}

}   // namespace looplab::socketio_redis
