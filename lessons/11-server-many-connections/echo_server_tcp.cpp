// lessons/11-server-many-connections/echo_server_tcp.cpp
//
// One listening socket; every accept() gives a NEW socket with the same local port.
#include "one_port.hpp"

#include <chrono>

namespace one_port {

void wait_for(EventLoop& loop, const std::function<bool()>& done, std::string_view what) {
    if (!loop.run_until(done, std::chrono::milliseconds{2000}))
        lesson::fail(fmt::format("gave up waiting for {} after 2 s", what));
}

namespace {

net::TcpListener listen_or_fail(EventLoop& loop, const net::Address& where, net::ListenOptions options) {
    return lesson::or_fail(net::TcpListener::bind(loop, where, options));
}

}  // namespace

std::string four_tuple(const net::TcpConnection& connection, const lesson::Options& options) {
    // One label per statement: the order in which a call's arguments run is unspecified.
    const std::string local = options.label_as(connection.local_address().port(), "server port");
    const std::string remote = options.label(connection.peer_address().port(), "port");
    return fmt::format("({}, {}) <-> ({}, {})", connection.local_address().ip(), local,
                       connection.peer_address().ip(), remote);
}

EchoServerTcp::EchoServerTcp(EventLoop& loop, const lesson::Options& options,
                             net::ListenOptions listen, std::optional<net::Address> where)
    : listener_(listen_or_fail(loop, where.value_or(net::Address::loopback(0)), listen)),
      options_(options) {
    listener_.on(events::error, [this](const looplab::Error& error) { accept_errors_.push_back(error); });
    must(listener_.start([this](std::unique_ptr<net::TcpConnection> connection) {
        net::TcpConnection& client = *connection;
        connections_.push_back(std::move(connection));
        if (!is_quiet_)
            lesson::say("accept -> socket #{}: {}", connections_.size(), four_tuple(client, options_));
        // The reply names the remote half of the 4-tuple: all the server knows of its client.
        const std::string remote = options_.label(client.peer_address().port(), "port");
        client.on(events::data, [&client, remote](net::ByteBuffer& input) {
            input.consume(input.size());
            client.send(fmt::format("you are ({}, {})", client.peer_address().ip(), remote));
        });
        must(client.start());
    }));
}

}  // namespace one_port
