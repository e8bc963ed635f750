// lessons/10-udp-is-connectionless/echo_server_tcp.cpp
//
// The same echo service over TCP: a listening socket, and one more socket per client.
#include "udp_lesson.hpp"

namespace udp_lesson {
namespace {

net::TcpListener listen_or_fail(EventLoop& loop, const net::Address& where) {
    return lesson::or_fail(net::TcpListener::bind(loop, where));
}

}  // namespace

EchoServerTcp::EchoServerTcp(EventLoop& loop, const lesson::Options& options)
    // 1. bind + listen: the socket waits for clients to ask for a connection.
    : listener_(listen_or_fail(loop, net::Address::loopback(0))), options_(options) {
    lesson::say("[tcp] server: listening socket bound to {}",
                options_.label_as(address(), "the TCP server"));

    // 2. Each client that completed the handshake comes out of accept() as a NEW socket.
    must(listener_.start([this](std::unique_ptr<net::TcpConnection> connection) {
        lesson::say("[tcp] accept -> new socket for {}",
                    options_.label(connection->peer_address(), "tcp client"));
        net::TcpConnection& client = *connection;
        client.on(events::data, [&client](net::ByteBuffer& input) {   // 3. echo on that socket
            client.send(input.readable());
            input.consume(input.size());
        });
        must(client.start());
        connections_.push_back(std::move(connection));
    }));
}

}  // namespace udp_lesson
