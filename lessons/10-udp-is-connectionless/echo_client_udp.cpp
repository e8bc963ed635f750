// lessons/10-udp-is-connectionless/echo_client_udp.cpp
//
// A UDP client: a socket of its own, one datagram out, the reply in. No connect, no handshake.
#include "udp_lesson.hpp"

namespace udp_lesson {

EchoClientUdp::EchoClientUdp(EventLoop& loop)
    : socket_([&loop] {
          auto socket = net::UdpSocket::bind(loop, net::Address::loopback(0));   // port 0: OS picks
          if (!socket) lesson::fail(socket.error());
          return std::move(*socket);
      }()) {
    must(socket_.start([this](const net::Datagram& datagram) {
        reply_ = std::string{datagram.text()};
    }));
}

void EchoClientUdp::send(const net::Address& server, std::string_view text) {
    must(socket_.send_to(server, text));   // the first packet IS the message
}

}  // namespace udp_lesson
