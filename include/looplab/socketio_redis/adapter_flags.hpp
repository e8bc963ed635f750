// looplab/socketio_redis/adapter_flags.hpp
//
// The two flags every Socket.IO server binary takes, so that any of them can join a cluster:
//
//     --adapter memory|redis|redis-sharded
//                              where rooms live: this process (default), or this process and
//                              every other server on the same Redis (pub/sub), or on the same
//                              Redis Cluster (sharded pub/sub, Redis 7)
//     --redis HOST:PORT        the Redis to use (default 127.0.0.1:6379); for redis-sharded,
//                              any node of the cluster
//
// (`--adapter=redis` works as well as `--adapter redis`.) The in-memory adapter stays the
// default, so `make demo` needs nothing installed.
//
//     socketio_redis::AdapterFlags flags;
//     ... if (auto taken = take_adapter_flag(flag, value, flags); !taken) usage_error(...)
//     auto adapter = socketio_redis::start_adapter(loop, flags, options, print_line);
//
// Contract: plain functions; start_adapter's bus must outlive the server it equips.
#pragma once

#include "looplab/core/result.hpp"
#include "looplab/loop/event_loop.hpp"
#include "looplab/socketio/server.hpp"
#include "looplab/socketio_redis/redis_adapter.hpp"
#include "looplab/socketio_redis/sharded_redis_adapter.hpp"

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace looplab::socketio_redis {

inline constexpr std::string_view kRedisDefaultAddress = "127.0.0.1:6379";

enum class AdapterKind { Memory, Redis, RedisSharded };

struct AdapterFlags {
    AdapterKind kind = AdapterKind::Memory;
    std::string redis{kRedisDefaultAddress};
};

// The Redis connections of the chosen adapter (none for memory): keep it as long as the server.
struct AdapterConnections {
    std::unique_ptr<RedisBus> classic;
    std::unique_ptr<ShardedRedisBus> sharded;
};

// The usage lines of the two flags, for a binary's --help.
inline constexpr std::string_view kAdapterFlagsUsage =
    "  --adapter KIND         where rooms live: memory (this process, the default), redis\n"
    "                         (every server on one Redis, pub/sub) or redis-sharded (every\n"
    "                         server on one Redis Cluster, sharded pub/sub); lesson 19\n"
    "  --redis HOST:PORT      the Redis of --adapter redis (default 127.0.0.1:6379), or any\n"
    "                         node of the cluster for redis-sharded\n";

// True when `flag` is one of the two (its value then read into `flags`); false for any other
// flag; an Error for a bad value ("--adapter: expected memory, redis or redis-sharded, got
// 'mongo'").
[[nodiscard]] Result<bool> take_adapter_flag(std::string_view flag, std::string_view value,
                                             AdapterFlags& flags);

// For a Redis adapter: connects its bus, makes `options` use it, and passes its status lines
// to `log`; nothing for memory. An Error for an address that does not parse. Redis being
// down is no error: the bus keeps trying and says so.
[[nodiscard]] Result<AdapterConnections> start_adapter(loop::EventLoop& loop,
                                                       const AdapterFlags& flags,
                                                       socketio::ServerOptions& options,
                                                       std::function<void(std::string_view)> log);

}   // namespace looplab::socketio_redis
