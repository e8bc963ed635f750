// socketio_redis/redis_adapter_requests.cpp — the cluster questions: asking the other
// servers (sockets, all rooms, fetch, join / leave / disconnect, server-side events) and
// gathering their answers. Answering theirs: redis_adapter_answers.cpp.
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
        wait_for_answers(message_text(request, "requestId"), std::move(pending));
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

void RedisAdapter::on_response(std::string_view payload) {
    auto decoded = decode_message(payload);
    if (!decoded) return;   // someone else's garbage: nothing waits for it
    const json::Value& response = *decoded;
    const std::string request_id = message_text(response, "requestId");

    if (is_our_broadcast_ack(request_id)) {
        if (message_type(response) == static_cast<int>(RequestType::BroadcastClientCount)) {
            const json::Value* count = response.find("clientCount");
            if (count != nullptr && count->is_int() && count->as_int() >= 0)
                on_remote_client_count(request_id, static_cast<std::size_t>(count->as_int()));
        } else if (message_type(response) == static_cast<int>(RequestType::BroadcastAck)) {
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
