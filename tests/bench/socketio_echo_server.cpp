// tests/bench/socketio_echo_server.cpp
//
// socketio_echo_server — looplab's Socket.IO server for the benchmark, doing exactly what
// socketio_echo_server.js does with the official Node `socket.io`, so tests/bench/run can
// measure both with one load generator and one command line.
//
//   socketio_echo_server [--port N] [--poller NAME]
//
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

#include "bench_server_args.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <string>
#include <string_view>

using namespace looplab;
namespace json = looplab::codec::json;

namespace {

constexpr std::string_view kBroadcastRoom = "bench";   // the room "blast" sends to
constexpr std::int64_t kMaxBlastCount = 1'000'000;     // as the Node server's cap

void serve(socketio::Server& io, socketio::Socket& s) {
    s.on("echo", [&s](const socketio::Args& args, const socketio::Ack&) { s.emit_args("echo", args); });
    s.on("join", [&s](const socketio::Args& args, const socketio::Ack& ack) {
        const std::string room = args.size() > 0 && args[0].is_string() ? args[0].as_string()
                                                                       : json::write(args[0]);
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

}  // namespace

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);
    bench::ServerArgs args = bench::parse_server_args(argc, argv, "socketio_echo_server");

    loop::EventLoop loop{std::move(args.poller)};
    http::ServerOptions http_options;
    http_options.max_connections = 100'000;   // the benchmark opens 10,000 at once
    http::Server http{loop, http_options};
    socketio::Server io{loop};
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
