// lessons/14-tcp-vs-udp/reliable_udp.hpp
//
// A small reliable protocol over UDP: "what TCP does for you", kept readable. Messages go in
// at one end and come out at the other exactly once, in order, over a path that loses,
// duplicates, reorders and damages datagrams. Packets are the lesson kit's
// lab_packet.hpp DATA and ACK.
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
// Two ways to notice a loss, as in TCP:
//   fast retransmit   an ack shows kFastRetransmitAfter later messages arrived while one
//                     before them did not: it was surely lost, so it is sent again at once
//                     (once; if that copy is lost too, the timer takes over).
//   the timer         one per sender (RFC 6298): it runs while anything is unacknowledged and
//                     restarts whenever the window's left edge moves. When it expires, every
//                     unacknowledged message the receiver has not SACKed is sent again, and the
//                     timeout doubles (exponential backoff, up to max_rto), so a dead path is
//                     not flooded. A resent message carries attempt + 1.
//
// What this protocol leaves out, and TCP has: a handshake, flow control (the receiver's
// window), congestion control (slowing down when the network drops packets), an RTO measured
// from the round-trip time. notes/14-tcp-vs-udp.md has them as exercises.
//
// Pure state machines: datagrams and times in, datagrams out, no sockets. lessons/14 runs them
// over real UDP sockets; tests/unit/lessons runs them over LossyLink with a made-up clock.
#pragma once

#include "looplab/core/clock.hpp"
#include "looplab/lesson/lab_packet.hpp"
#include "looplab/lesson/lossy_link.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <variant>
#include <vector>

namespace lab {

// The packet format and the clock's types, from the lesson kit (lesson 09 shares them).
using looplab::lesson::AckPacket;
using looplab::lesson::Bytes;
using looplab::lesson::DataPacket;
using looplab::lesson::decode;
using looplab::lesson::Decoded;
using looplab::lesson::encode;
using looplab::lesson::kMaxAttempt;
using looplab::lesson::PacketError;
using looplab::lesson::TimePoint;

// Most messages sent and not yet acknowledged. Each one needs its ack (or a SACK bit) before
// the window slides past it; the receiver keeps at most this many early arrivals.
inline constexpr std::size_t kDefaultWindow = 32;
// The retransmission timeout, and its cap after doubling.
inline constexpr looplab::Millis kDefaultRto{300};
inline constexpr looplab::Millis kDefaultMaxRto{3200};
// The timeout before the first ack has come back: nothing is known yet about the path, so be
// patient (RFC 6298 §2.1 says 1 s for TCP). It also covers a slow start of the program.
inline constexpr looplab::Millis kDefaultFirstRto{1000};
// How many later messages one ack can mark as arrived (the SACK field is 32 bits).
inline constexpr std::size_t kSackBits = 32;
// A message is resent without waiting for the timer once this many later ones have arrived
// (TCP's "three duplicate acks"). Fewer would resend messages that were only reordered.
inline constexpr std::size_t kFastRetransmitAfter = 3;

struct ReliableConfig {
    std::size_t window = kDefaultWindow;
    looplab::Millis rto = kDefaultRto;
    looplab::Millis max_rto = kDefaultMaxRto;
    looplab::Millis first_rto = kDefaultFirstRto;
};

struct SenderCounts {
    std::size_t sent = 0;              // DATA datagrams, first sends and retransmissions
    std::size_t retransmissions = 0;   // all of them: fast ones and after timeouts
    std::size_t fast_retransmissions = 0;
    std::size_t timeouts = 0;          // times the retransmission timer expired
    std::size_t acks = 0;              // intact acks received
    std::size_t corrupted_caught = 0;  // acks that failed their checksum
};

class ReliableSender {
public:
    explicit ReliableSender(ReliableConfig config = {}) : config_(config), rto_(config.first_rto) {}

    // The application hands over a message; it gets the next sequence number.
    std::uint32_t queue(Bytes message) {
        messages_.push_back(std::move(message));
        return static_cast<std::uint32_t>(messages_.size() - 1);
    }

    // What to send now: retransmissions if the timer has expired, fast retransmissions, then
    // new messages while the window has room. Call it after queue(), after on_datagram(), and
    // at next_timer().
    std::vector<Bytes> poll(TimePoint now) {
        std::vector<Bytes> out;
        if (timer_ && now >= *timer_) retransmit(now, out);
        std::sort(surely_lost_.begin(), surely_lost_.end());   // oldest first
        for (std::uint32_t seq : surely_lost_) {
            const auto it = in_flight_.find(seq);
            if (it == in_flight_.end() || it->second.is_sacked) continue;   // arrived after all
            out.push_back(resend(seq, it->second));
            ++counts_.fast_retransmissions;
        }
        surely_lost_.clear();
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
        if (counts_.acks++ == 0) rto_ = config_.rto;   // the path answers: the normal timeout
        mark_arrived(ack->seq);
        for (std::size_t i = 0; i < kSackBits; ++i)
            if (ack->sack >> i & 1u) mark_arrived(ack->cumulative + 1 + static_cast<std::uint32_t>(i));
        slide(ack->cumulative, now);
        find_surely_lost();
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
        bool is_sacked = false;         // the receiver has it; the window waits for the ones before
        bool was_fast_resent = false;   // fast retransmit happens once per message
    };

    // A hole with kFastRetransmitAfter SACKed messages above it goes on the fast list.
    void find_surely_lost() {
        std::size_t arrived_above = 0;
        for (auto it = in_flight_.rbegin(); it != in_flight_.rend(); ++it) {
            InFlight& flight = it->second;
            if (flight.is_sacked) {
                ++arrived_above;
            } else if (arrived_above >= kFastRetransmitAfter && !flight.was_fast_resent) {
                flight.was_fast_resent = true;
                surely_lost_.push_back(it->first);
            }
        }
    }

    Bytes resend(std::uint32_t seq, InFlight& flight) {
        if (flight.attempt < kMaxAttempt) ++flight.attempt;
        ++counts_.sent;
        ++counts_.retransmissions;
        return encode(DataPacket{seq, flight.attempt, messages_[seq]});
    }

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
        for (auto& [seq, flight] : in_flight_)
            if (!flight.is_sacked) out.push_back(resend(seq, flight));
        surely_lost_.clear();   // all resent just now
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
    std::vector<std::uint32_t> surely_lost_;   // to fast-retransmit at the next poll()
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
