// looplab/socketio/broadcast_operator.cpp — a selection of sockets, handed to the adapter.
#include "looplab/socketio/broadcast_operator.hpp"

#include "looplab/core/assert.hpp"
#include "looplab/socketio/namespace.hpp"
#include "looplab/socketio/server.hpp"

#include <algorithm>

namespace looplab::socketio {

namespace {

void add_once(std::vector<Room>& rooms, std::string_view room) {
    if (std::find(rooms.begin(), rooms.end(), room) == rooms.end()) rooms.emplace_back(room);
}

}   // namespace

BroadcastOperator::BroadcastOperator(Namespace& nsp, BroadcastOptions options)
    : nsp_(&nsp), options_(std::move(options)) {}

BroadcastOperator BroadcastOperator::to(std::string_view room) const {
    BroadcastOperator next = *this;
    add_once(next.options_.rooms, room);
    return next;
}

BroadcastOperator BroadcastOperator::to(std::initializer_list<std::string_view> rooms) const {
    BroadcastOperator next = *this;
    for (const std::string_view room : rooms) add_once(next.options_.rooms, room);
    return next;
}

BroadcastOperator BroadcastOperator::except(std::string_view room) const {
    BroadcastOperator next = *this;
    add_once(next.options_.except, room);
    return next;
}

BroadcastOperator BroadcastOperator::except(std::initializer_list<std::string_view> rooms) const {
    BroadcastOperator next = *this;
    for (const std::string_view room : rooms) add_once(next.options_.except, room);
    return next;
}

BroadcastOperator BroadcastOperator::volatile_() const {
    BroadcastOperator next = *this;
    next.options_.flags.is_volatile = true;
    return next;
}

BroadcastOperator BroadcastOperator::local() const {
    BroadcastOperator next = *this;
    next.options_.flags.is_local = true;
    return next;
}

BroadcastOperator BroadcastOperator::timeout(Millis timeout) const {
    BroadcastOperator next = *this;
    next.options_.flags.timeout = timeout;
    return next;
}

json::Array BroadcastOperator::start_event(std::string_view event, std::size_t arg_count) const {
    json::Array data = nsp_->server().arrays().take();
    data.reserve(arg_count + 2);   // the name, the arguments, and room for a recovery offset
    data.emplace_back(std::string{event});
    return data;
}

bool BroadcastOperator::send(json::Array&& data) const {
    detail::ArrayPool& pool = nsp_->server().arrays();
    if (is_reserved_event(data[0].as_string())) {
        pool.give_back(std::move(data));
        return false;
    }
    Packet packet{PacketType::Event, nsp_->name(), std::nullopt, json::Value{std::move(data)}};
    if (nsp_->is_parent()) {
        // A parent of dynamic namespaces has no sockets: its children do.
        for (Namespace* child : nsp_->children()) {
            Packet copy = packet;
            child->adapter().broadcast(copy, options_);
        }
    } else {
        nsp_->adapter().broadcast(packet, options_);
    }
    pool.give_back(std::move(packet.data->as_array()));
    return true;
}

bool BroadcastOperator::send_with_ack(json::Array&& data, BroadcastAckCallback done) const {
    LOOPLAB_ASSERT(options_.flags.timeout.has_value(),
                   "a broadcast with acks needs a timeout: io.timeout(2000ms).emit_with_ack(...)");
    if (is_reserved_event(data[0].as_string())) return false;
    Packet packet{PacketType::Event, nsp_->name(), std::nullopt, json::Value{std::move(data)}};
    std::vector<Namespace*> targets{nsp_};
    if (nsp_->is_parent()) targets = nsp_->children();
    const std::uint64_t id =
        nsp_->start_broadcast_ack(*options_.flags.timeout, std::move(done), targets.size());
    packet.id = id;
    Namespace* gatherer = nsp_;
    for (Namespace* target : targets) {
        Packet copy = packet;
        target->adapter().broadcast_with_ack(
            copy, options_,
            [gatherer, id](std::size_t count) { gatherer->on_broadcast_client_count(id, count); },
            [gatherer, id](const Args& answer) { gatherer->on_broadcast_answer(id, answer); });
    }
    return true;
}

void BroadcastOperator::fetch_sockets(std::function<void(std::vector<SocketInfo>)> done) const {
    nsp_->adapter().fetch_sockets(options_, std::move(done));
}

void BroadcastOperator::sockets_join(std::string_view room) const {
    const Room rooms[] = {Room{room}};
    nsp_->adapter().add_sockets(options_, rooms);
}

void BroadcastOperator::sockets_join(std::initializer_list<std::string_view> rooms) const {
    const std::vector<Room> list(rooms.begin(), rooms.end());
    nsp_->adapter().add_sockets(options_, list);
}

void BroadcastOperator::sockets_leave(std::string_view room) const {
    const Room rooms[] = {Room{room}};
    nsp_->adapter().del_sockets(options_, rooms);
}

void BroadcastOperator::sockets_leave(std::initializer_list<std::string_view> rooms) const {
    const std::vector<Room> list(rooms.begin(), rooms.end());
    nsp_->adapter().del_sockets(options_, list);
}

void BroadcastOperator::disconnect_sockets(bool close_underlying) const {
    nsp_->adapter().disconnect_sockets(options_, close_underlying);
}

}   // namespace looplab::socketio
