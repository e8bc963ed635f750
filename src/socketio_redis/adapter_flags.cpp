// socketio_redis/adapter_flags.cpp — --adapter and --redis, shared by the server binaries.
#include "looplab/socketio_redis/adapter_flags.hpp"

#include <fmt/format.h>

namespace looplab::socketio_redis {

Result<bool> take_adapter_flag(std::string_view flag, std::string_view value, AdapterFlags& flags) {
    if (flag == "--adapter") {
        if (value == "redis") flags.kind = AdapterKind::Redis;
        else if (value == "redis-sharded") flags.kind = AdapterKind::RedisSharded;
        else if (value == "memory") flags.kind = AdapterKind::Memory;
        else
            return Error::because(
                fmt::format("--adapter: expected memory, redis or redis-sharded, got '{}'", value));
        return true;
    }
    if (flag == "--redis") {
        if (auto address = net::Address::parse(value); !address)
            return Error::because(fmt::format("--redis: {}", address.error().message()));
        flags.redis = std::string{value};
        return true;
    }
    return false;
}

Result<AdapterConnections> start_adapter(loop::EventLoop& loop, const AdapterFlags& flags,
                                         socketio::ServerOptions& options,
                                         std::function<void(std::string_view)> log) {
    AdapterConnections connections;
    if (flags.kind == AdapterKind::Memory) return connections;
    auto address = net::Address::parse(flags.redis);
    if (!address) return Error::because(fmt::format("--redis: {}", address.error().message()));
    if (flags.kind == AdapterKind::Redis) {
        connections.classic = std::make_unique<RedisBus>(loop, *address);
        connections.classic->on(events::status, std::move(log));
        connections.classic->connect();
        options.adapter = connections.classic->adapter_factory();
    } else {
        connections.sharded =
            std::make_unique<ShardedRedisBus>(loop, std::vector<net::Address>{*address});
        connections.sharded->on(events::status, std::move(log));
        connections.sharded->connect();
        options.adapter = connections.sharded->adapter_factory();
    }
    return connections;
}

}   // namespace looplab::socketio_redis
