// lessons/10-udp-is-connectionless/connectionless_demo.cpp
//
// Why UDP is called connectionless: one UDP socket answers many senders (no listen, no
// accept, no handshake), where TCP needs a socket per client; what "sending to nobody" does
// to each; and the correction to the class notes: UDP HAS a checksum. Read with
// notes/10-udp-is-connectionless.md.
#include "udp_lesson.hpp"

#include <array>

using namespace looplab;
using namespace udp_lesson;

int main(int argc, char** argv) {
    const auto options = lesson::parse(argc, argv, "lesson-10");
    lesson::TraceSession tracing{options};
    loop::EventLoop loop{options.poller};

    // 1. Three clients send one datagram each to ONE server socket, which answers each at
    //    the address the datagram came from (echo_server_udp.cpp).
    options.step("One UDP socket answers many senders");
    EchoServerUdp udp_server{loop, options};
    std::array<EchoClientUdp, 3> udp_clients{EchoClientUdp{loop}, EchoClientUdp{loop},
                                             EchoClientUdp{loop}};
    udp_clients[0].send(udp_server.address(), "hi from A");
    udp_clients[1].send(udp_server.address(), "hi from B");
    udp_clients[2].send(udp_server.address(), "hi from C");
    wait_for(loop, [&] {
        return std::all_of(udp_clients.begin(), udp_clients.end(),
                           [](const EchoClientUdp& c) { return !c.reply().empty(); });
    }, "the UDP replies");
    lesson::say("[udp] replies: \"{}\", \"{}\", \"{}\": each client got its own datagram back",
                udp_clients[0].reply(), udp_clients[1].reply(), udp_clients[2].reply());
    lesson::say("[udp] sockets open in the server: {}", udp_server.sockets_open());

    // 2. The same service over TCP: a handshake per client, and accept() makes a socket each.
    options.step("The same service over TCP: a socket per client");
    EchoServerTcp tcp_server{loop, options};
    std::array<EchoClientTcp, 3> tcp_clients{EchoClientTcp{loop}, EchoClientTcp{loop},
                                             EchoClientTcp{loop}};
    tcp_clients[0].connect_and_send(tcp_server.address(), "hi from A");
    tcp_clients[1].connect_and_send(tcp_server.address(), "hi from B");
    tcp_clients[2].connect_and_send(tcp_server.address(), "hi from C");
    wait_for(loop, [&] {
        return std::all_of(tcp_clients.begin(), tcp_clients.end(),
                           [](const EchoClientTcp& c) { return c.reply().size() == 9; });
    }, "the TCP replies");
    lesson::say("[tcp] replies: \"{}\", \"{}\", \"{}\"", tcp_clients[0].reply(),
                tcp_clients[1].reply(), tcp_clients[2].reply());
    lesson::say("[tcp] sockets open in the server: {} (1 listening + 3 connected)",
                tcp_server.sockets_open());

    // 3. Nobody listens: UDP's send still "works"; TCP's connect does not.
    options.step("Sending to a port nobody listens on");
    show_send_to_nobody(loop, options);

    // 4. The class notes say UDP cannot detect corruption. It can: here is the checksum.
    options.step("UDP has a checksum: computed, checked, and one bit flipped");
    show_checksum(udp_server.seen().front(), options);

    // 5. What UDP really lacks, and where this course adds it back.
    options.step("What UDP does not do");
    lesson::say("a datagram that fails its checksum is dropped, and then UDP does nothing more:");
    lesson::say("  no resending, no ordering, no duplicate removal, no flow or congestion control,");
    lesson::say("  no handshake, no notice that anything was lost");
    lesson::say("lesson 14 builds those on top of UDP and compares the result with TCP");
    return 0;
}
