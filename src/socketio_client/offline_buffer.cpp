// looplab/socketio_client/offline_buffer.cpp — what waits for the next connection.
#include "looplab/socketio_client/offline_buffer.hpp"

#include <algorithm>
#include <utility>

namespace looplab::socketio_client {

bool OfflineBuffer::push(socketio::Packet packet) {
    if (packets_.size() >= max_packets_) return false;
    packets_.push_back(std::move(packet));
    return true;
}

bool OfflineBuffer::remove_ack(std::uint64_t id) {
    const auto found = std::find_if(packets_.begin(), packets_.end(),
                                    [id](const socketio::Packet& p) { return p.id == id; });
    if (found == packets_.end()) return false;
    packets_.erase(found);
    return true;
}

bool OfflineBuffer::holds_ack(std::uint64_t id) const {
    return std::any_of(packets_.begin(), packets_.end(),
                       [id](const socketio::Packet& p) { return p.id == id; });
}

std::deque<socketio::Packet> OfflineBuffer::take_all() { return std::exchange(packets_, {}); }

}   // namespace looplab::socketio_client
