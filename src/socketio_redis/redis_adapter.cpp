// socketio_redis/redis_adapter.cpp — subscribing, and broadcasts that cross servers.
#include "looplab/socketio_redis/redis_adapter.hpp"

#include "looplab/socketio/namespace.hpp"
#include "looplab/socketio/server.hpp"

#include <fmt/format.h>

namespace looplab::socketio_redis {

RedisAdapter::RedisAdapter(socketio::Namespace& nsp, RedisBus& bus, RedisAdapterOptions options)
    : ClusterAdapterBase(nsp, bus.loop(), options.requests_timeout,
                         [&bus](std::string_view line) { bus.report(line); }),
      bus_(bus),
      options_(std::move(options)),
      channels_(nsp.name(), options_.key),
      uid_(make_uid(bus.random())) {}

RedisAdapter::~RedisAdapter() { close(); }

void RedisAdapter::init() {
    if (is_subscribed_) return;
    is_subscribed_ = true;
    resp::Client& subscriber = bus_.subscriber();
    pattern_listener_ = subscriber.pubsub().on("pmessage", [this](const resp::PubSubMessage& m) {
        if (m.pattern == channels_.pattern()) on_broadcast_message(m.channel, m.payload);
    });
    message_listener_ = subscriber.pubsub().on("message", [this](const resp::PubSubMessage& m) {
        if (m.channel == channels_.request()) on_request(m.payload);
        else if (channels_.is_response(m.channel)) on_response(m.payload);
    });
    subscriber.psubscribe({channels_.pattern()});
    subscriber.subscribe({channels_.request(), channels_.response(), channels_.response_for(uid_)});
}

void RedisAdapter::close() {
    if (!is_subscribed_) return;
    is_subscribed_ = false;
    resp::Client& subscriber = bus_.subscriber();
    subscriber.pubsub().off(pattern_listener_);
    subscriber.pubsub().off(message_listener_);
    // Another namespace may share nothing with us: these channels are ours alone.
    subscriber.punsubscribe({channels_.pattern()});
    subscriber.unsubscribe(
        {channels_.request(), channels_.response(), channels_.response_for(uid_)});
}

// Every subscriber of the request channel is one server (ourselves included).
void RedisAdapter::server_count(std::function<void(std::size_t)> done) {
    // Redis away: the question would wait for the reconnection; this server alone answers.
    if (!bus_.publisher().is_ready()) return done(1);
    bus_.publisher().pubsub_numsub(
        std::vector<std::string>{channels_.request()},
        [this, done = std::move(done), alive = alive_token()](auto reply) {
            if (!*alive) return;
            std::size_t count = 1;
            if (reply && !reply->empty() && reply->front().second > 0)
                count = static_cast<std::size_t>(reply->front().second);
            else if (!reply)
                bus_.report(
                    fmt::format("redis adapter {}: cannot count the servers ({}); "
                                "counting this one only",
                                nsp().name(), reply.error().message()));
            done(count);
        });
}

// ---- broadcasts ----------------------------------------------------------------------------

void RedisAdapter::broadcast(socketio::Packet& packet, const socketio::BroadcastOptions& opts) {
    packet.nsp = nsp().name();
    if (!opts.flags.is_local) {
        // One room: its own channel, so a server with no member of it can skip the message
        // without decoding it.
        std::string_view only_room;
        bool is_one_room = !opts.rooms.empty();
        for (const socketio::Room& room : opts.rooms) {
            if (only_room.empty()) only_room = room;
            else if (room != only_room) is_one_room = false;
        }
        const std::string channel = is_one_room ? channels_.room(only_room) : channels_.broadcast();
        bus_.publisher().publish(channel, encode_broadcast(uid_, packet, opts));
    }
    InMemoryAdapter::broadcast(packet, opts);
}

void RedisAdapter::on_broadcast_message(std::string_view channel, std::string_view payload) {
    const auto room = channels_.room_of(channel);
    if (!room) return;
    if (!room->empty() && room_size(*room) == 0) return;   // none of its members are here
    auto message = decode_broadcast(payload);
    if (!message) {
        bus_.report(fmt::format("redis adapter {}: ignored a broadcast on {}: {}", nsp().name(),
                                channel, message.error().message()));
        return;
    }
    if (message->uid == uid_) return;   // our own, delivered already
    if (message->packet.nsp != nsp().name()) return;
    InMemoryAdapter::broadcast(message->packet, message->opts);
}

void RedisAdapter::broadcast_with_ack(socketio::Packet& packet,
                                      const socketio::BroadcastOptions& opts,
                                      const std::function<void(std::size_t)>& client_count,
                                      const std::function<void(const socketio::Args&)>& on_answer) {
    packet.nsp = nsp().name();
    if (!opts.flags.is_local) {
        const std::string request_id = make_uid(bus_.random());
        // Without our ack id: every server numbers its own recipients' acks.
        socketio::Packet shared = packet;
        shared.id.reset();
        json::Value request = json::Value::object();
        request.set("uid", uid_);
        request.set("requestId", request_id);
        request.set("type", static_cast<int>(RequestType::Broadcast));
        request.set("packet", packet_to_json(shared));
        request.set("opts", options_to_json(opts, true));
        bus_.publisher().publish(channels_.request(), encode_msgpack_message(request));
        remember_broadcast_ack(request_id, client_count, on_answer,
                               opts.flags.timeout.value_or(options_.requests_timeout));
    }
    InMemoryAdapter::broadcast_with_ack(packet, opts, client_count, on_answer);
}

}   // namespace looplab::socketio_redis
