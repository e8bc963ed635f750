// lessons/12-client-many-servers/slow_server_tcp.cpp
//
// A server that thinks before it answers. The thinking is a timer, so the loop (which also
// runs the client and the other servers in this demo) is never blocked by it.
#include "fan_out.hpp"

#include <chrono>

namespace fan_out {

void wait_for(EventLoop& loop, const std::function<bool()>& done, std::string_view what) {
    if (!loop.run_until(done, std::chrono::milliseconds{2000}))
        lesson::fail(fmt::format("gave up waiting for {} after 2 s", what));
}

namespace {

net::TcpListener listen_or_fail(EventLoop& loop) {
    return lesson::or_fail(net::TcpListener::bind(loop, net::Address::loopback(0)));
}

}  // namespace

SlowServer::SlowServer(EventLoop& loop, std::string name, Millis think)
    : loop_(loop), name_(std::move(name)), think_(think), listener_(listen_or_fail(loop)) {
    auto started = listener_.start([this](std::unique_ptr<net::TcpConnection> connection) {
        net::TcpConnection& client = *connection;
        connections_.push_back(std::move(connection));
        client.on(events::data, [this, &client](net::ByteBuffer& input) {
            input.consume(input.size());
            loop_.set_timeout(think_, [this, &client] {
                client.send(fmt::format("{} answers after {} ms\n", name_, think_.count()));
            });
        });
        if (auto reading = client.start(); !reading) lesson::fail(reading.error());
    });
    if (!started) lesson::fail(started.error());
}

}  // namespace fan_out
