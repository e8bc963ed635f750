// looplab/socketio_redis/sharded_redis_adapter.hpp
//
// ShardedRedisAdapter — rooms across servers on a Redis Cluster, with sharded pub/sub
// (Redis 7: SPUBLISH / SSUBSCRIBE). Wire-compatible with the official
// `createShardedAdapter` of @socket.io/redis-adapter 8.x ("dynamic" subscription mode).
// Teaches: lesson 19 (when one Redis is not enough: each room's traffic goes only to the
// shard that owns its channel, and only the servers with a member of the room listen).
// Read: PROTOCOLS.md §4.2, PROTOCOLS-redis-store.md §4, notes/19-rooms-across-servers.md.
//
// Channels (namespace "/chat", prefix "socket.io"), all sharded (each lives on the master
// that owns its slot):
//
//     socket.io#/chat#            every server: broadcasts to several rooms or everybody,
//                                 and the cluster questions
//     socket.io#/chat#lobby#      only servers with a member of "lobby": a broadcast to that
//                                 one room (subscribed when the room gets its first member
//                                 here, unsubscribed when it loses its last)
//     socket.io#/chat#<uid>#      answers to one server
//
// A message is the generic cluster message of socket.io-adapter, JSON unless it carries
// binary (then msgpack):
//
//     {"type":3,"data":{"packet":{"type":2,"data":["chat","hi"],"nsp":"/chat"},
//      "opts":{"rooms":["lobby"],"except":[],"flags":{}}},"uid":"9f1c...","nsp":"/chat"}
//
// Types: 3 broadcast (with data.requestId when its recipients answer), 4 sockets join, 5 leave,
// 6 disconnect, 7 fetch sockets, 8 its answer, 9 server-side emit, 10 its answer, 11 a
// broadcast's recipient count, 12 one recipient's answer. The number of servers is
// PUBSUB SHARDNUMSUB of the main channel. sockets() and all_rooms() have no message of their
// own here: they are answered through fetch sockets.
//
// Same promises as the classic adapter (redis_adapter.hpp): local delivery never waits for
// Redis; pub/sub is at-most-once; a question waits at most requests_timeout. One more window,
// the price of per-room channels (the official adapter has it too): when a room gets its
// first member on a server, that server's SSUBSCRIBE to the room's channel is on its way;
// a message another server publishes to the room before Redis has it is not heard here.
//
// Contract: loop thread only. The ShardedRedisBus must outlive every Server using it.
#pragma once

#include "looplab/core/clock.hpp"
#include "looplab/events/event_words.hpp"
#include "looplab/events/typed_listeners.hpp"
#include "looplab/loop/event_loop.hpp"
#include "looplab/net/address.hpp"
#include "looplab/net/lifetime_flag.hpp"
#include "looplab/resp/cluster_client.hpp"
#include "looplab/socketio/adapter.hpp"
#include "looplab/socketio/in_memory_adapter.hpp"
#include "looplab/socketio_redis/cluster_adapter_base.hpp"
#include "looplab/socketio_redis/redis_adapter.hpp"
#include "looplab/socketio_redis/wire.hpp"

#include <cstddef>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace looplab::socketio_redis {

// The generic cluster message types of socket.io-adapter (same numbers).
enum class ClusterMessageType : std::uint8_t {
    Broadcast = 3,
    SocketsJoin = 4,
    SocketsLeave = 5,
    DisconnectSockets = 6,
    FetchSockets = 7,
    FetchSocketsResponse = 8,
    ServerSideEmit = 9,
    ServerSideEmitResponse = 10,
    BroadcastClientCount = 11,
    BroadcastAck = 12,
};

// Length of a sharded adapter's uid (socket.io-adapter: 8 random bytes in hex).
inline constexpr std::size_t kRedisShardedUidLength = 16;

// One server's connection to a Redis Cluster (or a plain Redis 7), shared by its namespaces.
class ShardedRedisBus : public events::Listenable<ShardedRedisBus> {
public:
    using Listeners = events::TypedListeners<events::Event<events::StatusWord, std::string_view>>;

    ShardedRedisBus(loop::EventLoop& loop, std::vector<net::Address> seeds,
                    resp::ClientOptions options = {});
    ~ShardedRedisBus();
    ShardedRedisBus(const ShardedRedisBus&) = delete;
    ShardedRedisBus& operator=(const ShardedRedisBus&) = delete;

    void connect();
    socketio::AdapterFactory adapter_factory(RedisAdapterOptions options = {});

    // (Listen with on(events::status, listener), from events::Listenable.)
    void report(std::string_view line);

    resp::ClusterClient& redis() { return redis_; }
    loop::EventLoop& loop() { return loop_; }
    std::minstd_rand& random() { return random_; }

private:
    loop::EventLoop& loop_;
    resp::ClusterClient redis_;
    std::minstd_rand random_;
    friend class events::Listenable<ShardedRedisBus>;
    Listeners& listeners() { return status_; }
    Listeners* existing_listeners() { return &status_; }
    Listeners status_;
};

class ShardedRedisAdapter : public ClusterAdapterBase {
public:
    ShardedRedisAdapter(socketio::Namespace& nsp, ShardedRedisBus& bus,
                        RedisAdapterOptions options = {});
    ~ShardedRedisAdapter() override;

    void init() override;
    void close() override;
    void server_count(std::function<void(std::size_t)> done) override;

    void broadcast(socketio::Packet& packet, const socketio::BroadcastOptions& opts) override;
    void broadcast_with_ack(socketio::Packet& packet, const socketio::BroadcastOptions& opts,
                            const std::function<void(std::size_t)>& client_count,
                            const std::function<void(const socketio::Args&)>& on_answer) override;

    void sockets(std::span<const socketio::Room> rooms,
                 std::function<void(std::vector<socketio::SocketId>)> done) override;
    void all_rooms(std::function<void(std::vector<socketio::Room>)> done) override;
    void fetch_sockets(const socketio::BroadcastOptions& opts,
                       std::function<void(std::vector<socketio::SocketInfo>)> done) override;
    void add_sockets(const socketio::BroadcastOptions& opts,
                     std::span<const socketio::Room> rooms) override;
    void del_sockets(const socketio::BroadcastOptions& opts,
                     std::span<const socketio::Room> rooms) override;
    void disconnect_sockets(const socketio::BroadcastOptions& opts, bool close_underlying) override;
    bool server_side_emit(const json::Array& event) override;
    void server_side_emit_with_ack(const json::Array& event,
                                   socketio::BroadcastAckCallback done) override;

    const std::string& uid() const { return uid_; }
    // socket.io#/chat#, socket.io#/chat#lobby#, socket.io#/chat#<uid>#
    const std::string& main_channel() const { return main_channel_; }
    std::string room_channel(std::string_view room) const {
        return main_channel_ + std::string{room} + "#";
    }

protected:
    void on_room_created(const socketio::Room& room) override;
    void on_room_deleted(const socketio::Room& room) override;

private:
    bool is_public_room(std::string_view room) const;
    void publish(ClusterMessageType type, json::Value data, const std::string& channel);
    void publish_response(const std::string& requester, ClusterMessageType type, json::Value data);
    void on_raw_message(std::string_view channel, std::string_view payload);
    void on_message(const json::Value& message);
    void on_response(const json::Value& message);
    void ask(ClusterMessageType type, json::Value data, PendingRequest pending);

    ShardedRedisBus& bus_;
    RedisAdapterOptions options_;
    std::string main_channel_;
    std::string uid_;
    std::string response_channel_;
    bool is_subscribed_ = false;
    events::ListenerId message_listener_ = 0;
};

}   // namespace looplab::socketio_redis
