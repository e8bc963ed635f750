// looplab/socketio_client/ack.cpp — answering the server once.
#include "looplab/socketio_client/ack.hpp"

#include "looplab/socketio_client/socket.hpp"

namespace looplab::socketio_client {

bool Ack::wanted() const {
    if (!state_ || state_->is_sent) return false;
    const auto socket = state_->socket.lock();
    return socket && (*socket)->connected() && (*socket)->connection_count() == state_->connection;
}

std::uint64_t Ack::id() const { return state_ ? state_->id : 0; }

void Ack::send(codec::json::Array&& reply) const {
    state_->is_sent = true;
    if (const auto socket = state_->socket.lock())
        (*socket)->send_ack(state_->id, std::move(reply));
}

}   // namespace looplab::socketio_client
