// lessons/10-udp-is-connectionless/send_to_nobody.cpp
//
// Send to a port where nobody listens, three ways:
//   1. an unconnected UDP socket: sendto() "succeeds", and we never hear anything more;
//   2. a connected UDP socket: the ICMP "port unreachable" that came back is reported on a
//      LATER call (here: the next receive, as on_error);
//   3. TCP: connect() fails, because the handshake's SYN is answered by a reset.
#include "udp_lesson.hpp"

#include <cstring>

namespace udp_lesson {
namespace {

// A port on 127.0.0.1 that nobody uses right now: bind to port 0, read the port, close.
std::uint16_t free_udp_port(EventLoop& loop) {
    auto probe = net::UdpSocket::bind(loop, net::Address::loopback(0));
    if (!probe) lesson::fail(probe.error());
    return probe->local_address().port();   // the socket closes here; the port is free again
}

std::uint16_t free_tcp_port(EventLoop& loop) {
    auto probe = net::TcpListener::bind(loop, net::Address::loopback(0));
    if (!probe) lesson::fail(probe.error());
    return probe->local_address().port();
}

net::UdpSocket bind_or_fail(EventLoop& loop) {
    return lesson::or_fail(net::UdpSocket::bind(loop, net::Address::loopback(0)));
}

void send_unconnected(EventLoop& loop, const net::Address& nobody, const std::string& name) {
    net::UdpSocket socket = bind_or_fail(loop);
    bool heard = false;
    socket.on(events::error, [&heard](const looplab::Error&) { heard = true; });
    must(socket.start([&heard](const net::Datagram&) { heard = true; }));

    const auto sent = socket.send_to(nobody, "anyone?");
    lesson::say("[udp] send_to({}, \"anyone?\") returned: {}", name,
                sent ? "OK (handed to the kernel; that is all OK means)" : sent.error().message());
    // Nothing will come; give it 100 ms to prove it.
    loop.run_until([&heard] { return heard; }, std::chrono::milliseconds{100});
    lesson::say("[udp] 100 ms later: {}", heard ? "something came back (unexpected)"
                                               : "no error, no reply. This socket never hears of it");
}

void send_connected(EventLoop& loop, const net::Address& nobody, const std::string& name) {
    net::UdpSocket socket = bind_or_fail(loop);
    std::optional<looplab::Error> error;
    socket.on(events::error, [&error](const looplab::Error& e) { error = e; });
    must(socket.start([](const net::Datagram&) {}));

    const auto connected = socket.connect(nobody);
    lesson::say("[udp] connect({}) on a UDP socket returned: {}", name,
                connected ? "OK (no packet was exchanged: it only fixes the peer)"
                          : connected.error().message());
    const auto sent = socket.send("anyone?");
    lesson::say("[udp] send(\"anyone?\") returned: {}", sent ? "OK" : sent.error().message());
    // The kernel answers the datagram with an ICMP "port unreachable". Only a connected socket
    // is told, and only on its NEXT call: here the loop's next receive.
    wait_for(loop, [&error] { return error.has_value(); }, "the ICMP error");
    lesson::say("[udp] the next receive reports it: {}{}", std::strerror(error->code()),
                error->code() == ECONNREFUSED ? " (ECONNREFUSED)" : "");
}

void connect_tcp(EventLoop& loop, const net::Address& nobody, const std::string& name) {
    net::TcpConnector connector{loop};
    std::optional<looplab::Error> error;
    bool done = false;
    connector.connect(nobody, [&](looplab::Result<std::unique_ptr<net::TcpConnection>> made) {
        if (!made) error = made.error();
        done = true;
    });
    wait_for(loop, [&done] { return done; }, "the TCP connect");
    lesson::say("[tcp] connect({}): {}", name,
                error ? fmt::format("{}{}: the SYN was answered by a reset", std::strerror(error->code()),
                                    error->code() == ECONNREFUSED ? " (ECONNREFUSED)" : "")
                      : std::string{"connected (unexpected)"});
}

}  // namespace

void show_send_to_nobody(EventLoop& loop, const lesson::Options& options) {
    const net::Address udp_nobody = net::Address::loopback(free_udp_port(loop));
    const net::Address tcp_nobody = net::Address::loopback(free_tcp_port(loop));
    const std::string udp_name = options.label_as(udp_nobody, "port nobody");
    const std::string tcp_name = options.label_as(tcp_nobody, "port nobody");
    lesson::say("a free port on 127.0.0.1, for UDP and for TCP: nobody listens there "
                "(we call it \"port nobody\")");
    send_unconnected(loop, udp_nobody, udp_name);
    send_connected(loop, udp_nobody, udp_name);
    connect_tcp(loop, tcp_nobody, tcp_name);
}

}  // namespace udp_lesson
