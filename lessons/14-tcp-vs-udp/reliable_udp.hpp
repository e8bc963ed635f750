// lessons/14-tcp-vs-udp/reliable_udp.hpp
//
// A small reliable protocol over UDP: "what TCP does for you", kept readable. Messages go in
// at one end and come out at the other exactly once, in order, over a path that loses,
// duplicates, reorders and damages datagrams. Packets are lab_packet.hpp's DATA and ACK.
//
//   ReliableSender                                        ReliableReceiver
//   queue(message): numbered 0, 1, 2...
//   poll(now): sends while fewer than `window` are
//   unacknowledged (the sliding window)
//        DATA seq=5 attempt=0  ─────────────────────►    damaged? drop it (no ack)
//                                                         seq < next expected? a duplicate: drop
//                                                         the payload, ack again
//                                                         early? keep it until the gap is filled
//                                                         next expected? deliver it and every
//                                                         kept one that now follows, in order
//        ◄───────────────────  ACK seq=5 cumulative=3 sack=0b101
//   on_datagram(ack): everything below cumulative is done (the window slides); the echoed seq
//   and the SACK bits mark later ones as arrived, so they are not sent again.
//
// The retransmission timer (one per sender, as in TCP, RFC 6298): it runs while anything is
// unacknowledged and restarts whenever the window's left edge moves. When it expires, every
// unacknowledged message the receiver has not SACKed is sent again (attempt + 1), and the
// timeout doubles (exponential backoff, up to max_rto), so a dead path is not flooded.
//
// What this protocol leaves out, and TCP has: a handshake, flow control (the receiver's
// window), congestion control (slowing down when the network drops packets), an RTO measured
// from the round-trip time, fast retransmit after three duplicate acks. notes/14 has them as
// exercises.
//
// Pure state machines: datagrams and times in, datagrams out, no sockets. lessons/14 runs them
// over real UDP sockets; tests/unit/lessons runs them over LossyLink with a made-up clock.
#pragma once

#include "lab_packet.hpp"
#include "lossy_link.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <variant>
#include <vector>

namespace lab {

// Most messages sent and not yet acknowledged. Each one needs its ack (or a SACK bit) before
// the window slides past it; the receiver keeps at most this many early arrivals.
inline constexpr std::size_t kDefaultWindow = 32;
// The first retransmission timeout, and its cap after doubling.
inline constexpr looplab::Millis kDefaultRto{200};
inline constexpr looplab::Millis kDefaultMaxRto{3200};
// How many later messages one ack can mark as arrived (the SACK field is 32 bits).
inline constexpr std::size_t kSackBits = 32;

struct ReliableConfig {
    std::size_t window = kDefaultWindow;
    looplab::Millis rto = kDefaultRto;
    looplab::Millis max_rto = kDefaultMaxRto;
};

struct SenderCounts {
    std::size_t sent = 0;              // DATA datagrams, first sends and retransmissions
    std::size_t retransmissions = 0;
    std::size_t timeouts = 0;          // times the retransmission timer expired
    std::size_t acks = 0;              // intact acks received
    std::size_t corrupted_caught = 0;  // acks that failed their checksum
};

class ReliableSender {
public:
    explicit ReliableSender(ReliableConfig config = {}) : config_(config), rto_(config.rto) {}

    // The application hands over a message; it gets the next sequence number.
    std::uint32_t queue(Bytes message) {
        messages_.push_back(std::move(message));
        return static_cast<std::uint32_t>(messages_.size() - 1);
    }

    // What to send now: retransmissions if the timer has expired, then new messages while
    // the window has room. Call it after queue(), after on_datagram(), and at next_timer().
    std::vector<Bytes> poll(TimePoint now) {
        std::vector<Bytes> out;
        if (timer_ && now >= *timer_) retransmit(now, out);
        while (next_seq_ < messages_.size() && next_seq_ < base_ + config_.window) {
            in_flight_.emplace(next_seq_, InFlight{});
            out.push_back(encode(DataPacket{next_seq_, 0, messages_[next_seq_]}));
            ++counts_.sent;
            ++next_seq_;
            if (!timer_) timer_ = now + rto_;
        }
        return out;
    }

    // An ack (or anything else) arrived from the receiver.
    void on_datagram(std::span<const std::uint8_t> datagram, TimePoint now) {
        const Decoded decoded = decode(datagram);
        if (std::holds_alternative<PacketError>(decoded)) {
            ++counts_.corrupted_caught;   // damaged on the way back: as if lost
            return;
        }
        const auto* ack = std::get_if<AckPacket>(&decoded);
        if (ack == nullptr) return;       // DATA from the receiver: not in this protocol
        ++counts_.acks;
        mark_arrived(ack->seq);
        for (std::size_t i = 0; i < kSackBits; ++i)
            if (ack->sack >> i & 1u) mark_arrived(ack->cumulative + 1 + static_cast<std::uint32_t>(i));
        slide(ack->cumulative, now);
    }

    // When poll() must run even if nothing arrives (the retransmission timer).
    std::optional<TimePoint> next_timer() const { return timer_; }
    // Every queued message is acknowledged.
    bool is_done() const { return base_ == messages_.size(); }
    std::size_t unacknowledged() const { return next_seq_ - base_; }
    const SenderCounts& counts() const { return counts_; }

private:
    struct InFlight {
        std::uint8_t attempt = 0;
        bool is_sacked = false;   // the receiver has it; the window waits for the ones before
    };

    void mark_arrived(std::uint32_t seq) {
        if (auto it = in_flight_.find(seq); it != in_flight_.end()) it->second.is_sacked = true;
    }

    // Everything below `cumulative`, and any SACKed run at the left edge, is done.
    void slide(std::uint32_t cumulative, TimePoint now) {
        const std::uint32_t old_base = base_;
        while (base_ < next_seq_) {
            const auto it = in_flight_.find(base_);
            if (base_ >= cumulative && !it->second.is_sacked) break;
            in_flight_.erase(it);
            ++base_;
        }
        if (base_ == old_base) return;
        rto_ = config_.rto;   // progress: the path works again, forget the backoff
        timer_.reset();
        if (base_ < next_seq_) timer_ = now + rto_;
    }

    void retransmit(TimePoint now, std::vector<Bytes>& out) {
        ++counts_.timeouts;
        for (auto& [seq, flight] : in_flight_) {
            if (flight.is_sacked) continue;
            if (flight.attempt < kMaxAttempt) ++flight.attempt;
            out.push_back(encode(DataPacket{seq, flight.attempt, messages_[seq]}));
            ++counts_.sent;
            ++counts_.retransmissions;
        }
        rto_ = std::min(rto_ * 2, config_.max_rto);
        timer_ = now + rto_;
    }

    ReliableConfig config_;
    looplab::Millis rto_;
    std::vector<Bytes> messages_;            // everything queued, by seq (kept: a lab, not a server)
    std::map<std::uint32_t, InFlight> in_flight_;   // seq in [base_, next_seq_)
    std::uint32_t base_ = 0;                 // oldest unacknowledged: the window's left edge
    std::uint32_t next_seq_ = 0;             // next never-sent message
    std::optional<TimePoint> timer_;
    SenderCounts counts_;
};

struct ReceiverCounts {
    std::size_t received = 0;           // intact DATA datagrams
    std::size_t duplicates = 0;         // ...that it already had (dropped, acked again)
    std::size_t out_of_order = 0;       // ...that came before a gap was filled (kept)
    std::size_t corrupted_caught = 0;   // DATA that failed its checksum (dropped, not acked)
    std::size_t delivered = 0;          // messages handed to the application
};

// A message handed to the application, with its number.
struct Delivered {
    std::uint32_t seq = 0;
    Bytes payload;
};

class ReliableReceiver {
public:
    explicit ReliableReceiver(std::size_t window = kDefaultWindow) : window_(window) {}

    // A datagram arrived. Messages that are now in order go to the end of `delivered`; the
    // returned ack goes back to the sender (nothing for a damaged datagram).
    std::optional<Bytes> on_datagram(std::span<const std::uint8_t> datagram,
                                     std::vector<Delivered>& delivered) {
        const Decoded decoded = decode(datagram);
        if (std::holds_alternative<PacketError>(decoded)) {
            ++counts_.corrupted_caught;
            return std::nullopt;   // the sender's timer will send it again
        }
        const auto* data = std::get_if<DataPacket>(&decoded);
        if (data == nullptr) return std::nullopt;
        ++counts_.received;

        if (data->seq < expected_ || early_.contains(data->seq)) {
            ++counts_.duplicates;
        } else if (data->seq >= expected_ + window_) {
            return std::nullopt;   // beyond the window: a sender bug; do not keep it
        } else if (data->seq > expected_) {
            ++counts_.out_of_order;
            early_.emplace(data->seq, data->payload);
        } else {
            delivered.push_back(Delivered{data->seq, data->payload});
            ++expected_;
            // The gap is filled: everything kept that now follows goes out too.
            for (auto it = early_.begin(); it != early_.end() && it->first == expected_;
                 it = early_.erase(it)) {
                delivered.push_back(Delivered{it->first, std::move(it->second)});
                ++expected_;
            }
            counts_.delivered = expected_;
        }
        return encode(AckPacket{data->seq, data->attempt, expected_, sack_bits()});
    }

    std::uint32_t expected() const { return expected_; }
    const ReceiverCounts& counts() const { return counts_; }

private:
    // Bit i: message expected_ + 1 + i is already here.
    std::uint32_t sack_bits() const {
        std::uint32_t bits = 0;
        for (const auto& [seq, payload] : early_)
            if (seq > expected_ && seq - expected_ - 1 < kSackBits) bits |= 1u << (seq - expected_ - 1);
        return bits;
    }

    std::size_t window_;
    std::uint32_t expected_ = 0;            // every message below this was delivered
    std::map<std::uint32_t, Bytes> early_;  // arrived before the gap in front of them closed
    ReceiverCounts counts_;
};

}  // namespace lab
