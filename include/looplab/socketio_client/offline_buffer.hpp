// looplab/socketio_client/offline_buffer.hpp
//
// OfflineBuffer — the packets a socket was asked to emit while it was not connected, kept in
// order until the next CONNECT succeeds (socket.io-client's sendBuffer). Bounded: at
// `max_packets` a push is REFUSED (the newest is not kept, nothing older is dropped), see
// kSioClientMaxBufferedPackets. A packet that asked for an acknowledgement can be taken out
// again when its ack times out before it was ever sent, as the reference client does.
//
// Contract: a plain container; one per Socket.
#pragma once

#include "looplab/socketio/packet.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>

namespace looplab::socketio_client {

class OfflineBuffer {
public:
    explicit OfflineBuffer(std::size_t max_packets) : max_packets_(max_packets) {}

    // False (and the packet is not kept) when the buffer is full.
    [[nodiscard]] bool push(socketio::Packet packet);
    // Removes the packet waiting with ack id `id`; false if none is.
    bool remove_ack(std::uint64_t id);
    bool holds_ack(std::uint64_t id) const;
    // Everything, oldest first; the buffer is empty afterwards.
    std::deque<socketio::Packet> take_all();

    std::size_t size() const { return packets_.size(); }
    bool empty() const { return packets_.empty(); }
    std::size_t max_packets() const { return max_packets_; }

private:
    std::deque<socketio::Packet> packets_;
    std::size_t max_packets_;
};

}   // namespace looplab::socketio_client
