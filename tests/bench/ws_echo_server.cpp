// tests/bench/ws_echo_server.cpp
//
// ws_echo_server — looplab's WebSocket echo for the benchmark: the classroom server's /echo
// (also on "/"), without the page. tests/bench/run measures it beside npm's `ws` and the raw
// TCP baseline with one load generator.
//
//   ws_echo_server [--port N] [--poller NAME]
//
// Prints "listening on PORT" (port 0, the default, lets the kernel choose), then serves until
// SIGINT or SIGTERM. Loopback only.
#include "looplab/classroom/classroom_server.hpp"

#include "bench_server_args.hpp"

#include <csignal>
#include <cstdio>
#include <string_view>

using namespace looplab;

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);
    bench::ServerArgs args = bench::parse_server_args(argc, argv, "ws_echo_server");

    loop::EventLoop loop{std::move(args.poller)};
    classroom::ClassroomOptions options;
    options.http.max_connections = 100'000;   // the benchmark opens 10,000 at once
    classroom::ClassroomServer server{loop, options};
    if (auto listening = server.listen(net::Address::loopback(args.port)); !listening) {
        fmt::print(stderr, "ws_echo_server: {}\n", listening.error());
        return 1;
    }
    fmt::print("listening on {}\n", server.local_address().port());
    std::fflush(stdout);
    for (const int signal_number : {SIGINT, SIGTERM})
        if (!loop.on_signal(signal_number, [&](int) { loop.stop(); })) return 1;
    return loop.run() ? 0 : 1;
}
