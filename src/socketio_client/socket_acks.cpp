// looplab/socketio_client/socket_acks.cpp — acknowledgements we asked for, and answers to the
// server's. Every ack we ask for ends exactly once: answer, timeout, or disconnection.
#include "looplab/socketio/ack.hpp"
#include "looplab/socketio_client/manager.hpp"
#include "looplab/socketio_client/socket.hpp"

#include <algorithm>

namespace looplab::socketio_client {

namespace json = codec::json;
using socketio::Packet;
using socketio::PacketType;

bool Socket::send_event_with_ack(json::Array&& data, Millis timeout, AckCallback callback) {
    if (socketio::is_reserved_event(data[0].as_string())) return false;
    const std::uint64_t id = next_ack_id_++;
    const loop::TimerId timer = manager_->loop().set_timeout(timeout, [this, id] {
        buffer_.remove_ack(id);   // not sent yet: it will not be
        end_ack(id, Error::because(std::string{socketio::kAckTimedOut}));
    });
    acks_.push_back(PendingAck{id, timer, std::move(callback)});
    if (send_or_buffer(Packet{PacketType::Event, nsp_, id, json::Value{std::move(data)}}, false))
        return true;
    // The buffer is full. Told in the next timers phase (never inside this call), by the
    // ack's own timer, so a destroyed socket still calls nothing back.
    PendingAck& ack = acks_.back();
    manager_->loop().cancel_timer(ack.timer);
    ack.timer = manager_->loop().set_timeout(
        Millis{0}, [this, id] { end_ack(id, Error::because(std::string{kAckBufferFull})); });
    return false;
}

void Socket::on_ack(Packet& packet) {
    if (!packet.id || !packet.data || !packet.data->is_array()) return;
    end_ack(*packet.id, Args{packet.data->as_array()});
}

// Removes the pending ack first, then calls back: the callback may emit again.
void Socket::end_ack(std::uint64_t id, Result<Args> result) {
    const auto found =
        std::find_if(acks_.begin(), acks_.end(), [id](const PendingAck& a) { return a.id == id; });
    if (found == acks_.end()) return;   // an answer after the timeout, or to nothing we asked
    PendingAck ack = std::move(*found);
    acks_.erase(found);
    manager_->loop().cancel_timer(ack.timer);
    ack.callback(std::move(result));
}

// The connection is gone: an answer to a packet that was SENT cannot come any more. Packets
// still in the offline buffer keep their ack (they leave after the next CONNECT).
void Socket::fail_sent_acks() {
    std::vector<std::uint64_t> lost;
    for (const PendingAck& ack : acks_)
        if (!buffer_.holds_ack(ack.id)) lost.push_back(ack.id);
    for (const std::uint64_t id : lost)
        end_ack(id, Error::because(std::string{socketio::kAckDisconnected}));
}

void Socket::send_ack(std::uint64_t id, json::Array&& reply) {
    if (!is_connected_) return;
    manager_->send(Packet{PacketType::Ack, nsp_, id, json::Value{std::move(reply)}});
}

}   // namespace looplab::socketio_client
