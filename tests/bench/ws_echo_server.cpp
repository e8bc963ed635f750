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

#include <charconv>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include <sys/resource.h>

using namespace looplab;

namespace {

[[noreturn]] void usage() {
    fmt::print(stderr, "usage: ws_echo_server [--port N] [--poller NAME]\n");
    std::exit(2);
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
        fmt::print(stderr, "ws_echo_server: {}\n", poller.error());
        return 2;
    }
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;   // 10,000 idle connections need 10,000 fds
        ::setrlimit(RLIMIT_NOFILE, &limit);
    }

    loop::EventLoop loop{std::move(poller).value()};
    classroom::ClassroomOptions options;
    options.http.max_connections = 100'000;   // the benchmark opens 10,000 at once
    classroom::ClassroomServer server{loop, options};
    if (auto listening = server.listen(net::Address::loopback(port)); !listening) {
        fmt::print(stderr, "ws_echo_server: {}\n", listening.error());
        return 1;
    }
    fmt::print("listening on {}\n", server.local_address().port());
    std::fflush(stdout);
    for (const int signal_number : {SIGINT, SIGTERM})
        if (!loop.on_signal(signal_number, [&](int) { loop.stop(); })) return 1;
    return loop.run() ? 0 : 1;
}
