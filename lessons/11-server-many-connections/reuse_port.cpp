// lessons/11-server-many-connections/reuse_port.cpp
//
// SO_REUSEPORT: several listening sockets on one port, each typically in its own thread or
// process; the kernel spreads new connections over them by a hash of the 4-tuple.
#include "one_port.hpp"

#include <cstring>

namespace one_port {

void show_reuse_port(EventLoop& loop, const lesson::Options& options) {
    constexpr std::size_t kClients = 16;

    EchoServerTcp first{loop, options, net::ListenOptions{.backlog = SOMAXCONN, .reuse_port = true}};
    first.set_quiet(true);
    const std::string shared = options.label_as(first.address(), "the shared port");

    // Without the option, a second bind to a port in use is refused.
    auto refused = net::TcpListener::bind(loop, first.address());
    lesson::say("a second listener on {} without SO_REUSEPORT: {}", shared,
                refused ? std::string{"bound (unexpected)"} : std::strerror(refused.error().code()));

    // With it (on both sockets), both are bound to the same address and port.
    EchoServerTcp second{loop, options, net::ListenOptions{.backlog = SOMAXCONN, .reuse_port = true},
                         first.address()};
    second.set_quiet(true);
    lesson::say("two listeners that both set SO_REUSEPORT: both bound to {}", shared);

    EchoClientsTcp clients{loop};
    clients.connect(first.address(), kClients, "hello");
    wait_for(loop, [&] { return first.accepted() + second.accepted() == kClients && clients.all_replied(); },
             "the clients");
    lesson::say("{} clients connect; the kernel picks a listener for each by hashing its 4-tuple:",
                kClients);
    if (options.demo)   // the split depends on the ephemeral ports, so it changes every run
        lesson::say("  listener 1 accepted {}, listener 2 the rest: {} in all",
                    first.accepted() > 0 && second.accepted() > 0 ? "some" : "ALL (rare!)",
                    first.accepted() + second.accepted());
    else
        lesson::say("  listener 1 accepted {}, listener 2 accepted {}", first.accepted(),
                    second.accepted());
    lesson::say("servers run one listener per thread or process like this (nginx, µWebSockets)");
}

}  // namespace one_port
