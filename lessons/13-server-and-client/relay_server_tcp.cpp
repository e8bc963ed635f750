// lessons/13-server-and-client/relay_server_tcp.cpp
//
// The relay: a listener (server role) and a connector (client role) on the same loop, and for
// each client a pipe with backpressure in both directions.
#include "relay.hpp"

#include <algorithm>
#include <chrono>

#include <sys/socket.h>

namespace relay {

void wait_for(EventLoop& loop, const std::function<bool()>& done, std::string_view what) {
    if (!loop.run_until(done, std::chrono::milliseconds{10000}))
        lesson::fail(fmt::format("gave up waiting for {} after 10 s", what));
}

void shrink_kernel_buffers(const net::TcpConnection& connection) {
    const int size = kSmallKernelBuffer;
    ::setsockopt(connection.fd(), SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    ::setsockopt(connection.fd(), SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
}

namespace {

net::TcpListener listen_or_fail(EventLoop& loop) {
    return lesson::or_fail(net::TcpListener::bind(loop, net::Address::loopback(0)));
}

}  // namespace

Relay::Relay(EventLoop& loop, const lesson::Options& options, net::Address upstream, bool backpressure)
    : options_(options), upstream_address_(upstream), has_backpressure_(backpressure),
      listener_(listen_or_fail(loop)), connector_(loop) {
    // 1. The server role: accept clients.
    must(listener_.start([this](std::unique_ptr<net::TcpConnection> client) {
        on_client(std::move(client));
    }));
}

void Relay::on_client(std::unique_ptr<net::TcpConnection> client) {
    Pipe& pipe = *pipes_.emplace_back(std::make_unique<Pipe>());
    pipe.name = options_.label(client->peer_address());
    pipe.client = std::move(client);
    shrink_kernel_buffers(*pipe.client);
    must(pipe.client->start());
    // Nowhere to put its bytes yet: leave them in the kernel until upstream is connected.
    pipe.client->pause_reading();
    lesson::say("relay (server role): accepted {}; reading from it waits for the upstream", pipe.name);

    // 2. The client role, on the same loop: connect upstream for this client.
    lesson::say("relay (client role): connecting to the sink for {}", pipe.name);
    connector_.connect(upstream_address_, [this, &pipe](looplab::Result<std::unique_ptr<net::TcpConnection>> made) {
        if (!made) lesson::fail(made.error());
        on_upstream(pipe, std::move(*made));
    });
}

void Relay::on_upstream(Pipe& pipe, std::unique_ptr<net::TcpConnection> upstream) {
    pipe.upstream = std::move(upstream);
    shrink_kernel_buffers(*pipe.upstream);
    pipe.upstream->set_watermarks(kRelayLowWatermark, kRelayHighWatermark);

    // 3. Pipe both ways: what one side says, the other side gets.
    pipe.client->on(events::data, [this, &pipe](net::ByteBuffer& input) {
        pipe.upstream->send(input.readable());
        input.consume(input.size());
        stats_.most_waiting = std::max(stats_.most_waiting, pipe.upstream->pending_output());
    });
    pipe.upstream->on(events::data, [&pipe](net::ByteBuffer& input) {
        pipe.client->send(input.readable());
        input.consume(input.size());
    });
    if (has_backpressure_) wire_backpressure(pipe);
    must(pipe.upstream->start());
    pipe.client->resume_reading();
    lesson::say("relay: upstream connected; piping {} <-> sink", pipe.name);
}

// 4. Backpressure: the slow side's watermarks pause and resume reading on the fast side.
void Relay::wire_backpressure(Pipe& pipe) {
    pipe.upstream->on(events::high_watermark, [this, &pipe](std::size_t) {
        pipe.client->pause_reading();
        if (++stats_.pauses == 1)   // (how far past the mark it got depends on the last read)
            lesson::say("relay: {} KiB or more wait for the sink (high watermark) -> stop reading "
                        "from {}", kRelayHighWatermark / 1024, pipe.name);
    });
    pipe.upstream->on(events::drain, [this, &pipe] {
        pipe.client->resume_reading();
        if (stats_.pauses == 1)
            lesson::say("relay: down to the low watermark ({} KiB) -> read from {} again",
                        kRelayLowWatermark / 1024, pipe.name);
    });
    // The same the other way round, for replies that the client is slow to read.
    pipe.client->set_watermarks(kRelayLowWatermark, kRelayHighWatermark);
    pipe.client->on(events::high_watermark, [&pipe](std::size_t) { pipe.upstream->pause_reading(); });
    pipe.client->on(events::drain, [&pipe] { pipe.upstream->resume_reading(); });
}

}  // namespace relay
