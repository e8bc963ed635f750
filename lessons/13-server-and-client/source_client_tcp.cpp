// lessons/13-server-and-client/source_client_tcp.cpp
//
// The client: it writes one chunk per turn of the loop, and respects its own watermarks.
#include "relay.hpp"

namespace relay {

void Source::connect(const net::Address& relay) {
    connector_.connect(relay, [this](looplab::Result<std::unique_ptr<net::TcpConnection>> made) {
        if (!made) lesson::fail(made.error());
        connection_ = std::move(*made);
        shrink_kernel_buffers(*connection_);
        connection_->set_watermarks(kRelayLowWatermark, kRelayHighWatermark);
        connection_->on(events::data, [this](net::ByteBuffer& input) { heard_ += input.take(input.size()); });
        // Backpressure reaches the producer: stop at the high watermark, go on at the low one.
        connection_->on(events::high_watermark, [this](std::size_t) {
            is_paused_ = true;
            ++high_watermarks_;
        });
        connection_->on(events::drain, [this] {
            is_paused_ = false;
            schedule();
        });
        must(connection_->start());
    });
}

void Source::send_fast(std::size_t total) {
    total_ = total;
    schedule();
}

// One chunk per turn: the relay and the sink get their turns in between, as they would if
// they were other programs.
void Source::schedule() {
    if (is_scheduled_) return;
    is_scheduled_ = true;
    loop_.post_next([this, alive = lifetime_.alive_token()] {
        if (!*alive) return;   // the source is gone
        is_scheduled_ = false;
        produce();
    });
}

void Source::produce() {
    if (is_paused_ || sent_ >= total_) return;
    std::vector<std::uint8_t> chunk(std::min(kSourceChunk, total_ - sent_));
    for (std::uint8_t& byte : chunk) byte = stream_byte(sent_++);
    connection_->send(chunk);   // may cross the high watermark: then is_paused_ is set
    schedule();
}

}  // namespace relay
