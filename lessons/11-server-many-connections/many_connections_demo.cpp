// lessons/11-server-many-connections/many_connections_demo.cpp
//
// Many connections on ONE server port: one listening socket, a new socket per accept(), each
// told apart by its 4-tuple; what really limits them (file descriptors); and SO_REUSEPORT.
// Read with notes/11-server-many-connections.md.
#include "one_port.hpp"

using namespace looplab;
using namespace one_port;

int main(int argc, char** argv) {
    const auto options = lesson::parse(argc, argv, "lesson-11",
                                       lesson::number("clients", "N", "clients in step 1", 5));
    lesson::TraceSession tracing{options};
    loop::EventLoop loop{options.poller};
    const auto count = static_cast<std::size_t>(std::max<std::int64_t>(1, options.number("clients")));

    // 1. One listening socket; each accept() makes a socket with the SAME local port.
    options.step("One listening socket, many connections");
    EchoServerTcp server{loop, options};
    lesson::say("listening socket: ({}, {}) <-> (*, *): it only accepts", server.address().ip(),
                options.label_as(server.address().port(), "server port"));
    EchoClientsTcp clients{loop};
    clients.connect(server.address(), count, "who am I?");
    wait_for(loop, [&] {
        const bool served = server.accepted() == clients.connected() && clients.all_replied();
        return clients.connected() + clients.failed() == count && (served || !server.accept_errors().empty());
    }, "the clients");
    // Only with a big --clients and a small `ulimit -n` (step 3 shows it on purpose):
    if (clients.failed() > 0)
        lesson::say("{} clients could not connect: {}", clients.failed(), clients.errors().front());
    if (!server.accept_errors().empty())
        lesson::say("the server could not accept them all: {}", server.accept_errors().front());
    lesson::say("{} connected sockets + 1 listening socket, all on the server port", server.accepted());

    // 2. The server knows each client by the remote half of the 4-tuple, and nothing else.
    options.step("Told apart by the 4-tuple");
    const auto replies = clients.replies();
    for (std::size_t i = 0; i < replies.size(); ++i)
        lesson::say("client {} asked \"who am I?\", the server said \"{}\"", lesson::letters_for(i),
                    replies[i]);
    lesson::say("same local address and port every time; the remote port is what differs");

    // 3. What runs out first.
    options.step("The limit is file descriptors, not 65,535");
    show_fd_limit(loop, options);

    // 4. More than one listening socket on one port.
    options.step("Two listening sockets on one port: SO_REUSEPORT");
    show_reuse_port(loop, options);
    return 0;
}
