// lessons/14-tcp-vs-udp/reliable_udp_run.cpp
//
// (b) The reliable protocol of reliable_udp.hpp over the same lossy link, impaired both ways
// (acks get lost and damaged too). The run only moves datagrams between the sockets and the
// two state machines, and keeps one loop timer on the sender's retransmission timer.
#include "udp_endpoints.hpp"

#include <chrono>

namespace lab {
namespace {

void report(const SenderCounts& sent, const ReceiverCounts& got, const RunResult& row) {
    const std::size_t count = row.count;
    lesson::say("the sender sent {} DATA datagrams for {} messages: {} retransmissions, {} of them "
                "fast, the rest after {} timeouts", sent.sent, count, sent.retransmissions,
                sent.fast_retransmissions, sent.timeouts);
    lesson::say("the receiver sent {} acks; {} reached the sender intact, {} arrived damaged", got.received,
                sent.acks, sent.corrupted_caught);
    lesson::say("the receiver caught {} damaged datagrams, dropped {} duplicates, and held {} early "
                "arrivals until the gap before them closed", got.corrupted_caught, got.duplicates,
                got.out_of_order);
    lesson::say("the application got {}", delivery_summary(row));
}

}  // namespace

RunResult run_reliable_udp(EventLoop& loop, const Workload& workload, const lesson::Options&) {
    UdpEndpoints ends{loop, workload};
    ReliableSender sender{workload.reliable};
    ReliableReceiver receiver{workload.reliable.window};
    looplab::loop::TimerId rto_timer = 0;

    // Send what the protocol wants sent now, and wake up at its next deadline.
    std::function<void()> pump = [&] {
        for (const Bytes& datagram : sender.poll(loop.now())) ends.send_from_sender(datagram);
        loop.cancel_timer(rto_timer);
        rto_timer = 0;
        if (const auto deadline = sender.next_timer()) {
            const auto wait = std::chrono::ceil<looplab::Millis>(std::max(*deadline - loop.now(), Duration{0}));
            rto_timer = loop.set_timeout(wait, [&] {
                rto_timer = 0;
                pump();
            });
        }
    };

    Pacer pacer{loop, workload, [&](std::uint32_t, Bytes message) {
        sender.queue(std::move(message));
        pump();
    }};
    Tally tally{workload.count, loop.now()};
    std::vector<Delivered> delivered;

    auto acks_in = ends.sender.start([&](const looplab::net::Datagram& datagram) {
        ++ends.read;
        sender.on_datagram(datagram.bytes, loop.now());
        pump();
    });
    auto data_in = ends.receiver.start([&](const looplab::net::Datagram& datagram) {
        ++ends.read;
        delivered.clear();
        if (auto ack = receiver.on_datagram(datagram.bytes, delivered)) ends.send_from_receiver(*ack);
        for (const Delivered& message : delivered)
            tally.on_message(message.payload, workload.size, loop.now(), pacer.queued_at());
    });
    if (!acks_in) lesson::fail(acks_in.error());
    if (!data_in) lesson::fail(data_in.error());

    pacer.start();
    bool finished = run_until(loop, [&] {
        return pacer.is_done() && sender.is_done() && tally.delivered() == workload.count;
    });
    loop.cancel_timer(rto_timer);
    // Late duplicates and acks still on the link are counted too, so the figures are final.
    finished = finished && run_until(loop, [&] { return ends.is_drained(); });

    RunResult row = result_from("reliable UDP (lossy)", tally, workload.count, workload.size);
    row.path = "the same lossy UDP relay";
    report(sender.counts(), receiver.counts(), row);
    row.corrupted_caught = receiver.counts().corrupted_caught + sender.counts().corrupted_caught;
    row.retransmissions = sender.counts().retransmissions;
    row.finished = finished;
    return row;
}

}  // namespace lab
