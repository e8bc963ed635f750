// socketio_redis/sharded_redis_bus.cpp — a server's Redis Cluster connection, and its news.
#include "looplab/socketio_redis/sharded_redis_adapter.hpp"

#include <fmt/format.h>

namespace looplab::socketio_redis {

ShardedRedisBus::ShardedRedisBus(loop::EventLoop& loop, std::vector<net::Address> seeds,
                                 resp::ClientOptions options)
    : loop_(loop),
      redis_(loop, std::move(seeds), std::move(options)),
      random_(std::random_device{}()) {
    redis_.connection().on("slots", [this](const resp::ClusterEvent& event) {
        report(fmt::format("redis cluster: slot map learned from {}{}", event.node.to_string(),
                           redis_.is_standalone() ? " (a plain Redis: it owns every slot)" : ""));
    });
    redis_.connection().on("disconnect", [this](const resp::ClusterEvent& event) {
        report(
            fmt::format("redis cluster: connection to {} lost ({}); local delivery goes on, "
                        "reconnecting (what other servers publish meanwhile is lost)",
                        event.node.to_string(), event.error ? event.error->message() : "closed"));
    });
    redis_.connection().on("node-ready", [this](const resp::ClusterEvent& event) {
        report(fmt::format("redis cluster: {} {} ready", event.node.to_string(),
                           event.is_subscriber ? "subscriber" : "commands"));
    });
}

ShardedRedisBus::~ShardedRedisBus() = default;

void ShardedRedisBus::connect() { redis_.connect(); }

socketio::AdapterFactory ShardedRedisBus::adapter_factory(RedisAdapterOptions options) {
    return [this, options = std::move(options)](socketio::Namespace& nsp) {
        return std::make_unique<ShardedRedisAdapter>(nsp, *this, options);
    };
}

void ShardedRedisBus::report(std::string_view line) { status_.emit(events::status, line); }

}   // namespace looplab::socketio_redis
