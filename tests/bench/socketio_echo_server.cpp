// tests/bench/socketio_echo_server.cpp
//
// socketio_echo_server — looplab's Socket.IO server for the benchmark, doing exactly what
// socketio_echo_server.js does with the official Node `socket.io`, so tests/bench/run can
// measure both with one load generator and one command line.
//
//   socketio_echo_server [--port N] [--poller NAME] [--adapter memory|redis|redis-sharded]
//                        [--redis HOST:PORT]
//
// --adapter redis (or redis-sharded) joins every server started so on one Redis (the Redis
// adapter, looplab/socketio_redis/adapter_flags.hpp): a blast then reaches room "bench" on all
// of them; tests/bench/run's cluster section starts two. Its status lines go to stderr.
// Prints "listening on PORT" (port 0, the default, lets the kernel choose), then on namespace
// "/" (Engine.IO path /socket.io/, the reference defaults: pingInterval 25 s, pingTimeout 20 s,
// polling and WebSocket):
//   echo (...args)             -> emit "echo" with the same arguments to the sender
//   join (room) [ack]          -> join the room; ack with the room's member count after
//   blast (count, text) [ack]  -> emit "tick" (text) to room "bench" `count` times (every
//                                 member, the sender too); ack with the member count
// Serves until SIGINT or SIGTERM. Loopback only.
#include "looplab/http/server.hpp"
#include "looplab/loop/event_loop.hpp"
#include "looplab/net/address.hpp"
#include "looplab/poller/poller.hpp"
#include "looplab/socketio/server.hpp"
#include "looplab/socketio_redis/adapter_flags.hpp"

#include "bench_server_args.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

using namespace looplab;
namespace json = looplab::codec::json;

namespace {

constexpr std::string_view kBroadcastRoom = "bench";   // the room "blast" sends to
constexpr std::int64_t kMaxBlastCount = 1'000'000;     // as the Node server's cap

void serve(socketio::Server& io, socketio::Socket& s) {
    s.on("echo",
         [&s](const socketio::Args& args, const socketio::Ack&) { s.emit_args("echo", args); });
    s.on("join", [&s](const socketio::Args& args, const socketio::Ack& ack) {
        const std::string room =
            args.size() > 0 && args[0].is_string() ? args[0].as_string() : json::write(args[0]);
        s.join(room);
        if (ack.wanted()) ack(s.nsp().adapter().room_size(room));
    });
    s.on("blast", [&io, &s](const socketio::Args& args, const socketio::Ack& ack) {
        const std::int64_t wanted = args.size() > 0 && args[0].is_int() ? args[0].as_int() : 0;
        const std::int64_t times = std::clamp<std::int64_t>(wanted, 0, kMaxBlastCount);
        const json::Value text = args.size() > 1 ? args[1] : json::Value{};
        for (std::int64_t i = 0; i < times; ++i) io.to(kBroadcastRoom).emit("tick", text);
        if (ack.wanted()) ack(s.nsp().adapter().room_size(kBroadcastRoom));
    });
}

// Takes --adapter and --redis (either "--flag value" or "--flag=value") out of argv into
// `flags`; returns the other arguments, program name first, for bench::parse_server_args.
std::vector<char*> take_adapter_flags(int argc, char** argv, socketio_redis::AdapterFlags& flags) {
    std::vector<char*> rest{argv[0]};
    for (int i = 1; i < argc; ++i) {
        std::string_view flag = argv[i];
        std::string_view value;
        if (const auto equals = flag.find('='); equals != std::string_view::npos) {
            value = flag.substr(equals + 1);
            flag = flag.substr(0, equals);
        } else if (flag == "--adapter" || flag == "--redis") {
            value = i + 1 < argc ? std::string_view{argv[++i]} : std::string_view{};
        }
        auto taken = socketio_redis::take_adapter_flag(flag, value, flags);
        if (!taken) {
            fmt::print(stderr, "socketio_echo_server: {}\n", taken.error().message());
            std::exit(2);
        }
        if (!*taken) rest.push_back(argv[i]);
    }
    return rest;
}

}   // namespace

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);
    socketio_redis::AdapterFlags adapter_flags;
    std::vector<char*> rest = take_adapter_flags(argc, argv, adapter_flags);
    bench::ServerArgs args = bench::parse_server_args(static_cast<int>(rest.size()), rest.data(),
                                                      "socketio_echo_server");

    loop::EventLoop loop{std::move(args.poller)};
    http::ServerOptions http_options;
    http_options.max_connections = 100'000;   // the benchmark opens 10,000 at once
    http::Server http{loop, http_options};
    socketio::ServerOptions options;
    // The bus (Redis connections, none for memory) is declared before the server: it must
    // outlive it.
    auto bus = socketio_redis::start_adapter(
        loop, adapter_flags, options,
        [](std::string_view line) { fmt::print(stderr, "socketio_echo_server: {}\n", line); });
    if (!bus) {
        fmt::print(stderr, "socketio_echo_server: {}\n", bus.error().message());
        return 2;
    }
    socketio::Server io{loop, std::move(options)};
    io.attach(http);
    io.on_connection([&io](socketio::Socket& s) { serve(io, s); });

    if (auto listening = http.listen(net::Address::loopback(args.port)); !listening) {
        fmt::print(stderr, "socketio_echo_server: {}\n", listening.error());
        return 1;
    }
    fmt::print("listening on {}\n", http.local_address().port());
    std::fflush(stdout);
    for (const int signal_number : {SIGINT, SIGTERM})
        if (!loop.on_signal(signal_number, [&](int) { loop.stop(); })) return 1;
    return loop.run() ? 0 : 1;
}
