// looplab/socketio/recovery.hpp
//
// Connection state recovery (PROTOCOLS.md §2.8): a client that lost its connection for a
// moment (Wi-Fi to 4G, a ping timeout) comes back as the SAME socket — same id, rooms and
// data — and receives the events it missed meanwhile.
//
//   on CONNECT    the reply carries a private id: 40{"sid":"...","pid":"..."}
//   on each EVENT we send: an offset is appended as the last argument: 42["chat","hi","AAAAB"]
//   on disconnect (an unexpected reason only), the socket's session is kept
//   on reconnect  the client's CONNECT auth carries {"pid":...,"offset":...}: if the session is
//                 still kept and the offset still buffered, the socket is restored and every
//                 EVENT after that offset that was meant for it is sent again
//
// RecoveryStore is that memory, for one namespace. It is pure (the caller passes "now"), so
// tests drive time by hand. Both buffers are bounded: the oldest entries go first when a limit
// is reached, and expire() drops what is older than max_disconnection_duration (the adapter
// calls it from a timer). Recovery is best-effort: a missing session or offset just means a
// fresh socket.
//
// Contract: loop thread only; one store per namespace (inside its adapter).
#pragma once

#include "looplab/codec/json.hpp"
#include "looplab/core/clock.hpp"
#include "looplab/socketio/adapter.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace looplab::socketio {

// socket.io's default maxDisconnectionDuration: 2 minutes.
inline constexpr Millis kSioDefaultMaxDisconnectionDuration{2 * 60 * 1000};
// Events kept per namespace for replay; beyond it the oldest are dropped (and clients that
// missed them come back as fresh sockets). Bounds memory whatever the clients do.
inline constexpr std::size_t kSioMaxRecoveryPackets = 10'000;
// Sessions kept per namespace; beyond it the oldest are dropped.
inline constexpr std::size_t kSioMaxRecoverySessions = 10'000;

struct RecoveryOptions {
    bool enabled = false;
    Millis max_disconnection_duration = kSioDefaultMaxDisconnectionDuration;
    bool skip_middlewares = true;   // a recovered socket skips the namespace middlewares
    std::size_t max_packets = kSioMaxRecoveryPackets;
    std::size_t max_sessions = kSioMaxRecoverySessions;
};

class RecoveryStore {
public:
    explicit RecoveryStore(RecoveryOptions options);

    // Appends a fresh offset to `event` (`[name, args...]`), keeps a copy with the rooms it
    // was meant for, and returns the offset.
    std::string remember(json::Array& event, const BroadcastOptions& opts, Clock::time_point now);

    void persist(PersistedSession session, Clock::time_point now);

    // The session and its missed events; the session is removed (it is used up).
    std::optional<RestoredSession> restore(std::string_view pid, std::string_view offset,
                                           Clock::time_point now);

    // Drops sessions disconnected and packets sent more than max_disconnection_duration ago.
    void expire(Clock::time_point now);

    std::size_t packet_count() const { return packets_.size(); }
    std::size_t session_count() const { return sessions_.size(); }
    const RecoveryOptions& options() const { return options_; }

private:
    struct StoredPacket {
        std::uint64_t number;   // the offset, before it is written as text
        Clock::time_point sent_at;
        json::Array event;   // with its offset as the last element
        std::vector<Room> rooms;
        std::vector<Room> except;
    };
    struct StoredSession {
        PersistedSession session;
        Clock::time_point disconnected_at;
    };

    bool is_expired(Clock::time_point at, Clock::time_point now) const;
    static bool was_meant_for(const StoredPacket& packet, const PersistedSession& session);

    RecoveryOptions options_;
    std::deque<StoredPacket> packets_;   // numbers grow by one: packet i has number first + i
    std::unordered_map<std::string, StoredSession> sessions_;
    std::deque<std::pair<std::string, Clock::time_point>> session_order_;   // oldest first
    std::uint64_t next_number_ = 1;
};

// The offset text of packet number `number` ("AAAAAAAB"), and back (nullopt if not ours).
std::string offset_text(std::uint64_t number);
std::optional<std::uint64_t> offset_number(std::string_view text);

}   // namespace looplab::socketio
