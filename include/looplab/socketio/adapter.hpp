// looplab/socketio/adapter.hpp
//
// Adapter — who is in which room, and how a broadcast reaches them. One adapter per namespace.
// The in-memory adapter (in_memory_adapter.hpp) is the default: rooms are maps on this server.
// A Redis adapter (PROTOCOLS.md §4) goes behind the same interface later: it keeps the local
// rooms exactly as the in-memory one does, and additionally publishes each broadcast and each
// cluster request (fetch_sockets, sockets_join, ...) so other servers act on their own sockets.
// That is why everything that may need another server answers through a callback.
// Teaches: lesson 18 (rooms), lesson 19 (a room spanning two servers).
//
// Shaped after socket.io-adapter's Adapter (names in snake_case):
//     add_all / del / del_all               a socket joins / leaves rooms
//     broadcast(packet, opts)               to the union of opts.rooms (every socket when
//                                           empty), minus the members of opts.except; each
//                                           socket at most once
//     broadcast_with_ack                    the same, and each recipient's answer comes back
//     sockets / all_rooms / fetch_sockets / add_sockets / del_sockets / disconnect_sockets
//     server_side_emit(_with_ack)           to the other servers (none for in-memory)
//     server_count                          how many servers share the namespace (1 here)
//     persist_session / restore_session     connection state recovery (PROTOCOLS.md §2.8)
//
// Room names are free text. A socket is also in the room named by its own id (socket.io's
// auto-join); adapters may keep that room implicit rather than store 1 room per socket.
//
// Contract: loop thread only. The adapter never owns sockets: the Namespace does (through
// its Clients); an adapter finds them with Namespace::find_socket().
#pragma once

#include "looplab/codec/json.hpp"
#include "looplab/core/clock.hpp"
#include "looplab/socketio/ack.hpp"
#include "looplab/socketio/args.hpp"
#include "looplab/socketio/packet.hpp"

#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace looplab::socketio {

class Namespace;
class Socket;

using Room = std::string;
using SocketId = std::string;

struct BroadcastFlags {
    bool is_volatile = false;        // skip recipients whose transport cannot take it right now
    bool is_local = false;           // this server only (a cluster adapter does not publish it)
    std::optional<Millis> timeout;   // broadcast with acks: how long to gather answers
};

struct BroadcastOptions {
    std::vector<Room> rooms;    // empty: every socket of the namespace
    std::vector<Room> except;   // members of these rooms are skipped (socket ids too)
    BroadcastFlags flags;
};

// What a socket leaves behind when it disconnects unexpectedly and recovery is on.
struct PersistedSession {
    SocketId sid;
    std::string pid;           // private id: only that client knows it
    std::vector<Room> rooms;   // without the socket's own id room
    json::Value data;          // socket.data
};

// What a reconnecting client gets back: its session and the EVENT arrays it missed, in order
// (each `[name, args..., offset]`).
struct RestoredSession {
    PersistedSession session;
    std::vector<json::Array> missed_packets;
};

// A socket as fetch_sockets() reports it. `local` points to it when it lives on this server
// (valid until the callback returns); a cluster adapter reports remote ones with nullptr and
// their `handshake` as the owning server described it (socket.io's JS shape: headers, time,
// address, xdomain, secure, issued, url, query, auth). For a local one, ask local->handshake().
struct SocketInfo {
    SocketId id;
    std::vector<Room> rooms;
    json::Value data;
    Socket* local = nullptr;
    json::Value handshake;
};

class Adapter {
public:
    explicit Adapter(Namespace& nsp) : nsp_(nsp) {}
    virtual ~Adapter() = default;
    Adapter(const Adapter&) = delete;
    Adapter& operator=(const Adapter&) = delete;

    Namespace& nsp() const { return nsp_; }

    // Called once after the namespace is made / before it goes (open / close connections).
    virtual void init() {}
    virtual void close() {}
    // How many servers share this namespace (1 for the in-memory adapter). A cluster adapter
    // may have to ask (Redis: PUBSUB NUMSUB), hence the callback.
    virtual void server_count(std::function<void(std::size_t)> done) { done(1); }

    // ---- rooms (the local sockets) -----------------------------------------------------------
    virtual void add_all(std::string_view id, std::span<const Room> rooms) = 0;
    virtual void del(std::string_view id, std::string_view room) = 0;
    virtual void del_all(std::string_view id) = 0;
    // The rooms `id` joined explicitly (its own id room not included).
    virtual std::vector<Room> socket_rooms(std::string_view id) const = 0;
    // Every room with at least one member (sockets' own id rooms not included).
    virtual std::vector<Room> rooms() const = 0;
    // How many local sockets are in `room` (its own id counts for a socket).
    virtual std::size_t room_size(std::string_view room) const = 0;

    // ---- broadcasting ------------------------------------------------------------------------
    // `packet` is an EVENT (type, data, no id). The adapter may add to it (the namespace name,
    // a recovery offset) and encodes it ONCE for every recipient.
    virtual void broadcast(Packet& packet, const BroadcastOptions& opts) = 0;
    // Like broadcast, with an ack id given to every recipient. `client_count` is told how many
    // recipients will answer (per server); `on_answer` runs once per answer.
    virtual void broadcast_with_ack(Packet& packet, const BroadcastOptions& opts,
                                    const std::function<void(std::size_t)>& client_count,
                                    const std::function<void(const Args&)>& on_answer) = 0;

    // ---- the cluster utilities ---------------------------------------------------------------
    virtual void sockets(std::span<const Room> rooms,
                         std::function<void(std::vector<SocketId>)> done) = 0;
    // Every room of every server, the sockets' own id rooms included (socket.io's allRooms()).
    virtual void all_rooms(std::function<void(std::vector<Room>)> done) = 0;
    virtual void fetch_sockets(const BroadcastOptions& opts,
                               std::function<void(std::vector<SocketInfo>)> done) = 0;
    virtual void add_sockets(const BroadcastOptions& opts, std::span<const Room> rooms) = 0;
    virtual void del_sockets(const BroadcastOptions& opts, std::span<const Room> rooms) = 0;
    virtual void disconnect_sockets(const BroadcastOptions& opts, bool close_underlying) = 0;
    // To the other servers' namespace listeners (Namespace::on_server_side). False when there
    // is nobody to hear it (the in-memory adapter has no other server).
    virtual bool server_side_emit(const json::Array& event) {
        (void)event;
        return false;
    }
    // The same, and each other server answers once: `done` gets every answer, or, when some
    // server does not answer in time, kAckTimedOut with the answers that came. With no other
    // server it gets no error and no answer (as socket.io's serverSideEmitWithAck).
    virtual void server_side_emit_with_ack(const json::Array& event, BroadcastAckCallback done) {
        (void)event;
        done(std::nullopt, json::Array{});
    }

    // ---- connection state recovery -----------------------------------------------------------
    // Keep the session of a socket that disconnected for a recoverable reason. Adapters that
    // cannot recover (the classic Redis pub/sub one) do nothing.
    virtual void persist_session(PersistedSession session) { (void)session; }
    // The session of `pid` and the packets after `offset`, or nullopt (unknown, expired, or
    // the offset is no longer buffered).
    virtual void restore_session(std::string_view pid, std::string_view offset,
                                 std::function<void(std::optional<RestoredSession>)> done) {
        (void)pid;
        (void)offset;
        done(std::nullopt);
    }

private:
    Namespace& nsp_;
};

// Makes the adapter of each namespace (ServerOptions::adapter). Empty: in-memory.
using AdapterFactory = std::function<std::unique_ptr<Adapter>(Namespace& nsp)>;

}   // namespace looplab::socketio
