// looplab/socketio_redis/redis_adapter.hpp
//
// RedisAdapter — rooms that span servers. Each server keeps its own sockets in its own rooms
// (it IS an InMemoryAdapter); a broadcast is delivered locally AND published to Redis, and
// every other server delivers it to its members of those rooms. Cluster questions (who is in
// "lobby"? make these sockets join "vip") go out on a request channel and come back on a
// response channel. Wire format: wire.hpp — the one of `@socket.io/redis-adapter` 8.x, so a
// looplab server and a Node server on one Redis behave as one cluster.
// Teaches: lesson 19 (the seed's picture: servers joined by Redis).
// Read: notes/19-rooms-across-servers.md, PROTOCOLS.md §4.
//
//     resp::ClientOptions redis_options;
//     socketio_redis::RedisBus bus{loop, net::Address::loopback(6379)};
//     bus.connect();
//     socketio::ServerOptions options;
//     options.adapter = bus.adapter_factory();            // every namespace gets a RedisAdapter
//     socketio::Server io{loop, options};
//     io.to("lobby").emit("chat", "hi");                  // members on every server get it
//
// Two Redis connections per server (RedisBus), shared by every namespace: one publishes and
// asks PUBSUB NUMSUB, one is subscribed (RESP2: a subscribed connection can do nothing else).
// The number of servers is the number of subscribers of the request channel.
//
// What the adapter does NOT promise (pub/sub is at-most-once, like the official adapter):
//   - messages published while a server's subscriber connection is down never reach it;
//     after the reconnection its subscriptions are restored and it hears new ones;
//   - what this server publishes while Redis is down waits in the publisher's offline queue
//     (resp::kRespMaxOfflineCommands) and goes out when Redis is back; local delivery is
//     never held up by Redis;
//   - connection state recovery across servers (nothing is kept).
// A question (fetch_sockets, sockets, all_rooms, server_side_emit_with_ack) waits at most
// requests_timeout for the other servers; when it runs out the answer is what did arrive,
// and the bus reports "N of M servers did not answer" (RedisBus::on_status).
//
// Contract: loop thread only. The RedisBus must outlive every Server whose adapters use it.
#pragma once

#include "looplab/core/clock.hpp"
#include "looplab/events/event_words.hpp"
#include "looplab/events/typed_listeners.hpp"
#include "looplab/loop/event_loop.hpp"
#include "looplab/net/address.hpp"
#include "looplab/net/lifetime_flag.hpp"
#include "looplab/resp/client.hpp"
#include "looplab/socketio/adapter.hpp"
#include "looplab/socketio/in_memory_adapter.hpp"
#include "looplab/socketio_redis/cluster_adapter_base.hpp"
#include "looplab/socketio_redis/wire.hpp"

#include <cstddef>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace looplab::socketio_redis {

// How long a cluster question waits for the other servers (the official requestsTimeout).
inline constexpr Millis kRedisRequestsTimeout{5'000};

struct RedisAdapterOptions {
    std::string key{kRedisDefaultChannelPrefix};   // first word of every channel name
    Millis requests_timeout = kRedisRequestsTimeout;
    // Answers go to socket.io-response#<nsp>#<uid># instead of the shared response channel
    // (the official publishOnSpecificResponseChannel; every server of a cluster must agree).
    bool publish_on_specific_response_channel = false;
};

class RedisAdapter;

// The two Redis connections of one server, and the adapters that use them.
class RedisBus : public events::Listenable<RedisBus> {
public:
    using Listeners = events::TypedListeners<events::Event<events::StatusWord, std::string_view>>;

    RedisBus(loop::EventLoop& loop, net::Address redis, resp::ClientOptions options = {});
    ~RedisBus();
    RedisBus(const RedisBus&) = delete;
    RedisBus& operator=(const RedisBus&) = delete;

    // Starts both connections (they reconnect by themselves as resp::Client does).
    void connect();
    // Makes one RedisAdapter per namespace (ServerOptions::adapter).
    socketio::AdapterFactory adapter_factory(RedisAdapterOptions options = {});

    // One line per change a user should know about: "redis: connection to ... lost (...)",
    // "redis: ready", "redis adapter /: fetch_sockets: 1 of 3 servers did not answer ...".
    // (Listen with on(events::status, listener), from events::Listenable.)
    void report(std::string_view line);

    resp::Client& publisher() { return publisher_; }
    resp::Client& subscriber() { return subscriber_; }
    loop::EventLoop& loop() { return loop_; }
    std::minstd_rand& random() { return random_; }
    const net::Address& redis() const { return redis_; }

private:
    void watch(resp::Client& client, std::string_view role);

    loop::EventLoop& loop_;
    net::Address redis_;
    resp::Client publisher_;
    resp::Client subscriber_;
    std::minstd_rand random_;
    friend class events::Listenable<RedisBus>;
    Listeners& listeners() { return status_; }
    Listeners* existing_listeners() { return &status_; }
    Listeners status_;
};

class RedisAdapter : public ClusterAdapterBase {
public:
    RedisAdapter(socketio::Namespace& nsp, RedisBus& bus, RedisAdapterOptions options = {});
    ~RedisAdapter() override;

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
    const Channels& channels() const { return channels_; }

private:
    // receiving
    void on_broadcast_message(std::string_view channel, std::string_view payload);
    void on_request(std::string_view payload);
    void on_response(std::string_view payload);
    void answer_membership_request(const json::Value& request,
                                   const socketio::BroadcastOptions& opts, bool is_ours);
    void answer_broadcast_request(const json::Value& request, socketio::BroadcastOptions opts);
    void answer_server_side_emit(const json::Value& request);
    void publish_response(const json::Value& request, std::string body);
    // asking
    json::Value new_request(RequestType type);
    void ask(json::Value request, PendingRequest pending, bool count_self);
    void publish_request(const json::Value& request) const;

    RedisBus& bus_;
    RedisAdapterOptions options_;
    Channels channels_;
    std::string uid_;
    bool is_subscribed_ = false;
    events::ListenerId pattern_listener_ = 0;
    events::ListenerId message_listener_ = 0;
};

}   // namespace looplab::socketio_redis
