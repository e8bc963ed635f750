// lessons/13-server-and-client/sink_server_tcp.cpp
//
// The upstream server: an echo, or a slow reader that takes one read, then looks away.
#include "relay.hpp"

namespace relay {
namespace {

net::TcpListener listen_or_fail(EventLoop& loop) {
    return lesson::or_fail(net::TcpListener::bind(loop, net::Address::loopback(0)));
}

}  // namespace

Sink::Sink(EventLoop& loop, Mode mode) : loop_(loop), mode_(mode), listener_(listen_or_fail(loop)) {
    must(listener_.start([this](std::unique_ptr<net::TcpConnection> accepted) {
        connection_ = std::move(accepted);
        shrink_kernel_buffers(*connection_);
        net::TcpConnection& connection = *connection_;
        connection.on(events::data, [this, &connection](net::ByteBuffer& input) { on_data(connection, input); });
        must(connection.start());
    }));
}

Sink::~Sink() { loop_.cancel_timer(pause_timer_); }

void Sink::on_data(net::TcpConnection& connection, net::ByteBuffer& input) {
    if (mode_ == Mode::Echo) {
        received_ += input.size();
        connection.send(input.readable());
        input.consume(input.size());
        return;
    }
    for (std::uint8_t byte : input.readable()) is_in_order_ = is_in_order_ && byte == stream_byte(received_++);
    input.consume(input.size());
    // Look away for a moment: while paused, nothing is read and the kernel's buffer fills.
    connection.pause_reading();
    pause_timer_ = loop_.set_timeout(kSlowReadPause, [this, &connection] {
        pause_timer_ = 0;
        connection.resume_reading();
    });
}

}  // namespace relay
