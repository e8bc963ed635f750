// tests/integration/net/tcp_backpressure_test.cpp — a fast writer, a slow reader, watermarks.
#include "net_test_support.hpp"

using namespace looplab;
using namespace looplab::net;
using namespace looplab::net::test;

TEST_CASE("a slow reader makes the writer see the high watermark and nothing is lost",
          "[net][tcp][integration]") {
    const std::string poller = GENERATE(from_range(poller::available_pollers()));
    CAPTURE(poller);
    loop::EventLoop loop{poller};
    constexpr std::size_t kTotal = 8 * 1024 * 1024;
    constexpr std::size_t kChunk = 16 * 1024;
    constexpr std::size_t kHigh = 256 * 1024;
    constexpr std::size_t kLow = 64 * 1024;

    // The writer: produce until the high watermark, wait for drain, produce again.
    Checksum sent;
    std::size_t high_events = 0;
    std::size_t drain_events = 0;
    std::size_t most_pending = 0;
    bool is_above_high = false;
    std::function<void()> pump;
    AcceptOne server{loop, [&](TcpConnection& writer) {
                         writer.set_watermarks(kLow, kHigh);
                         writer.on(events::high_watermark, [&](std::size_t pending) {
                             ++high_events;
                             CHECK(pending >= kHigh);
                             is_above_high = true;
                         });
                         writer.on(events::drain, [&] {
                             ++drain_events;
                             CHECK(writer.pending_output() <= kLow);
                             is_above_high = false;
                             pump();
                         });
                         pump = [&] {
                             while (sent.bytes < kTotal && !is_above_high) {
                                 const std::vector<std::uint8_t> chunk =
                                     pattern(kChunk, sent.bytes);
                                 CHECK(writer.send(chunk));
                                 sent.add(chunk);
                                 most_pending = std::max(most_pending, writer.pending_output());
                             }
                             if (sent.bytes == kTotal) writer.close();
                         };
                         pump();
                     }};

    SlowReader reader{loop, server.address()};
    const Checksum& received = reader.received;

    REQUIRE(loop.run_until([&] { return reader.closed && server.recorder.closed(); }, 30s));
    CHECK(high_events >= 1);
    CHECK(drain_events >= 1);
    CHECK(most_pending >= kHigh);
    CHECK(most_pending < kHigh + kChunk);   // the writer stopped at the mark
    CHECK(received.bytes == kTotal);
    CHECK(received.value == sent.value);
    CHECK_FALSE(server.recorder.error);
}
