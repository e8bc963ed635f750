// socketio_redis/redis_bus.cpp — a server's two Redis connections, and what it says about them.
#include "looplab/socketio_redis/redis_adapter.hpp"

#include <fmt/format.h>

namespace looplab::socketio_redis {

RedisBus::RedisBus(loop::EventLoop& loop, net::Address redis, resp::ClientOptions options)
    : loop_(loop),
      redis_(redis),
      publisher_(loop, redis, options),
      subscriber_(loop, redis, options),
      random_(std::random_device{}()) {
    watch(publisher_, "publisher");
    watch(subscriber_, "subscriber");
}

RedisBus::~RedisBus() = default;

void RedisBus::connect() {
    publisher_.connect();
    subscriber_.connect();
}

socketio::AdapterFactory RedisBus::adapter_factory(RedisAdapterOptions options) {
    return [this, options = std::move(options)](socketio::Namespace& nsp) {
        return std::make_unique<RedisAdapter>(nsp, *this, options);
    };
}

void RedisBus::report(std::string_view line) { status_.emit(events::status, line); }

// Redis going away is news, not an error of ours: local delivery goes on, the client
// reconnects and restores the subscriptions by itself.
void RedisBus::watch(resp::Client& client, std::string_view role) {
    const std::string who = fmt::format("redis {} {}", role, redis_.to_string());
    client.connection().on("ready", [this, who](const resp::ConnectionEvent&) {
        report(fmt::format("{}: ready", who));
    });
    client.connection().on("disconnect", [this, who](const resp::ConnectionEvent& event) {
        report(
            fmt::format("{}: connection lost ({}); local delivery goes on, reconnecting "
                        "(what other servers publish meanwhile is lost)",
                        who, event.error ? event.error->message() : "closed"));
    });
    client.connection().on("reconnecting", [this, who](const resp::ConnectionEvent& event) {
        if (event.attempt == 1)
            report(fmt::format("{}: cannot connect ({}); retrying", who,
                               event.error ? event.error->message() : "unknown reason"));
    });
    client.connection().on("end", [this, who](const resp::ConnectionEvent& event) {
        if (event.error) report(fmt::format("{}: gave up ({})", who, event.error->message()));
    });
}

}   // namespace looplab::socketio_redis
