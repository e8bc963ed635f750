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

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <sys/resource.h>

using namespace looplab;
namespace json = looplab::codec::json;

namespace {

constexpr std::string_view kBroadcastRoom = "bench";   // the room "blast" sends to
constexpr std::int64_t kMaxBlastCount = 1'000'000;     // as the Node server's cap

[[noreturn]] void usage() {
    fmt::print(stderr, "usage: socketio_echo_server [--port N] [--poller NAME]\n");
    std::exit(2);
}

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
    std::uint16_t port = 0;
    std::string poller_name;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--port" && i + 1 < argc) {
            const std::string_view text = argv[++i];
            const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), port);
            if (error != std::errc{} || end != text.data() + text.size()) usage();
        } else if (arg == "--poller" && i + 1 < argc) {
            poller_name = argv[++i];
        } else {
            usage();
        }
    }
    auto poller = poller::make_poller(poller_name);
    if (!poller) {
        fmt::print(stderr, "socketio_echo_server: {}\n", poller.error());
        return 2;
    }
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;   // 10,000 idle connections need 10,000 fds
        ::setrlimit(RLIMIT_NOFILE, &limit);
    }

    loop::EventLoop loop{std::move(poller).value()};
    http::ServerOptions http_options;
    http_options.max_connections = 100'000;   // the benchmark opens 10,000 at once
    http::Server http{loop, http_options};
    socketio::Server io{loop};
    io.attach(http);
    io.on_connection([&io](socketio::Socket& s) { serve(io, s); });

    if (auto listening = http.listen(net::Address::loopback(port)); !listening) {
        fmt::print(stderr, "socketio_echo_server: {}\n", listening.error());
        return 1;
    }
    fmt::print("listening on {}\n", http.local_address().port());
    std::fflush(stdout);
    for (const int signal_number : {SIGINT, SIGTERM})
        if (!loop.on_signal(signal_number, [&](int) { loop.stop(); })) return 1;
    return loop.run() ? 0 : 1;
}
