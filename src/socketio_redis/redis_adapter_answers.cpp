// socketio_redis/redis_adapter_answers.cpp — the cluster questions other servers ask us
// (sockets, all rooms, fetch, join / leave / disconnect, server-side events), answered from
// this server's own sockets. Asking ours: redis_adapter_requests.cpp.
#include "looplab/socketio_redis/redis_adapter.hpp"

#include "looplab/socketio/namespace.hpp"
#include "looplab/socketio/server.hpp"
#include "looplab/socketio/socket.hpp"
#include "looplab/socketio_redis/socket_description.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace looplab::socketio_redis {

// ---- answering -------------------------------------------------------------------------------

void RedisAdapter::publish_response(const json::Value& request, std::string body) {
    const std::string channel = options_.publish_on_specific_response_channel
                                    ? channels_.response_for(message_text(request, "uid"))
                                    : channels_.response();
    bus_.publisher().publish(channel, std::move(body));
}

void RedisAdapter::on_request(std::string_view payload) {
    auto decoded = decode_message(payload);
    if (!decoded) {
        bus_.report(fmt::format("redis adapter {}: ignored a request: {}", nsp().name(),
                                decoded.error().message()));
        return;
    }
    const json::Value& request = *decoded;
    const std::string request_id = message_text(request, "requestId");
    const bool is_ours = message_text(request, "uid") == uid_;
    const json::Value* opts_json = request.find("opts");
    auto opts = opts_json != nullptr
                    ? options_from_json(*opts_json)
                    : Result<socketio::BroadcastOptions>{socketio::BroadcastOptions{}};
    if (!opts) {
        bus_.report(fmt::format("redis adapter {}: ignored a request: {}", nsp().name(),
                                opts.error().message()));
        return;
    }
    const auto rooms_field = [&] {
        std::vector<socketio::Room> rooms;
        if (const json::Value* list = request.find("rooms"); list != nullptr && list->is_array())
            for (const json::Value& room : list->as_array())
                if (room.is_string()) rooms.push_back(room.as_string());
        return rooms;
    };
    const auto answer = [&](const char* field, json::Value value) {
        json::Value response = json::Value::object();
        response.set("requestId", request_id);
        response.set(field, std::move(value));
        publish_response(request, encode_json_message(response));
    };

    switch (static_cast<RequestType>(message_type(request))) {
        case RequestType::Sockets: {
            if (is_ours) return;
            const std::vector<socketio::Room> rooms = rooms_field();
            InMemoryAdapter::sockets(rooms, [&](std::vector<socketio::SocketId> ids) {
                json::Array list;
                for (socketio::SocketId& id : ids) list.emplace_back(std::move(id));
                answer("sockets", json::Value{std::move(list)});
            });
            return;
        }
        case RequestType::AllRooms: {
            if (is_ours) return;
            json::Array list;
            for (socketio::Room& room : rooms_with_socket_ids()) list.emplace_back(std::move(room));
            answer("rooms", json::Value{std::move(list)});
            return;
        }
        case RequestType::RemoteFetch: {
            if (is_ours) return;
            json::Array list;
            InMemoryAdapter::fetch_sockets(*opts, [&](std::vector<socketio::SocketInfo> found) {
                for (const socketio::SocketInfo& info : found)
                    list.push_back(describe_socket(*info.local));
            });
            answer("sockets", json::Value{std::move(list)});
            return;
        }
        case RequestType::RemoteJoin:
        case RequestType::RemoteLeave:
        case RequestType::RemoteDisconnect:
            answer_membership_request(request, *opts, is_ours);
            return;
        case RequestType::ServerSideEmit:
            if (!is_ours) answer_server_side_emit(request);
            return;
        case RequestType::Broadcast:
            if (!is_our_broadcast_ack(request_id)) answer_broadcast_request(request, *opts);
            return;
        default: return;   // an answer on the request channel, or a type we do not know: not for us
    }
}

// Join / leave / disconnect: for a selection (`opts`), or (older form) for one socket `sid`,
// which is answered so the asking server's promise settles.
void RedisAdapter::answer_membership_request(const json::Value& request,
                                             const socketio::BroadcastOptions& opts, bool is_ours) {
    if (is_ours) return;   // done locally when we asked
    const auto type = static_cast<RequestType>(message_type(request));
    std::vector<socketio::Room> rooms;
    if (const json::Value* list = request.find("rooms"); list != nullptr && list->is_array())
        for (const json::Value& room : list->as_array())
            if (room.is_string()) rooms.push_back(room.as_string());
    const json::Value* close = request.find("close");
    const bool close_underlying = close != nullptr && close->is_bool() && close->as_bool();
    if (request.find("opts") != nullptr) {
        if (type == RequestType::RemoteJoin) InMemoryAdapter::add_sockets(opts, rooms);
        else if (type == RequestType::RemoteLeave) InMemoryAdapter::del_sockets(opts, rooms);
        else InMemoryAdapter::disconnect_sockets(opts, close_underlying);
        return;
    }
    socketio::Socket* socket = nsp().find_socket(message_text(request, "sid"));
    if (socket == nullptr) return;   // another server has it
    const std::string room = message_text(request, "room");
    if (type == RequestType::RemoteJoin) socket->join(room);
    else if (type == RequestType::RemoteLeave) socket->leave(room);
    else socket->disconnect(close_underlying);
    json::Value response = json::Value::object();
    response.set("requestId", message_text(request, "requestId"));
    publish_response(request, encode_json_message(response));
}

void RedisAdapter::answer_server_side_emit(const json::Value& request) {
    const json::Value* data = request.find("data");
    if (data == nullptr || !data->is_array()) return;
    const std::string request_id = message_text(request, "requestId");
    socketio::ServerSideReply reply;
    if (!request_id.empty())
        reply = socketio::ServerSideReply{
            [this, request_id, alive = alive_token()](json::Value answer) {
                if (!*alive) return;
                json::Value response = json::Value::object();
                response.set("type", static_cast<int>(RequestType::ServerSideEmit));
                response.set("requestId", request_id);
                response.set("data", std::move(answer));
                // Always the shared channel: the official adapter answers these there too.
                bus_.publisher().publish(channels_.response(), encode_json_message(response));
            }};
    nsp().receive_server_side(data->as_array(), std::move(reply));
}

// Another server's broadcast with acks: deliver to our members with our own ack id, say how
// many they are, then pass each answer back.
void RedisAdapter::answer_broadcast_request(const json::Value& request,
                                            socketio::BroadcastOptions opts) {
    const json::Value* packet_json = request.find("packet");
    if (packet_json == nullptr) return;
    auto packet = packet_from_json(*packet_json);
    if (!packet || packet->nsp != nsp().name()) return;
    packet->id = nsp().next_ack_id();
    if (!opts.flags.timeout) opts.flags.timeout = options_.requests_timeout;
    const std::string request_id = message_text(request, "requestId");
    const json::Value asked = request;
    InMemoryAdapter::broadcast_with_ack(
        *packet, opts,
        [&](std::size_t count) {
            json::Value response = json::Value::object();
            response.set("type", static_cast<int>(RequestType::BroadcastClientCount));
            response.set("requestId", request_id);
            response.set("clientCount", count);
            publish_response(asked, encode_json_message(response));
        },
        [this, request_id, asked, alive = alive_token()](const socketio::Args& answer) {
            if (!*alive) return;
            json::Value response = json::Value::object();
            response.set("type", static_cast<int>(RequestType::BroadcastAck));
            response.set("requestId", request_id);
            response.set("packet", answer.empty() ? json::Value{} : answer[0]);
            publish_response(asked, encode_msgpack_message(response));
        });
}

}   // namespace looplab::socketio_redis
