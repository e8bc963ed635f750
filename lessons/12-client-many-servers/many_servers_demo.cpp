// lessons/12-client-many-servers/many_servers_demo.cpp
//
// One client connected to several servers at once, on one loop: a non-blocking connect per
// server, each from its own local port; one server down does not hold up the others; the
// replies are handled in the order they arrive. Read with notes/12-client-many-servers.md.
#include "fan_out.hpp"

#include <chrono>
#include <cstring>
#include <set>

using namespace looplab;
using namespace fan_out;
using namespace std::chrono_literals;

namespace {

// A port where nobody listens: bound to port 0 to find a free one, then closed.
net::Address nobody_listens(loop::EventLoop& loop) {
    auto probe = net::TcpListener::bind(loop, net::Address::loopback(0));
    if (!probe) lesson::fail(probe.error());
    return probe->local_address();
}

}  // namespace

int main(int argc, char** argv) {
    const auto options = lesson::parse(argc, argv, "lesson-12");
    lesson::TraceSession tracing{options};
    loop::EventLoop loop{options.poller};

    // 1. Start every connect at once; each finishes on its own.
    options.step("One client, four connects in flight on one loop");
    SlowServer a{loop, "server A", 300ms};
    SlowServer b{loop, "server B", 150ms};
    SlowServer c{loop, "server C", 0ms};
    const net::Address down = nobody_listens(loop);
    lesson::say("servers A, B and C run on this loop too (in real life: other machines);");
    lesson::say("server A answers after 300 ms, server B after 150 ms, server C at once; server D is down");

    FanOutClient client{loop};
    client.connect("server A", a.address());
    client.connect("server B", b.address());
    client.connect("server C", c.address());
    client.connect("server D", down);
    lesson::say("connect() returned at once, four times: {} connects in flight", client.in_flight());
    wait_for(loop, [&] { return client.all_done(); }, "the connects");

    std::set<std::uint16_t> local_ports;
    for (const auto& link : client.links()) {
        if (!link->connection) {
            lesson::say("{}: connect failed: {}; nobody else waited for it", link->server,
                        std::strerror(link->error->code()));
            continue;
        }
        const net::Address& local = link->connection->local_address();
        local_ports.insert(local.port());
        const std::string port = options.label(local.port(), "port");
        lesson::say("{}: connected, from local address {}:{}{}", link->server, local.ip(), port,
                    options.demo ? "" : fmt::format(" to {}", link->connection->peer_address()));
    }
    lesson::say("{} connections, {} different local ports: each connection is its own socket",
                client.links().size() - 1, local_ports.size());
    lesson::say("(the kernel chose a port per connect; it did not have to, see step 3)");

    // 2. Ask everyone at once; handle each answer as it comes.
    options.step("Replies merged as they come");
    lesson::say("the client sends \"hello?\" on all three connections, then waits on the loop");
    const auto started = loop.now();
    std::size_t order = 0;
    client.send_all("hello?\n", [&order](const FanOutClient::Link& link) {
        lesson::say("reply {} of 3, on the connection to {}: \"{}\"", ++order, link.server, link.reply);
    });
    wait_for(loop, [&] { return client.replies() == 3; }, "the replies");
    const auto took = std::chrono::duration_cast<Millis>(loop.now() - started);
    lesson::say("all three answers after {}: the time of the slowest server, not the sum (450 ms)",
                options.demo ? std::string{"about 300 ms"} : fmt::format("{} ms", took.count()));

    // 3. A connection is its 4-tuple: one local port can serve connections to two servers.
    options.step("One local port, two connections");
    lesson::say("servers E and F listen; three sockets all bind the same local port, port P:");
    show_one_port_two_connections(loop, options);
    lesson::say("E and F differ, so sockets 1 and 2 have different 4-tuples: one port, two connections;");
    lesson::say("socket 3 would repeat socket 1's 4-tuple, so the kernel refuses it");

    // 4. The same idea in the real-time stack of the capstones.
    options.step("In Socket.IO terms");
    lesson::say("a Socket.IO client keeps one Manager, so one Engine.IO connection, per server URL;");
    lesson::say("several namespaces on the SAME server share that one connection (multiplexing)");
    return 0;
}
