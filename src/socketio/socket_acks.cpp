// looplab/socketio/socket_acks.cpp — acknowledgements of one socket, both directions.
//
// Ours (emit_with_ack): each pending one has an id, a loop timer and the callback; exactly one
// of "the ACK came", "the timer fired", "the socket disconnected" ends it, and removes it.
// A broadcast's: the namespace gathers the answers; the socket only passes its answer on.
#include "looplab/socketio/client.hpp"
#include "looplab/socketio/namespace.hpp"
#include "looplab/socketio/server.hpp"
#include "looplab/socketio/socket.hpp"

#include <algorithm>

namespace looplab::socketio {

bool Socket::send_event_with_ack(json::Array&& data, Millis timeout, AckCallback callback) {
    detail::ArrayPool& pool = nsp_->server().arrays();
    if (!connected() || is_reserved_event(data[0].as_string())) {
        pool.give_back(std::move(data));
        return false;
    }
    const std::uint64_t id = nsp_->next_ack_id();
    const loop::TimerId timer =
        nsp_->server().loop().set_timeout(timeout, [this, id] { on_ack_timeout(id); });
    extras().acks.push_back(PendingAck{id, timer, std::move(callback), {}});
    // Packets with an ack id are never kept for recovery (the callback could not come back).
    Packet packet{PacketType::Event, nsp_->name(), id, json::Value{std::move(data)}};
    notify_outgoing(packet);
    write(packet, false);
    pool.give_back(std::move(packet.data->as_array()));
    return true;
}

void Socket::add_broadcast_ack(std::uint64_t id, Millis timeout,
                               std::function<void(const Args&)> on_answer) {
    forget_expired_broadcast_acks();
    const Clock::time_point deadline = nsp_->server().loop().now() + timeout;
    extras().acks.push_back(PendingAck{id, 0, {}, std::move(on_answer), deadline});
}

// A broadcast's gathering ends at its timeout; an answer after that would be ignored anyway.
// Dropped lazily (on the next broadcast ack): no timer per recipient, and the list stays as
// short as the broadcasts still running.
void Socket::forget_expired_broadcast_acks() {
    if (!extras_ || extras_->acks.empty()) return;
    const Clock::time_point now = nsp_->server().loop().now();
    std::erase_if(extras_->acks,
                  [now](const PendingAck& ack) { return ack.timer == 0 && ack.deadline < now; });
}

void Socket::on_ack(Packet& packet) {
    if (!extras_ || !packet.id) return;
    auto& acks = extras_->acks;
    const auto found = std::find_if(acks.begin(), acks.end(),
                                    [&](const PendingAck& a) { return a.id == *packet.id; });
    if (found == acks.end()) return;   // unknown or already ended: ignored, as socket.io does
    PendingAck ended = std::move(*found);
    acks.erase(found);
    if (ended.timer != 0) nsp_->server().loop().cancel_timer(ended.timer);

    static const json::Array kNoArguments;
    const json::Array& reply =
        packet.data && packet.data->is_array() ? packet.data->as_array() : kNoArguments;
    if (ended.callback) ended.callback(std::nullopt, Args{reply});
    else if (ended.on_answer) ended.on_answer(Args{reply});
}

void Socket::on_ack_timeout(std::uint64_t id) {
    if (!extras_) return;
    auto& acks = extras_->acks;
    const auto found =
        std::find_if(acks.begin(), acks.end(), [id](const PendingAck& a) { return a.id == id; });
    if (found == acks.end()) return;
    PendingAck ended = std::move(*found);
    acks.erase(found);
    ended.callback(AckError{kAckTimedOut}, Args{});
}

void Socket::fail_pending_acks() {
    if (!extras_ || extras_->acks.empty()) return;
    // Moved out first: a callback may emit again (and so add to the list).
    std::vector<PendingAck> pending = std::move(extras_->acks);
    extras_->acks.clear();
    loop::EventLoop& loop = nsp_->server().loop();
    for (PendingAck& ack : pending) loop.cancel_timer(ack.timer);   // all: none may fire later
    const net::LifetimeFlag::Scope server_alive{nsp_->server().lifetime()};
    for (PendingAck& ack : pending) {
        if (ack.callback) ack.callback(AckError{kAckDisconnected}, Args{});
        if (server_alive.was_destroyed()) return;   // it destroyed the server, and us
        // A broadcast's recipient that leaves simply does not answer: its gathering times out.
    }
}

void Socket::send_ack(std::uint64_t id, json::Array&& reply) {
    if (!connected()) return;
    write(Packet{PacketType::Ack, nsp_->name(), id, json::Value{std::move(reply)}}, false);
}

}   // namespace looplab::socketio
