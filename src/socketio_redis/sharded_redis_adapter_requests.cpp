// socketio_redis/sharded_redis_adapter_requests.cpp — the sharded adapter's cluster messages:
// acting on other servers' messages, asking them questions, gathering their answers.
#include "looplab/socketio_redis/sharded_redis_adapter.hpp"

#include "looplab/socketio/namespace.hpp"
#include "looplab/socketio/server.hpp"
#include "looplab/socketio/socket.hpp"
#include "looplab/socketio_redis/socket_description.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <utility>

namespace looplab::socketio_redis {

namespace {

const json::Value kNull;

const json::Value& field(const json::Value& object, std::string_view name) {
    const json::Value* value = object.is_object() ? object.find(name) : nullptr;
    return value != nullptr ? *value : kNull;
}

std::string text(const json::Value& value) {
    return value.is_string() ? value.as_string() : std::string{};
}

std::vector<socketio::Room> room_list(const json::Value& value) {
    std::vector<socketio::Room> rooms;
    if (value.is_array())
        for (const json::Value& room : value.as_array())
            if (room.is_string()) rooms.push_back(room.as_string());
    return rooms;
}

json::Value rooms_json(std::span<const socketio::Room> rooms) {
    json::Array list(rooms.begin(), rooms.end());
    return json::Value{std::move(list)};
}

}   // namespace

// ---- another server's message ----------------------------------------------------------------

void ShardedRedisAdapter::on_message(const json::Value& message) {
    const json::Value& type = field(message, "type");
    if (!type.is_int()) return;
    const json::Value& data = field(message, "data");
    const std::string sender = text(field(message, "uid"));
    auto opts = options_from_json(field(data, "opts").is_object() ? field(data, "opts")
                                                                  : json::Value::object());
    if (!opts) {
        bus_.report(fmt::format("redis adapter {}: ignored a message: {}", nsp().name(),
                                opts.error().message()));
        return;
    }
    switch (static_cast<ClusterMessageType>(type.as_int())) {
        case ClusterMessageType::Broadcast: {
            auto packet = packet_from_json(field(data, "packet"));
            if (!packet) {
                bus_.report(fmt::format("redis adapter {}: ignored a broadcast: {}", nsp().name(),
                                        packet.error().message()));
                return;
            }
            packet->nsp = nsp().name();
            const std::string request_id = text(field(data, "requestId"));
            if (request_id.empty()) return InMemoryAdapter::broadcast(*packet, *opts);
            // With acks: our recipients answer under our own ack id; count and answers go back.
            packet->id = nsp().next_ack_id();
            if (!opts->flags.timeout) opts->flags.timeout = options_.requests_timeout;
            InMemoryAdapter::broadcast_with_ack(
                *packet, *opts,
                [&](std::size_t count) {
                    json::Value answer = json::Value::object();
                    answer.set("requestId", request_id);
                    answer.set("clientCount", count);
                    publish_response(sender, ClusterMessageType::BroadcastClientCount,
                                     std::move(answer));
                },
                [this, sender, request_id, alive = alive_token()](const socketio::Args& reply) {
                    if (!*alive) return;
                    json::Value answer = json::Value::object();
                    answer.set("requestId", request_id);
                    answer.set("packet", reply.empty() ? json::Value{} : reply[0]);
                    publish_response(sender, ClusterMessageType::BroadcastAck, std::move(answer));
                });
            return;
        }
        case ClusterMessageType::SocketsJoin:
            return InMemoryAdapter::add_sockets(*opts, room_list(field(data, "rooms")));
        case ClusterMessageType::SocketsLeave:
            return InMemoryAdapter::del_sockets(*opts, room_list(field(data, "rooms")));
        case ClusterMessageType::DisconnectSockets:
            return InMemoryAdapter::disconnect_sockets(
                *opts, field(data, "close").is_bool() && field(data, "close").as_bool());
        case ClusterMessageType::FetchSockets: {
            json::Array sockets;
            InMemoryAdapter::fetch_sockets(*opts, [&](std::vector<socketio::SocketInfo> found) {
                for (const socketio::SocketInfo& info : found)
                    sockets.push_back(describe_socket(*info.local));
            });
            json::Value answer = json::Value::object();
            answer.set("requestId", text(field(data, "requestId")));
            answer.set("sockets", json::Value{std::move(sockets)});
            return publish_response(sender, ClusterMessageType::FetchSocketsResponse,
                                    std::move(answer));
        }
        case ClusterMessageType::ServerSideEmit: {
            const json::Value& event = field(data, "packet");
            if (!event.is_array()) return;
            const std::string request_id = text(field(data, "requestId"));
            socketio::ServerSideReply reply;
            if (!request_id.empty())
                reply = socketio::ServerSideReply{
                    [this, sender, request_id, alive = alive_token()](json::Value value) {
                        if (!*alive) return;
                        json::Value answer = json::Value::object();
                        answer.set("requestId", request_id);
                        answer.set("packet", std::move(value));
                        publish_response(sender, ClusterMessageType::ServerSideEmitResponse,
                                         std::move(answer));
                    }};
            return nsp().receive_server_side(event.as_array(), std::move(reply));
        }
        default:
            return on_response(
                message);   // answers may come this way too (as socket.io-adapter allows)
    }
}

void ShardedRedisAdapter::on_response(const json::Value& message) {
    const json::Value& type = field(message, "type");
    if (!type.is_int()) return;
    const json::Value& data = field(message, "data");
    const std::string request_id = text(field(data, "requestId"));
    switch (static_cast<ClusterMessageType>(type.as_int())) {
        case ClusterMessageType::BroadcastClientCount: {
            const json::Value& count = field(data, "clientCount");
            if (count.is_int() && count.as_int() >= 0)
                on_remote_client_count(request_id, static_cast<std::size_t>(count.as_int()));
            return;
        }
        case ClusterMessageType::BroadcastAck:
            return on_remote_ack(request_id, field(data, "packet"));
        case ClusterMessageType::FetchSocketsResponse: {
            PendingRequest* pending = waiting(request_id);
            if (pending == nullptr) return;
            const json::Value& sockets = field(data, "sockets");
            if (sockets.is_array())
                for (const json::Value& socket : sockets.as_array())
                    if (auto info = read_socket_description(socket))
                        pending->remote.push_back(std::move(*info));
            return answered(request_id);
        }
        case ClusterMessageType::ServerSideEmitResponse: {
            PendingRequest* pending = waiting(request_id);
            if (pending == nullptr) return;
            pending->responses.push_back(field(data, "packet"));
            return answered(request_id);
        }
        default: return;
    }
}

// ---- asking ----------------------------------------------------------------------------------

void ShardedRedisAdapter::ask(ClusterMessageType type, json::Value data, PendingRequest pending) {
    server_count([this, type, data = std::move(data),
                  pending = std::move(pending)](std::size_t servers) mutable {
        if (servers <= 1) return pending.finish(pending, false);
        const std::string id = make_uid(bus_.random()) + make_uid(bus_.random());
        data.set("requestId", id);
        pending.servers = servers;
        pending.expected = servers - 1;
        wait_for_answers(id, std::move(pending));
        publish(type, std::move(data), main_channel_);
    });
}

void ShardedRedisAdapter::fetch_sockets(
    const socketio::BroadcastOptions& opts,
    std::function<void(std::vector<socketio::SocketInfo>)> done) {
    if (opts.flags.is_local) return InMemoryAdapter::fetch_sockets(opts, std::move(done));
    json::Value data = json::Value::object();
    data.set("opts", options_to_json(opts, true));
    ask(ClusterMessageType::FetchSockets, std::move(data), fetch_request(opts, std::move(done)));
}

// No message of their own in the sharded protocol: answered from fetch_sockets.
void ShardedRedisAdapter::sockets(std::span<const socketio::Room> rooms,
                                  std::function<void(std::vector<socketio::SocketId>)> done) {
    socketio::BroadcastOptions opts;
    opts.rooms.assign(rooms.begin(), rooms.end());
    fetch_sockets(opts, [done = std::move(done)](std::vector<socketio::SocketInfo> found) {
        std::vector<socketio::SocketId> ids;
        for (socketio::SocketInfo& info : found) ids.push_back(std::move(info.id));
        done(std::move(ids));
    });
}

void ShardedRedisAdapter::all_rooms(std::function<void(std::vector<socketio::Room>)> done) {
    fetch_sockets(socketio::BroadcastOptions{},
                  [done = std::move(done)](std::vector<socketio::SocketInfo> found) {
                      std::set<socketio::Room> rooms;
                      for (const socketio::SocketInfo& info : found) {
                          rooms.insert(info.id);
                          rooms.insert(info.rooms.begin(), info.rooms.end());
                      }
                      done(std::vector<socketio::Room>(rooms.begin(), rooms.end()));
                  });
}

void ShardedRedisAdapter::add_sockets(const socketio::BroadcastOptions& opts,
                                      std::span<const socketio::Room> rooms) {
    if (!opts.flags.is_local) {
        json::Value data = json::Value::object();
        data.set("opts", options_to_json(opts, true));
        data.set("rooms", rooms_json(rooms));
        publish(ClusterMessageType::SocketsJoin, std::move(data), main_channel_);
    }
    InMemoryAdapter::add_sockets(opts, rooms);
}

void ShardedRedisAdapter::del_sockets(const socketio::BroadcastOptions& opts,
                                      std::span<const socketio::Room> rooms) {
    if (!opts.flags.is_local) {
        json::Value data = json::Value::object();
        data.set("opts", options_to_json(opts, true));
        data.set("rooms", rooms_json(rooms));
        publish(ClusterMessageType::SocketsLeave, std::move(data), main_channel_);
    }
    InMemoryAdapter::del_sockets(opts, rooms);
}

void ShardedRedisAdapter::disconnect_sockets(const socketio::BroadcastOptions& opts,
                                             bool close_underlying) {
    if (!opts.flags.is_local) {
        json::Value data = json::Value::object();
        data.set("opts", options_to_json(opts, true));
        data.set("close", close_underlying);
        publish(ClusterMessageType::DisconnectSockets, std::move(data), main_channel_);
    }
    InMemoryAdapter::disconnect_sockets(opts, close_underlying);
}

bool ShardedRedisAdapter::server_side_emit(const json::Array& event) {
    json::Value data = json::Value::object();
    data.set("packet", json::Value{event});
    publish(ClusterMessageType::ServerSideEmit, std::move(data), main_channel_);
    return true;
}

void ShardedRedisAdapter::server_side_emit_with_ack(const json::Array& event,
                                                    socketio::BroadcastAckCallback done) {
    json::Value data = json::Value::object();
    data.set("packet", json::Value{event});
    ask(ClusterMessageType::ServerSideEmit, std::move(data), server_side_request(std::move(done)));
}

}   // namespace looplab::socketio_redis
