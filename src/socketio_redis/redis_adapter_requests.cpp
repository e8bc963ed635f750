// socketio_redis/redis_adapter_requests.cpp — the cluster questions: asking the other
// servers (sockets, all rooms, fetch, join / leave / disconnect, server-side events) and
// answering theirs.
#include "looplab/socketio_redis/redis_adapter.hpp"

#include "looplab/socketio/namespace.hpp"
#include "looplab/socketio/server.hpp"
#include "looplab/socketio/socket.hpp"
#include "looplab/socketio_redis/socket_description.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace looplab::socketio_redis {

namespace {

json::Value room_array(std::span<const socketio::Room> rooms) {
    json::Array list;
    for (const socketio::Room& room : rooms) list.emplace_back(room);
    return json::Value{std::move(list)};
}

void add_unique(std::vector<std::string>& to, std::string value) {
    if (std::find(to.begin(), to.end(), value) == to.end()) to.push_back(std::move(value));
}

int type_of(const json::Value& message) {
    const json::Value* type = message.find("type");
    return type != nullptr && type->is_int() ? static_cast<int>(type->as_int()) : -1;
}

std::string text_of(const json::Value& message, std::string_view field) {
    const json::Value* value = message.find(field);
    return value != nullptr && value->is_string() ? value->as_string() : std::string{};
}

}   // namespace

// ---- asking ----------------------------------------------------------------------------------

void RedisAdapter::publish_request(const json::Value& request) const {
    bus_.publisher().publish(channels_.request(), encode_json_message(request));
}

// Counts the servers, then (when there are others) publishes `request` and waits for their
// answers: one per other server, or per server when `count_self` (the official adapter counts
// its own local part as the first answer for sockets / all rooms / fetch).
void RedisAdapter::ask(json::Value request, PendingRequest pending, bool count_self) {
    server_count([this, request = std::move(request), pending = std::move(pending),
                  count_self](std::size_t servers) mutable {
        const std::size_t others = servers > 0 ? servers - 1 : 0;
        if (others == 0) return pending.finish(pending, false);
        pending.servers = servers;
        pending.expected = count_self ? servers : others;
        pending.received = count_self ? 1 : 0;
        wait_for_answers(text_of(request, "requestId"), std::move(pending));
        publish_request(request);
    });
}

json::Value RedisAdapter::new_request(RequestType type) {
    json::Value request = json::Value::object();
    request.set("uid", uid_);
    request.set("requestId", make_uid(bus_.random()));
    request.set("type", static_cast<int>(type));
    return request;
}

void RedisAdapter::sockets(std::span<const socketio::Room> rooms,
                           std::function<void(std::vector<socketio::SocketId>)> done) {
    PendingRequest pending;
    pending.what = "sockets";
    InMemoryAdapter::sockets(
        rooms, [&](std::vector<socketio::SocketId> ids) { pending.ids = std::move(ids); });
    pending.finish = [done = std::move(done)](PendingRequest& ended, bool) {
        done(std::move(ended.ids));
    };
    json::Value request = new_request(RequestType::Sockets);
    request.set("rooms", room_array(rooms));
    ask(std::move(request), std::move(pending), true);
}

void RedisAdapter::all_rooms(std::function<void(std::vector<socketio::Room>)> done) {
    PendingRequest pending;
    pending.what = "all_rooms";
    pending.rooms = rooms_with_socket_ids();
    pending.finish = [done = std::move(done)](PendingRequest& ended, bool) {
        done(std::move(ended.rooms));
    };
    ask(new_request(RequestType::AllRooms), std::move(pending), true);
}

void RedisAdapter::fetch_sockets(const socketio::BroadcastOptions& opts,
                                 std::function<void(std::vector<socketio::SocketInfo>)> done) {
    if (opts.flags.is_local) return InMemoryAdapter::fetch_sockets(opts, std::move(done));
    json::Value request = new_request(RequestType::RemoteFetch);
    request.set("opts", options_to_json(opts, false));
    ask(std::move(request), fetch_request(opts, std::move(done)), true);
}

// Join / leave / disconnect: done here at once, and published for the others (the official
// adapter waits for its own request to come back through Redis; doing it now means a local
// join never waits for Redis, and our uid tells us to skip the echo).
void RedisAdapter::add_sockets(const socketio::BroadcastOptions& opts,
                               std::span<const socketio::Room> rooms) {
    InMemoryAdapter::add_sockets(opts, rooms);
    if (opts.flags.is_local) return;
    json::Value request = new_request(RequestType::RemoteJoin);
    request.set("opts", options_to_json(opts, false));
    request.set("rooms", room_array(rooms));
    publish_request(request);
}

void RedisAdapter::del_sockets(const socketio::BroadcastOptions& opts,
                               std::span<const socketio::Room> rooms) {
    InMemoryAdapter::del_sockets(opts, rooms);
    if (opts.flags.is_local) return;
    json::Value request = new_request(RequestType::RemoteLeave);
    request.set("opts", options_to_json(opts, false));
    request.set("rooms", room_array(rooms));
    publish_request(request);
}

void RedisAdapter::disconnect_sockets(const socketio::BroadcastOptions& opts,
                                      bool close_underlying) {
    if (!opts.flags.is_local) {
        json::Value request = new_request(RequestType::RemoteDisconnect);
        request.set("opts", options_to_json(opts, false));
        request.set("close", close_underlying);
        publish_request(request);
    }
    InMemoryAdapter::disconnect_sockets(opts, close_underlying);
}

bool RedisAdapter::server_side_emit(const json::Array& event) {
    json::Value request = json::Value::object();
    request.set("uid", uid_);
    request.set("type", static_cast<int>(RequestType::ServerSideEmit));
    request.set("data", json::Value{event});
    publish_request(request);
    return true;
}

void RedisAdapter::server_side_emit_with_ack(const json::Array& event,
                                             socketio::BroadcastAckCallback done) {
    json::Value request = new_request(RequestType::ServerSideEmit);
    request.set("data", json::Value{event});
    ask(std::move(request), server_side_request(std::move(done)), false);
}

// ---- answering -------------------------------------------------------------------------------

void RedisAdapter::publish_response(const json::Value& request, std::string body) {
    const std::string channel = options_.publish_on_specific_response_channel
                                    ? channels_.response_for(text_of(request, "uid"))
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
    const std::string request_id = text_of(request, "requestId");
    const bool is_ours = text_of(request, "uid") == uid_;
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

    switch (static_cast<RequestType>(type_of(request))) {
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
    const auto type = static_cast<RequestType>(type_of(request));
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
    socketio::Socket* socket = nsp().find_socket(text_of(request, "sid"));
    if (socket == nullptr) return;   // another server has it
    const std::string room = text_of(request, "room");
    if (type == RequestType::RemoteJoin) socket->join(room);
    else if (type == RequestType::RemoteLeave) socket->leave(room);
    else socket->disconnect(close_underlying);
    json::Value response = json::Value::object();
    response.set("requestId", text_of(request, "requestId"));
    publish_response(request, encode_json_message(response));
}

void RedisAdapter::answer_server_side_emit(const json::Value& request) {
    const json::Value* data = request.find("data");
    if (data == nullptr || !data->is_array()) return;
    const std::string request_id = text_of(request, "requestId");
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
    const std::string request_id = text_of(request, "requestId");
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

void RedisAdapter::on_response(std::string_view payload) {
    auto decoded = decode_message(payload);
    if (!decoded) return;   // someone else's garbage: nothing waits for it
    const json::Value& response = *decoded;
    const std::string request_id = text_of(response, "requestId");

    if (is_our_broadcast_ack(request_id)) {
        if (type_of(response) == static_cast<int>(RequestType::BroadcastClientCount)) {
            const json::Value* count = response.find("clientCount");
            if (count != nullptr && count->is_int() && count->as_int() >= 0)
                on_remote_client_count(request_id, static_cast<std::size_t>(count->as_int()));
        } else if (type_of(response) == static_cast<int>(RequestType::BroadcastAck)) {
            const json::Value* packet = response.find("packet");
            on_remote_ack(request_id, packet != nullptr ? *packet : json::Value{});
        }
        return;
    }

    PendingRequest* pending = waiting(request_id);
    if (pending == nullptr) return;   // not ours, or already ended
    // The question's kind decides what its answers carry (the official adapter's answers
    // to sockets / fetch / all rooms have no type of their own).
    if (pending->what == "sockets" || pending->what == "fetch_sockets") {
        const json::Value* sockets = response.find("sockets");
        if (sockets == nullptr || !sockets->is_array()) return;
        for (const json::Value& socket : sockets->as_array()) {
            if (pending->what == "sockets") {
                if (socket.is_string()) add_unique(pending->ids, socket.as_string());
            } else if (auto info = read_socket_description(socket)) {
                pending->remote.push_back(std::move(*info));
            }
        }
    } else if (pending->what == "all_rooms") {
        const json::Value* rooms = response.find("rooms");
        if (rooms == nullptr || !rooms->is_array()) return;
        for (const json::Value& room : rooms->as_array())
            if (room.is_string()) add_unique(pending->rooms, room.as_string());
    } else {
        const json::Value* data = response.find("data");
        pending->responses.push_back(data != nullptr ? *data : json::Value{});
    }
    answered(request_id);
}

}   // namespace looplab::socketio_redis
