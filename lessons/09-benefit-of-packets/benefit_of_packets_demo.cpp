// lessons/09-benefit-of-packets/benefit_of_packets_demo.cpp
//
// What packets buy, and what TCP's byte stream hides: three writes arrive as one read over
// TCP (so messages need framing), datagrams keep their boundaries, and a message cut into
// numbered, checksummed pieces survives a lossy link by resending only the lost pieces.
// Read with notes/09-benefit-of-packets.md.
#include "packets_lesson.hpp"

using namespace looplab;
using namespace packets;

int main(int argc, char** argv) {
    const auto options = lesson::parse(argc, argv, "lesson-09",
                                       lesson::number("seed", "N", "the lossy link's seed (step 5)", 20));
    lesson::TraceSession tracing{options};
    loop::EventLoop loop{options.poller};

    // 1. TCP keeps the bytes and their order, not the boundaries of the writes.
    options.step("TCP is a byte stream: three writes, how many reads?");
    show_byte_stream(loop, options);

    // 2. So each message carries its length, and the reader cuts the stream back into messages.
    options.step("Framing: a length in front of each message");
    show_framing(loop, options);

    // 3. UDP keeps them: one send, one datagram, one receive.
    options.step("UDP datagrams keep their boundaries");
    show_datagrams(loop, options);

    // 4. Numbered pieces: the receiver knows what is missing, and only that is sent again.
    options.step("Numbered pieces over a lossy link: resend only what was lost");
    show_pieces_over_lossy_link(loop, options);

    options.step("What packets buy");
    lesson::say("a link is shared packet by packet by everyone using it (statistical multiplexing);");
    lesson::say("packets can take another route when a link fails; a loss costs one piece, not");
    lesson::say("the whole message. TCP does all of this underneath, but hands you a byte stream:");
    lesson::say("your messages need framing (WebSocket frames, Engine.IO's 0x1e separator).");
    lesson::say("A Socket.IO \"packet\" is such an application message, not an IP packet.");
    return 0;
}
