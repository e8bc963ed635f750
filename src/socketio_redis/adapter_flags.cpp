// socketio_redis/adapter_flags.cpp — --adapter and --redis, shared by the server binaries.
#include "looplab/socketio_redis/adapter_flags.hpp"

#include <fmt/format.h>

namespace looplab::socketio_redis {

Result<bool> take_adapter_flag(std::string_view flag, std::string_view value, AdapterFlags& flags) {
    if (flag == "--adapter") {
        if (value == "redis") flags.use_redis = true;
        else if (value == "memory") flags.use_redis = false;
        else return Error::because(fmt::format("--adapter: expected memory or redis, got '{}'", value));
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

Result<std::unique_ptr<RedisBus>> start_adapter(loop::EventLoop& loop, const AdapterFlags& flags,
                                                socketio::ServerOptions& options,
                                                std::function<void(std::string_view)> log) {
    if (!flags.use_redis) return std::unique_ptr<RedisBus>{};
    auto address = net::Address::parse(flags.redis);
    if (!address) return Error::because(fmt::format("--redis: {}", address.error().message()));
    auto bus = std::make_unique<RedisBus>(loop, *address);
    bus->on_status(std::move(log));
    bus->connect();
    options.adapter = bus->adapter_factory();
    return bus;
}

}   // namespace looplab::socketio_redis
