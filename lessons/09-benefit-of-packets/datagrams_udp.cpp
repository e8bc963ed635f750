// lessons/09-benefit-of-packets/datagrams_udp.cpp
//
// UDP sends datagrams: each send is one packet, each receive gets exactly one, whole. The
// boundaries are kept, and a datagram has a maximum size.
#include "packets_lesson.hpp"

#include "looplab/net/udp_socket.hpp"

#include <cstring>
#include <string>
#include <vector>

namespace packets {
namespace {

namespace net = looplab::net;

net::UdpSocket bind_or_fail(EventLoop& loop) {
    return lesson::or_fail(net::UdpSocket::bind(loop, net::Address::loopback(0)));
}

}  // namespace

void show_datagrams(EventLoop& loop, const lesson::Options&) {
    net::UdpSocket server = bind_or_fail(loop);
    net::UdpSocket client = bind_or_fail(loop);
    std::vector<std::string> received;
    must(server.start([&received](const net::Datagram& datagram) {
        received.emplace_back(datagram.text());
        lesson::say("server: receive #{}: \"{}\" ({} bytes)", received.size(), datagram.text(),
                    datagram.bytes.size());
    }));

    lesson::say("client: send_to(\"apple\"), send_to(\"banana\"), send_to(\"cherry\"): three datagrams");
    for (const char* fruit : {"apple", "banana", "cherry"}) must(client.send_to(server.local_address(), fruit));
    wait_for(loop, [&received] { return received.size() == 3; }, "three datagrams");
    lesson::say("three sends, three receives: each datagram is a message, whole");

    const std::string too_big(70'000, 'x');
    const auto sent = client.send_to(server.local_address(), too_big);
    lesson::say("a 70,000-byte datagram: {} (the most UDP over IPv4 carries is {} bytes)",
                sent ? std::string{"sent (unexpected)"} : std::strerror(sent.error().code()),
                net::kUdpMaxDatagramSize);
}

}  // namespace packets
