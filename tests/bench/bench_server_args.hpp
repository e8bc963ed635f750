// tests/bench/bench_server_args.hpp — what every looplab bench server does before it serves:
// read `[--port N] [--poller NAME]` (port 0, the default, lets the kernel choose), make the
// poller, and raise the open-files limit (10,000 idle connections need 10,000 fds).
// A bad argument prints "usage: NAME [--port N] [--poller NAME]" and exits 2.
#pragma once

#include "looplab/poller/poller.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include <sys/resource.h>

namespace bench {

struct ServerArgs {
    std::uint16_t port = 0;
    std::unique_ptr<looplab::poller::Poller> poller;
};

inline ServerArgs parse_server_args(int argc, char** argv, std::string_view name) {
    const auto usage = [name] {
        fmt::print(stderr, "usage: {} [--port N] [--poller NAME]\n", name);
        std::exit(2);
    };
    ServerArgs args;
    std::string poller_name;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--port" && i + 1 < argc) {
            const std::string_view text = argv[++i];
            const auto [end, error] =
                std::from_chars(text.data(), text.data() + text.size(), args.port);
            if (error != std::errc{} || end != text.data() + text.size()) usage();
        } else if (arg == "--poller" && i + 1 < argc) {
            poller_name = argv[++i];
        } else {
            usage();
        }
    }
    auto poller = looplab::poller::make_poller(poller_name);
    if (!poller) {
        fmt::print(stderr, "{}: {}\n", name, poller.error());
        std::exit(2);
    }
    args.poller = std::move(poller).value();

    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
    }
    return args;
}

}   // namespace bench
