// lessons/09-benefit-of-packets/pieces_over_lossy_link.cpp
//
// The benefit of packets, live: a 16 KiB message is cut into 16 numbered pieces, each with
// its own checksum (lesson 14's packet format), and sent through a lossy link (lesson 14's
// UDP relay); both are the lesson kit's (looplab/lesson/lab_packet.hpp, link_relay.hpp).
// Pieces get lost, damaged, duplicated, reordered. The receiver keeps what arrived intact
// and asks for the rest; the sender resends ONLY those pieces. Round by round.
//
//   sender ──pieces──► relay [loss, damage, duplicates, reordering] ──► receiver
//   sender ◄───────────relay [clean on the way back] ◄── "missing 3,6,8"
#include "packets_lesson.hpp"

#include "looplab/lesson/lab_packet.hpp"
#include "looplab/lesson/link_relay.hpp"
#include "looplab/net/udp_socket.hpp"

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace packets {
namespace {

namespace net = looplab::net;
using namespace std::chrono_literals;

constexpr std::size_t kPieces = 16;
constexpr std::size_t kPieceSize = 1024;

net::UdpSocket bind_or_fail(EventLoop& loop) {
    return lesson::or_fail(net::UdpSocket::bind(loop, net::Address::loopback(0)));
}

lesson::Bytes the_message() {
    lesson::Bytes message(kPieces * kPieceSize);
    for (std::size_t i = 0; i < message.size(); ++i) message[i] = static_cast<std::uint8_t>(i * 7 + i / 1024);
    return message;
}

std::string list(const std::vector<std::uint32_t>& numbers) {
    std::string text;
    for (std::uint32_t n : numbers) text += (text.empty() ? "" : " ") + std::to_string(n);
    return text.empty() ? "-" : text;
}

// Keeps the intact pieces; says what it saw each round; asks for the missing ones.
class PieceReceiver {
public:
    explicit PieceReceiver(EventLoop& loop) : socket_(bind_or_fail(loop)), pieces_(kPieces) {
        must(socket_.start([this](const net::Datagram& datagram) { on_piece(datagram); }));
    }
    const net::Address& address() const { return socket_.local_address(); }
    std::size_t datagrams() const { return datagrams_; }

    // The round is over: report it and ask the sender (via the relay) for what is missing.
    std::vector<std::uint32_t> end_round(const net::Address& relay) {
        std::vector<std::uint32_t> missing;
        for (std::uint32_t i = 0; i < kPieces; ++i)
            if (!pieces_[i]) missing.push_back(i);
        lesson::say("  arrived: {}", arrivals_.empty() ? "-" : arrivals_);
        if (arrivals_.find('#') != std::string::npos || arrivals_.find("dup") != std::string::npos)
            lesson::say("           (## damaged: checksum failed, dropped; (dup) a second copy, ignored)");
        lesson::say("  the receiver has {} of {}; it asks again for: {}", kPieces - missing.size(),
                    kPieces, list(missing));
        arrivals_.clear();
        std::string request = "missing";
        for (std::uint32_t n : missing) request += " " + std::to_string(n);
        must(socket_.send_to(relay, request));
        return missing;
    }

    lesson::Bytes reassembled() const {
        lesson::Bytes message;
        for (const auto& piece : pieces_) message.insert(message.end(), piece->begin(), piece->end());
        return message;
    }

private:
    void on_piece(const net::Datagram& datagram) {
        ++datagrams_;
        const lesson::Decoded decoded = lesson::decode(datagram.bytes);
        std::string seen;
        if (std::holds_alternative<lesson::PacketError>(decoded)) {
            seen = "##";   // the checksum failed: not even the number can be trusted
        } else if (const auto* piece = std::get_if<lesson::DataPacket>(&decoded); piece && piece->seq < kPieces) {
            seen = std::to_string(piece->seq);
            if (pieces_[piece->seq]) seen += "(dup)";   // a second copy: ignored
            else pieces_[piece->seq] = piece->payload;
        }
        arrivals_ += (arrivals_.empty() ? "" : " ") + seen;
    }

    net::UdpSocket socket_;
    std::vector<std::optional<lesson::Bytes>> pieces_;
    std::string arrivals_;   // this round, in arrival order
    std::size_t datagrams_ = 0;
};

}  // namespace

void show_pieces_over_lossy_link(EventLoop& loop, const lesson::Options& options) {
    const lesson::Bytes message = the_message();
    const auto seed = static_cast<std::uint64_t>(options.number("seed"));
    const lesson::Impairments there{.loss = 0.2, .duplicate = 0.1, .reorder = 0.1, .corrupt = 0.1,
                                    .delay = 1ms, .jitter = 2ms};

    net::UdpSocket sender = bind_or_fail(loop);
    std::optional<std::string> request;   // the receiver's last "missing ..." datagram
    must(sender.start([&request](const net::Datagram& d) { request = std::string{d.text()}; }));
    PieceReceiver receiver{loop};
    auto relay = lesson::LinkRelay::open(loop, sender.local_address(), receiver.address(),
                                         lesson::LossyLink{there, seed, lesson::kIdentityBytes},
                                         lesson::LossyLink{lesson::Impairments{}, seed + 1});
    if (!relay) lesson::fail(relay.error());
    lesson::LinkRelay& link = **relay;

    lesson::say("a {} KiB message cut into {} pieces of {} bytes; each piece carries its number "
                "and a checksum", message.size() / 1024, kPieces, kPieceSize);
    lesson::say("the link (seed {}): loses 20 %, damages 10 %, duplicates 10 %, reorders 10 % on "
                "the way there; the way back is clean", seed);

    std::vector<std::uint32_t> missing(kPieces);
    for (std::uint32_t i = 0; i < kPieces; ++i) missing[i] = i;
    std::size_t packets_sent = 0;
    std::size_t rounds = 0;
    while (!missing.empty()) {
        ++rounds;
        lesson::say("round {}: the sender sends {} ({})", rounds,
                    rounds == 1 ? "every piece" : "only the missing pieces", missing.size());
        for (std::uint32_t i : missing) {
            const auto begin = message.begin() + static_cast<std::ptrdiff_t>(i * kPieceSize);
            const lesson::Bytes piece = lesson::encode(lesson::DataPacket{
                i, static_cast<std::uint8_t>(rounds - 1), lesson::Bytes(begin, begin + kPieceSize)});
            must(sender.send_to(link.address(), piece));
            ++packets_sent;
        }
        // Lockstep: every piece into the link, the link emptied, every datagram read.
        wait_for(loop, [&] { return link.forward().counts().entered == packets_sent; }, "the link");
        link.flush();
        wait_for(loop, [&] {
            return link.is_idle() && receiver.datagrams() == link.forward().counts().delivered;
        }, "the receiver");
        request.reset();
        missing = receiver.end_round(link.address());
        wait_for(loop, [&request] { return request.has_value(); }, "the receiver's request");
        if (rounds == 10) lesson::fail("ten rounds and still missing pieces");
    }
    lesson::say("complete after {} rounds: {} packets sent for {} pieces (resending the whole "
                "message each round: {})", rounds, packets_sent, kPieces, rounds * kPieces);
    lesson::say("reassembled {} bytes, identical to the original: {}", message.size(),
                receiver.reassembled() == message ? "yes" : "NO");
}

}  // namespace packets
