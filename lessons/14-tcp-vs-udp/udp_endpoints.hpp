// lessons/14-tcp-vs-udp/udp_endpoints.hpp
//
// The two UDP runs share their plumbing: a sender socket, a receiver socket, and the lossy
// relay between them (impaired both ways, one seed per direction).
//
//   sender ──► relay [forward LossyLink] ──► receiver
//   sender ◄── relay [backward LossyLink] ◄── receiver      (acks, in the reliable run)
#pragma once

#include "lab.hpp"

#include "looplab/lesson/link_relay.hpp"
#include "looplab/net/udp_socket.hpp"

#include <memory>

namespace lab {

using looplab::lesson::LinkRelay;

struct UdpEndpoints {
    looplab::net::UdpSocket sender;
    looplab::net::UdpSocket receiver;
    std::unique_ptr<LinkRelay> relay;
    std::size_t send_failures = 0;   // datagrams our own sockets refused (a full buffer)
    std::size_t sent = 0;            // datagrams both endpoints handed to the relay
    std::size_t read = 0;            // datagrams both endpoints received (the run counts them)

    UdpEndpoints(EventLoop& loop, const Workload& workload)
        : sender(bind_or_fail(loop)), receiver(bind_or_fail(loop)) {
        auto opened = LinkRelay::open(loop, sender.local_address(), receiver.local_address(),
                                      LossyLink{workload.path, workload.seed, kIdentityBytes},
                                      LossyLink{workload.path, workload.seed + 1, kIdentityBytes});
        if (!opened) lesson::fail(opened.error());
        relay = std::move(*opened);
    }

    // Both endpoints send to the relay, never to each other.
    void send_from_sender(const Bytes& datagram) { send(sender, datagram); }
    void send_from_receiver(const Bytes& datagram) { send(receiver, datagram); }

    // Call once the sender has stopped for good. The link lets go of what it holds back, and
    // true once every datagram sent has come out of the link (or was lost in it) and been
    // read: from then on the counts are final, the same on every run.
    bool is_drained() {
        relay->flush();
        const LinkCounts& there = relay->forward().counts();
        const LinkCounts& back = relay->backward().counts();
        return relay->is_idle() && sent == there.entered + back.entered &&
               read + relay->send_failures() == there.delivered + back.delivered;
    }

private:
    void send(looplab::net::UdpSocket& from, const Bytes& datagram) {
        if (from.send_to(relay->address(), datagram)) ++sent;
        else ++send_failures;
    }

    static looplab::net::UdpSocket bind_or_fail(EventLoop& loop) {
        auto socket = looplab::net::UdpSocket::bind(loop, looplab::net::Address::loopback(0));
        if (!socket) lesson::fail(socket.error());
        return std::move(*socket);
    }
};

}  // namespace lab
