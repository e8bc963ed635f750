// lessons/14-tcp-vs-udp/raw_udp_run.cpp
//
// (a) Raw UDP: each message is one datagram (the kit's lab_packet.hpp DATA, for its number
// and checksum), sent once through the lossy link. Nothing is resent, nothing is put in order:
// the receiving application gets what the path lets through.
#include "udp_endpoints.hpp"

namespace lab {

RunResult run_raw_udp(EventLoop& loop, const Workload& workload, const lesson::Options& options) {
    UdpEndpoints ends{loop, workload};
    Pacer pacer{loop, workload, [&](std::uint32_t seq, Bytes message) {
        ends.send_from_sender(encode(DataPacket{seq, 0, std::move(message)}));
    }};
    Tally tally{workload.count, loop.now()};
    auto receiving = ends.receiver.start([&](const looplab::net::Datagram& datagram) {
        ++ends.read;
        const Decoded decoded = decode(datagram.bytes);
        if (const auto* data = std::get_if<DataPacket>(&decoded))
            tally.on_message(data->payload, workload.size, loop.now(), pacer.queued_at());
        else
            tally.on_corrupted();   // our checksum caught it: drop it, and that is all
    });
    if (!receiving) lesson::fail(receiving.error());

    pacer.start();
    const bool finished = run_until(loop, [&] { return pacer.is_done() && ends.is_drained(); });

    const LinkRelay& relay = *ends.relay;
    const LinkCounts& link = relay.forward().counts();
    lesson::say("the sender sent {} datagrams, once each; the receiver read {}", ends.sent, ends.read);
    lesson::say("on the way, the link lost {}, damaged {}, duplicated {}, reordered {}", link.lost,
                link.corrupted, link.duplicated, link.reordered);
    lesson::say("the application got {} of {} messages: {} copies twice, {} out of order, {} damaged "
                "(caught by the checksum, dropped)", tally.delivered(), workload.count, tally.duplicated(),
                tally.out_of_order(), tally.corrupted_caught());
    lesson::say("nobody noticed the {} missing ones, and nobody sent them again",
                workload.count - tally.delivered());
    if (ends.send_failures + relay.send_failures() > 0 && !options.demo)
        lesson::say("(our own sockets refused {} datagrams: full buffers)", ends.send_failures + relay.send_failures());

    RunResult row = result_from("raw UDP (lossy)", tally, workload.count, workload.size);
    row.path = "the lossy UDP relay: " + describe(workload.path);
    row.finished = finished;
    return row;
}

}  // namespace lab
