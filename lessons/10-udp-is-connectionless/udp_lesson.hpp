// lessons/10-udp-is-connectionless/udp_lesson.hpp
//
// What the files of lesson 10 share: an echo service over UDP (one socket for everybody) and
// over TCP (one socket per client), their clients, and the two later steps (sending to a port
// nobody listens on; the checksum).
//
//   echo_server_udp.cpp   bind, then answer each datagram at the address it came from
//   echo_server_tcp.cpp   bind + listen, then a new socket per accept()
//   echo_client_udp.cpp   / echo_client_tcp.cpp: the senders
//   send_to_nobody.cpp    UDP's send "succeeds", a connected UDP socket hears ECONNREFUSED
//                         later, TCP's connect fails during the handshake
//   checksum_demo.cpp     the UDP checksum of a real datagram, with one bit flipped
#pragma once

#include "looplab/lesson/internet_checksum.hpp"
#include "looplab/lesson/lesson.hpp"
#include "looplab/loop/event_loop.hpp"
#include "looplab/net/address.hpp"
#include "looplab/net/tcp_connection.hpp"
#include "looplab/net/tcp_connector.hpp"
#include "looplab/net/tcp_listener.hpp"
#include "looplab/net/udp_socket.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace udp_lesson {

namespace lesson = looplab::lesson;
namespace net = looplab::net;
namespace events = looplab::events;
using looplab::loop::EventLoop;

// The checksum this lesson teaches lives in the lesson kit
// (looplab/lesson/internet_checksum.hpp), because lessons 09 and 14 put it on their packets too.
using lesson::Bytes;
using lesson::checksum_field;
using lesson::kUdpHeaderSize;
using lesson::udp_segment;
using lesson::udp_sum;

// Every wait in this lesson: turn the loop until `done`, never longer than a second.
inline void wait_for(EventLoop& loop, const std::function<bool()>& done, std::string_view what) {
    if (!loop.run_until(done, std::chrono::milliseconds{1000}))
        lesson::fail(fmt::format("gave up waiting for {} after 1 s", what));
}

// Ends the lesson on a failed set-up step (a start(), a send_to(): "sendto 127.0.0.1:9: ...").
using lesson::must;

// The datagram a server received, as it was on the wire: for the checksum step.
struct SeenDatagram {
    net::Address from;
    net::Address to;
    Bytes data;
};

// One UDP socket that answers every datagram at the address it came from.
class EchoServerUdp {
public:
    EchoServerUdp(EventLoop& loop, const lesson::Options& options);
    const net::Address& address() const { return socket_.local_address(); }
    std::size_t sockets_open() const { return 1; }   // whatever the number of clients
    const std::vector<SeenDatagram>& seen() const { return seen_; }

private:
    net::UdpSocket socket_;
    const lesson::Options& options_;
    std::vector<SeenDatagram> seen_;
};

// A listening socket, and one more socket per client that connects.
class EchoServerTcp {
public:
    EchoServerTcp(EventLoop& loop, const lesson::Options& options);
    const net::Address& address() const { return listener_.local_address(); }
    std::size_t sockets_open() const { return 1 + connections_.size(); }

private:
    net::TcpListener listener_;
    const lesson::Options& options_;
    std::vector<std::unique_ptr<net::TcpConnection>> connections_;
};

// A UDP client: its own socket (the OS picks the port), sends one datagram, keeps the reply.
class EchoClientUdp {
public:
    explicit EchoClientUdp(EventLoop& loop);
    void send(const net::Address& server, std::string_view text);
    const std::string& reply() const { return reply_; }

private:
    net::UdpSocket socket_;
    std::string reply_;
};

// A TCP client: connects (a handshake first), then sends one line and keeps the echo.
class EchoClientTcp {
public:
    explicit EchoClientTcp(EventLoop& loop) : connector_(loop) {}
    void connect_and_send(const net::Address& server, std::string text);
    const std::string& reply() const { return reply_; }

private:
    net::TcpConnector connector_;
    std::unique_ptr<net::TcpConnection> connection_;
    std::string reply_;
};

// Step 3 (send_to_nobody.cpp) and step 4 (checksum_demo.cpp).
void show_send_to_nobody(EventLoop& loop, const lesson::Options& options);
void show_checksum(const SeenDatagram& datagram, const lesson::Options& options);

}  // namespace udp_lesson
