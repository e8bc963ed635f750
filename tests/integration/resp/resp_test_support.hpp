// tests/integration/resp/resp_test_support.hpp — helpers for the Redis client tests: wait
// for one reply, record pub/sub messages and connection events.
#pragma once

#include "looplab/loop/event_loop.hpp"
#include "looplab/resp/client.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace looplab::resp::test {

using namespace std::chrono_literals;

// Every test waits at most this long for any one thing (a reply, a message, a reconnect).
inline constexpr Millis kWait{5'000};

// Sends one command and runs the loop until its reply (or failure) arrives.
inline Result<Reply> call(loop::EventLoop& loop, Client& client,
                          std::initializer_list<std::string_view> args) {
    std::optional<Result<Reply>> outcome;
    client.command(args, [&](Result<Reply> reply) { outcome.emplace(std::move(reply)); });
    REQUIRE(loop.run_until([&] { return outcome.has_value(); }, kWait));
    return std::move(*outcome);
}

// Runs the loop until `client` is ready.
inline void wait_ready(loop::EventLoop& loop, Client& client) {
    REQUIRE(loop.run_until([&] { return client.is_ready(); }, kWait));
}

// One line per pub/sub event: "message chat hi", "pmessage ch* chat hi", "subscribe chat 1".
struct PubSubLog {
    std::vector<std::string> lines;

    void attach(Client& client) {
        for (const char* name : {"message", "pmessage", "smessage"})
            client.pubsub().on(name, [this, name](const PubSubMessage& m) {
                lines.push_back(
                    m.pattern.empty()
                        ? fmt::format("{} {} {}", name, m.channel, m.payload)
                        : fmt::format("{} {} {} {}", name, m.pattern, m.channel, m.payload));
            });
        for (const char* name : {"subscribe", "psubscribe", "ssubscribe", "unsubscribe",
                                 "punsubscribe", "sunsubscribe"})
            client.pubsub().on(name, [this, name](const PubSubMessage& m) {
                lines.push_back(fmt::format("{} {}{} {}", name, m.pattern, m.channel, m.count));
            });
    }
    bool has(const std::string& line) const {
        return std::find(lines.begin(), lines.end(), line) != lines.end();
    }
    std::size_t count_of(std::string_view prefix) const {
        return static_cast<std::size_t>(
            std::count_if(lines.begin(), lines.end(),
                          [&](const std::string& l) { return l.starts_with(prefix); }));
    }
};

// Connection events by name, in order.
struct ConnectionLog {
    std::vector<std::string> events;
    std::optional<Error> last_error;

    void attach(Client& client) {
        for (const char* name : {"connect", "ready", "disconnect", "reconnecting", "end"})
            client.connection().on(name, [this, name](const ConnectionEvent& e) {
                events.push_back(name);
                if (e.error) last_error = e.error;
            });
    }
    std::size_t count(std::string_view name) const {
        return static_cast<std::size_t>(std::count(events.begin(), events.end(), name));
    }
};

}   // namespace looplab::resp::test
