// lessons/10-udp-is-connectionless/echo_server_udp.cpp
//
// One UDP socket answers every client. Compare with echo_server_tcp.cpp in this folder.
#include "udp_lesson.hpp"

namespace udp_lesson {
namespace {

net::UdpSocket bind_or_fail(EventLoop& loop, const net::Address& where) {
    return lesson::or_fail(net::UdpSocket::bind(loop, where));
}

}  // namespace

EchoServerUdp::EchoServerUdp(EventLoop& loop, const lesson::Options& options)
    // 1. One socket, bound to a port. No listen(): nobody will ask to connect.
    : socket_(bind_or_fail(loop, net::Address::loopback(0))), options_(options) {
    lesson::say("[udp] server: 1 socket bound to {} (no listen, no accept)",
                options_.label_as(address(), "the UDP server"));

    // 2. Whenever a datagram is waiting, the loop hands it over with the sender's address...
    must(socket_.start([this](const net::Datagram& datagram) {
        lesson::say("[udp] datagram \"{}\" from {} -> answered {}", datagram.text(),
                    options_.label(datagram.from), options_.label(datagram.from));
        seen_.push_back(SeenDatagram{datagram.from, address(),
                                     Bytes(datagram.bytes.begin(), datagram.bytes.end())});

        // 3. ...and we answer that address. The address is the whole "connection".
        if (auto sent = socket_.send_to(datagram.from, datagram.bytes); !sent)
            lesson::warn(sent.error());   // a failed send is reported, not fatal
    }));
}

}  // namespace udp_lesson
