// tests/integration/socketio_redis/cluster_support.hpp — several Socket.IO servers in one
// process and one loop, each with its own Redis connections (the servers share nothing but
// Redis, as separate machines would), and C++ clients to connect to them. Three set-ups:
//   Backend::Classic        RedisAdapter on a redis-server of the test's own
//   Backend::ShardedPlain   ShardedRedisAdapter on a redis-server of the test's own (Redis 7
//                           has sharded pub/sub without a cluster)
//   Backend::ShardedCluster ShardedRedisAdapter on the shared 3-master Redis Cluster
#pragma once

#include "looplab/http/server.hpp"
#include "looplab/lesson/redis_server.hpp"
#include "looplab/socketio/namespace.hpp"
#include "looplab/socketio/server.hpp"
#include "looplab/socketio_client/manager.hpp"
#include "looplab/socketio_client/server_url.hpp"
#include "looplab/socketio_redis/redis_adapter.hpp"
#include "looplab/socketio_redis/sharded_redis_adapter.hpp"
#include "support/redis_cluster.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace redis_cluster_test {

using namespace looplab;
using namespace std::chrono_literals;
namespace json = codec::json;

enum class Backend { Classic, ShardedPlain, ShardedCluster };

// One server: HTTP + Socket.IO + its own Redis connections.
struct Node {
    std::unique_ptr<socketio_redis::RedisBus> bus;              // Classic
    std::unique_ptr<socketio_redis::ShardedRedisBus> sharded;   // Sharded*
    std::unique_ptr<http::Server> http;
    std::unique_ptr<socketio::Server> io;
    std::vector<std::string> status;
    net::Address address = net::Address::loopback(0);

    Node(loop::EventLoop& loop, Backend backend, std::vector<net::Address> redis,
         socketio_redis::RedisAdapterOptions options = {}) {
        resp::ClientOptions redis_options;
        redis_options.backoff.initial_delay = 10ms;
        redis_options.backoff.max_delay = 50ms;
        socketio::ServerOptions io_options;
        const auto report = [this](std::string_view line) { status.emplace_back(line); };
        if (backend == Backend::Classic) {
            bus = std::make_unique<socketio_redis::RedisBus>(loop, redis.at(0), redis_options);
            bus->on(events::status, report);
            bus->connect();
            io_options.adapter = bus->adapter_factory(options);
        } else {
            sharded = std::make_unique<socketio_redis::ShardedRedisBus>(loop, redis, redis_options);
            sharded->on(events::status, report);
            sharded->connect();
            io_options.adapter = sharded->adapter_factory(options);
        }
        http = std::make_unique<http::Server>(loop);
        io = std::make_unique<socketio::Server>(loop, std::move(io_options));
        io->attach(*http);
        REQUIRE(http->listen(address));
        address = http->local_address();
    }
    ~Node() {
        io.reset();   // its adapters unsubscribe through the bus: the bus goes last
        http.reset();
        bus.reset();
        sharded.reset();
    }
    socketio::Namespace& nsp(std::string_view name = "/") { return io->of(name); }
    socketio::Adapter& adapter(std::string_view name = "/") { return nsp(name).adapter(); }
};

struct Cluster {
    std::unique_ptr<lesson::RedisServer> own_redis;   // Classic, ShardedPlain
    loop::EventLoop loop;
    std::vector<std::unique_ptr<Node>> nodes;
    std::vector<std::unique_ptr<socketio_client::Manager>> managers;

    explicit Cluster(std::size_t servers, socketio_redis::RedisAdapterOptions options = {},
                     Backend backend = Backend::Classic) {
        std::vector<net::Address> redis_addresses;
        if (backend == Backend::ShardedCluster) {
            redis_addresses = testing::shared_redis_cluster().addresses();
        } else {
            own_redis = std::make_unique<lesson::RedisServer>();
            redis_addresses.push_back(own_redis->address());
        }
        for (std::size_t i = 0; i < servers; ++i)
            nodes.push_back(std::make_unique<Node>(loop, backend, redis_addresses, options));
        REQUIRE(wait_for_servers(servers));
    }
    lesson::RedisServer& redis() { return *own_redis; }
    ~Cluster() {
        managers.clear();
        nodes.clear();
    }
    Node& node(std::size_t i) { return *nodes.at(i); }

    bool run_until(const std::function<bool()>& done, Millis limit = 3000ms) {
        return loop.run_until(done, limit);
    }
    void run_for(Millis time) {
        loop.run_until([] { return false; }, time);
    }

    // Until every server's adapter counts `servers` (their subscriptions have reached Redis).
    bool wait_for_servers(std::size_t servers, std::string_view nsp = "/") {
        for (int attempt = 0; attempt < 300; ++attempt) {
            std::size_t agreeing = 0;
            std::size_t answers = 0;
            for (auto& node : nodes)
                node->adapter(nsp).server_count([&](std::size_t count) {
                    ++answers;
                    if (count == servers) ++agreeing;
                });
            if (!run_until([&] { return answers == nodes.size(); })) return false;
            if (agreeing == nodes.size()) return true;
            run_for(10ms);
        }
        return false;
    }

    // Sharded adapters subscribe to a room's own channel when the room gets its first member
    // on a server; a message published before that subscription reaches Redis is not heard
    // there (as with the official sharded adapter). Until `servers` have subscribed to
    // `room`'s channel (nothing to wait for with the classic adapter).
    bool wait_for_room_channel(std::string_view room, std::int64_t servers,
                               std::string_view nsp = "/") {
        socketio_redis::ShardedRedisBus* bus = nodes.at(0)->sharded.get();
        if (bus == nullptr) return true;
        const std::string channel = fmt::format("socket.io#{}#{}#", nsp, room);
        for (int attempt = 0; attempt < 300; ++attempt) {
            std::optional<std::int64_t> count;
            bus->redis().pubsub_shardnumsub(channel,
                                            [&](Result<std::int64_t> n) { count = n ? *n : -1; });
            if (!run_until([&] { return count.has_value(); })) return false;
            if (*count == servers) return true;
            run_for(5ms);
        }
        return false;
    }

    // A client socket connected to server `i` (namespace `nsp`), waited for.
    socketio_client::Socket& connect(std::size_t i, std::string_view nsp = "/") {
        socketio_client::ManagerOptions options;
        options.reconnection = false;
        managers.push_back(std::make_unique<socketio_client::Manager>(
            loop, socketio_client::server_url(node(i).address), options));
        socketio_client::Socket& socket = managers.back()->socket(nsp);
        socket.connect();
        REQUIRE(run_until([&] { return socket.connected(); }));
        return socket;
    }
};

// Every event a client socket receives, as `name ["args"...]` (binary shown as "<bytes 00ff>").
struct Inbox {
    std::vector<std::string> events;
    explicit Inbox(socketio_client::Socket& socket) {
        socket.on_any([this](std::string_view event, const socketio::Args& args,
                             const socketio_client::Ack&) {
            json::Array shown;
            for (const json::Value& arg : args)
                shown.push_back(arg.is_bytes() ? json::Value{"<bytes " + hex(arg.as_bytes()) + ">"}
                                               : arg);
            events.push_back(std::string{event} + " " + json::write(json::Value{std::move(shown)}));
        });
    }
    static std::string hex(std::string_view bytes) {
        std::string out;
        for (unsigned char byte : bytes) out += fmt::format("{:02x}", byte);
        return out;
    }
};

}   // namespace redis_cluster_test
