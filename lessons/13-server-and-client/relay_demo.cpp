// lessons/13-server-and-client/relay_demo.cpp
//
// One program that is both a server and a client: a relay accepts a client and connects
// upstream for it, on one loop. Then a fast client and a slow upstream: backpressure keeps
// the relay's memory bounded; without it, the relay swallows everything.
// Read with notes/13-server-and-client.md.
#include "relay.hpp"

using namespace looplab;
using namespace relay;

namespace {

constexpr std::size_t kTotal = 2 * 1024 * 1024;

std::string kib(std::size_t bytes) {
    if (bytes % (1024 * 1024) == 0) return fmt::format("{} MiB", bytes / (1024 * 1024));
    return fmt::format("{} KiB", bytes / 1024);
}

// Step 3 and 4: `kTotal` bytes from a fast source to a slow sink through a relay.
Relay::Stats fast_into_slow(loop::EventLoop& loop, const lesson::Options& options, bool backpressure,
                            std::size_t& source_high_watermarks) {
    Sink sink{loop, Sink::Mode::SlowReader};
    Relay middle{loop, options, sink.address(), backpressure};
    Source source{loop};
    source.connect(middle.address());
    wait_for(loop, [&] { return source.is_connected() && middle.is_piping(); }, "the relay");
    lesson::say("the client sends {} as fast as it may; the sink reads one chunk every {} ms",
                kib(kTotal), Sink::kSlowReadPause.count());
    source.send_fast(kTotal);
    wait_for(loop, [&] { return sink.received() == kTotal; }, "the sink to get everything");
    lesson::say("the sink received {}, in order: {}", kib(kTotal), sink.is_in_order() ? "yes" : "NO");
    source_high_watermarks = source.high_watermarks();
    return middle.stats();
}

}  // namespace

int main(int argc, char** argv) {
    const auto options = lesson::parse(argc, argv, "lesson-13");
    lesson::TraceSession tracing{options};
    loop::EventLoop loop{options.poller};

    // 1. The relay is a server (it accepts) and a client (it connects), on the same loop.
    options.step("One loop, two roles: a relay");
    {
        Sink sink{loop, Sink::Mode::Echo};
        lesson::say("sink: the upstream server, listening on {}", options.label_as(sink.address(), "the sink"));
        Relay middle{loop, options, sink.address(), true};
        lesson::say("relay: listening on {}", options.label_as(middle.address(), "the relay"));
        Source source{loop};
        source.connect(middle.address());
        wait_for(loop, [&] { return source.is_connected() && middle.is_piping(); }, "the relay");

        // 2. Bytes go through, both ways.
        options.step("A message through the relay, both ways");
        source.send_line("hello\n");
        wait_for(loop, [&] { return source.heard().size() == 6; }, "the echo");
        lesson::say("client A -> relay -> sink: \"hello\"; sink -> relay -> client A: \"{}\"",
                    source.heard().substr(0, 5));
    }

    // 3. A fast client, a slow sink, and watermarks that pass the slowness back.
    options.step("A fast client, a slow sink: backpressure");
    std::size_t source_pauses = 0;
    const Relay::Stats with = fast_into_slow(loop, options, true, source_pauses);
    lesson::say("the relay stopped reading from the client: {}",
                options.demo ? std::string{with.pauses > 0 ? "yes" : "no"} : fmt::format("{} times", with.pauses));
    lesson::say("the client reached its own high watermark and waited: {}",
                options.demo ? std::string{source_pauses > 0 ? "yes" : "no"} : fmt::format("{} times", source_pauses));
    lesson::say("most bytes ever waiting in the relay: {}",
                options.demo ? fmt::format("under 512 KiB: {}", with.most_waiting < 512 * 1024 ? "yes" : "NO")
                             : kib(with.most_waiting));

    // 4. The same, with the relay ignoring its watermarks.
    options.step("The same without backpressure");
    const Relay::Stats without = fast_into_slow(loop, options, false, source_pauses);
    lesson::say("most bytes ever waiting in the relay: {}",
                options.demo ? fmt::format("more than 1 MiB: {}", without.most_waiting > 1024 * 1024 ? "yes" : "no")
                             : kib(without.most_waiting));
    lesson::say("a relay that reads faster than it can write stores the difference: with 100");
    lesson::say("clients, that is 100 times the memory, and a slow client can exhaust it");
    return 0;
}
