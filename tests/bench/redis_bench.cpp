// tests/bench/redis_bench.cpp
//
// Redis client benchmarks (issue 11 §5) — our resp::Client against redis-benchmark, on the
// same redis-server, in the same run. Prints figures; never asserts (make bench).
//
//   SET/GET throughput   C connections, each keeping P commands in flight (redis-benchmark's
//                        -c C -P P), `SET key:__rand_int__ xxx` / `GET key:__rand_int__` as
//                        redis-benchmark sends them (no -r: the key is that literal text,
//                        3-byte value). Requests per second, ours and redis-benchmark's, and
//                        the ratio (issue 11's target: >= 0.8).
//   publish -> receive   one publisher, one subscriber (two connections, RESP2), one message
//                        in flight at a time: the time from PUBLISH written to "message"
//                        emitted, p50 / p99 / max over N messages.
//
// Usage: redis_bench [--requests N] [--clients C] [--pipeline P] [--messages M] [--repeat R]
// Defaults: N = 500000 per test, C = 50 and P = 16 (redis-benchmark's -c default, and -P 16),
// M = 20000, R = 3. Each throughput figure is the best of R runs, ours and redis-benchmark's
// taking turns (as tests/bench/run does: noise on a shared machine only lowers a figure), and
// the latency figures are those of the run with the lowest p99. It starts its own
// redis-server (looplab/lesson/redis_server.hpp) on a free port; redis-benchmark must be
// installed (it ships with redis-server). Takes ~20 s.
#include "looplab/lesson/redis_server.hpp"
#include "looplab/loop/event_loop.hpp"
#include "looplab/resp/client.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace looplab;
using Seconds = std::chrono::duration<double>;

struct Options {
    std::size_t requests = 500'000;
    std::size_t clients = 50;
    std::size_t pipeline = 16;
    std::size_t messages = 20'000;
    std::size_t repeat = 3;
};

Options parse_options(int argc, char** argv) {
    Options options;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string_view flag = argv[i];
        const std::size_t value = std::strtoull(argv[i + 1], nullptr, 10);
        if (flag == "--requests") options.requests = value;
        else if (flag == "--clients") options.clients = std::max<std::size_t>(1, value);
        else if (flag == "--pipeline") options.pipeline = std::max<std::size_t>(1, value);
        else if (flag == "--messages") options.messages = value;
        else if (flag == "--repeat") options.repeat = std::max<std::size_t>(1, value);
        else {
            fmt::print(stderr,
                       "usage: redis_bench [--requests N] [--clients C] [--pipeline P] [--messages "
                       "M] [--repeat R]\n");
            std::exit(2);
        }
    }
    return options;
}

// Requests per second of N `command`s (SET or GET) over C connections with P in flight on
// each. Every reply is checked: an error stops the run with a message.
double our_throughput(const net::Address& server, const Options& options,
                      std::string_view command) {
    loop::EventLoop loop;
    std::vector<std::unique_ptr<resp::Client>> clients;
    for (std::size_t i = 0; i < options.clients; ++i) {
        clients.push_back(std::make_unique<resp::Client>(loop, server));
        clients.back()->connect();
    }
    if (!loop.run_until(
            [&] {
                return std::all_of(clients.begin(), clients.end(),
                                   [](auto& c) { return c->is_ready(); });
            },
            Millis{5'000})) {
        fmt::print(stderr, "redis_bench: clients did not connect\n");
        std::exit(1);
    }

    std::size_t sent = 0, done = 0;
    const bool is_set = command == "SET";
    std::function<void(resp::Client&)> send_one = [&](resp::Client& client) {
        ++sent;
        const auto on_reply = [&](Result<resp::Reply> reply) {
            if (!reply || reply->is_error()) {
                fmt::print(stderr, "redis_bench: {} failed: {}\n", command,
                           reply ? reply->text : reply.error().message());
                std::exit(1);
            }
            ++done;
        };
        if (is_set) client.command({"SET", "key:__rand_int__", "xxx"}, on_reply);
        else client.command({"GET", "key:__rand_int__"}, on_reply);
    };
    // After every turn of the loop, top each connection up to P in flight again.
    const auto started = std::chrono::steady_clock::now();
    for (auto& client : clients)
        for (std::size_t i = 0; i < options.pipeline && sent < options.requests; ++i)
            send_one(*client);
    while (done < options.requests) {
        if (!loop.run_once()) break;
        for (auto& client : clients)
            while (client->pending() + client->queued() < options.pipeline &&
                   sent < options.requests)
                send_one(*client);
    }
    const Seconds took = std::chrono::steady_clock::now() - started;
    for (auto& client : clients) client->close();
    (void)loop.run_until([] { return false; }, Millis{50});
    return static_cast<double>(options.requests) / took.count();
}

// redis-benchmark's requests per second for `test` ("set" or "get"), from its --csv output.
double their_throughput(const lesson::RedisServer& redis, const Options& options,
                        std::string_view test) {
    const std::string command =
        fmt::format("redis-benchmark -h 127.0.0.1 -p {} -c {} -P {} -n {} -t {} --csv 2>/dev/null",
                    redis.port(), options.clients, options.pipeline, options.requests, test);
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) return 0;
    char line[512];
    double rps = 0;
    while (std::fgets(line, sizeof line, pipe) != nullptr) {
        // "SET","1234567.00","0.123",...   (the header line starts with "test")
        const std::string_view text = line;
        if (text.size() < 4 || text[0] != '"' || text.starts_with("\"test\"")) continue;
        const std::size_t second = text.find(",\"");
        if (second != std::string_view::npos) rps = std::strtod(line + second + 2, nullptr);
    }
    ::pclose(pipe);
    return rps;
}

struct Latency {
    double p50_us = 0, p99_us = 0, max_us = 0;
};

// One message in flight: publish, wait for the subscriber's "message", publish the next.
Latency publish_latency(const net::Address& server, std::size_t messages) {
    loop::EventLoop loop;
    resp::Client publisher{loop, server};
    resp::Client subscriber{loop, server};
    std::vector<double> samples;
    samples.reserve(messages);
    std::chrono::steady_clock::time_point sent_at;

    const auto publish_next = [&] {
        sent_at = std::chrono::steady_clock::now();
        publisher.publish("bench", "payload");
    };
    subscriber.pubsub().on("message", [&](const resp::PubSubMessage&) {
        const std::chrono::duration<double, std::micro> took =
            std::chrono::steady_clock::now() - sent_at;
        samples.push_back(took.count());
        if (samples.size() < messages) publish_next();
    });
    bool subscribed = false;
    publisher.connect();
    subscriber.connect();
    subscriber.subscribe({"bench"}, [&](Result<resp::Reply>) { subscribed = true; });
    if (!loop.run_until([&] { return subscribed && publisher.is_ready(); }, Millis{5'000}))
        return {};
    publish_next();
    (void)loop.run_until([&] { return samples.size() >= messages; }, Millis{60'000});
    publisher.close();
    subscriber.close();
    (void)loop.run_until([] { return false; }, Millis{20});

    std::sort(samples.begin(), samples.end());
    if (samples.empty()) return {};
    const auto at = [&](double q) {
        return samples[static_cast<std::size_t>(q * static_cast<double>(samples.size() - 1))];
    };
    return {at(0.50), at(0.99), samples.back()};
}

}   // namespace

int main(int argc, char** argv) {
    const Options options = parse_options(argc, argv);
    try {
        lesson::RedisServer redis;
        fmt::print(
            "redis client: {} requests per test, {} connections x {} in flight (redis-benchmark -c "
            "{} -P {}), "
            "best of {}\n",
            options.requests, options.clients, options.pipeline, options.clients, options.pipeline,
            options.repeat);
        fmt::print("  {:<6} {:>16} {:>20} {:>8}\n", "test", "looplab req/s",
                   "redis-benchmark req/s", "ratio");
        for (const auto& [name, test] : {std::pair{"SET", "set"}, std::pair{"GET", "get"}}) {
            double ours = 0, theirs = 0;
            for (std::size_t run = 0; run < options.repeat; ++run) {
                ours = std::max(ours, our_throughput(redis.address(), options, name));
                theirs = std::max(theirs, their_throughput(redis, options, test));
            }
            fmt::print("  {:<6} {:>16.0f} {:>20.0f} {:>8}\n", name, ours, theirs,
                       theirs > 0 ? fmt::format("{:.2f}", ours / theirs) : std::string{"n/a"});
        }
        Latency latency = publish_latency(redis.address(), options.messages);
        for (std::size_t run = 1; run < options.repeat; ++run) {
            const Latency again = publish_latency(redis.address(), options.messages);
            if (again.p99_us < latency.p99_us) latency = again;
        }
        fmt::print(
            "publish -> receive ({} messages, one in flight, best p99 of {}): p50 {:.1f} us, p99 "
            "{:.1f} us, "
            "max {:.1f} us\n",
            options.messages, options.repeat, latency.p50_us, latency.p99_us, latency.max_us);
    } catch (const std::exception& e) {
        fmt::print(stderr, "redis_bench: {}\n", e.what());
        return 1;
    }
    return 0;
}
