// looplab/socketio_redis/adapter_flags.hpp
//
// The two flags every Socket.IO server binary takes, so that any of them can join a cluster:
//
//     --adapter memory|redis   where rooms live: this process (default) or this process and
//                              every other server on the same Redis
//     --redis HOST:PORT        the Redis to use (default 127.0.0.1:6379)
//
// (`--adapter=redis` works as well as `--adapter redis`.) The in-memory adapter stays the
// default, so `make demo` needs nothing installed.
//
//     socketio_redis::AdapterFlags flags;
//     ... if (auto taken = take_adapter_flag(flag, value, flags); !taken) usage_error(...)
//     auto bus = socketio_redis::start_adapter(loop, flags, options, print_line);
//
// Contract: plain functions; start_adapter's bus must outlive the server it equips.
#pragma once

#include "looplab/core/result.hpp"
#include "looplab/loop/event_loop.hpp"
#include "looplab/socketio/server.hpp"
#include "looplab/socketio_redis/redis_adapter.hpp"

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace looplab::socketio_redis {

inline constexpr std::string_view kDefaultRedisAddress = "127.0.0.1:6379";

struct AdapterFlags {
    bool use_redis = false;
    std::string redis{kDefaultRedisAddress};
};

// The usage lines of the two flags, for a binary's --help.
inline constexpr std::string_view kAdapterFlagsUsage =
    "  --adapter memory|redis rooms in this process (default) or across every server on one\n"
    "                         Redis (PROTOCOLS.md §4, lesson 19)\n"
    "  --redis HOST:PORT      the Redis of --adapter redis (default 127.0.0.1:6379)\n";

// True when `flag` is one of the two (its value then read into `flags`); false for any other
// flag; an Error for a bad value ("--adapter: expected memory or redis, got 'mongo'").
[[nodiscard]] Result<bool> take_adapter_flag(std::string_view flag, std::string_view value, AdapterFlags& flags);

// For --adapter redis: connects a RedisBus, makes `options` use it, and passes its status
// lines to `log`; nullptr for --adapter memory (nothing to do). An Error for an address that
// does not parse. Redis being down is no error: the bus keeps trying and says so.
[[nodiscard]] Result<std::unique_ptr<RedisBus>> start_adapter(loop::EventLoop& loop, const AdapterFlags& flags,
                                                              socketio::ServerOptions& options,
                                                              std::function<void(std::string_view)> log);

}   // namespace looplab::socketio_redis
