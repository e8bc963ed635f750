// looplab/lesson/lossy_link.hpp
//
// LossyLink — a bad network in a few dozen lines: datagrams go in, and come out later, or
// twice, or damaged, or overtaken by the next one, or never. It is pure logic (bytes and
// times in, bytes out); link_relay.hpp puts it on the loop between two UDP sockets.
//
//   send(d, now) ──► fate of d ──► lost ................................... (gone)
//                         │
//                         ├─► corrupted: one bit flipped ─┐
//                         ├─► duplicated: two copies ─────┼─► FIFO queue ──► take_due(now)
//                         └─► held back: waits for the next datagram to overtake it
//                             (or flush(); after kMaxHoldBack it gives up and goes on)
//
// Delay and jitter never reorder: a datagram leaves at max(now + delay + jitter, the previous
// one's time), as behind a queue on a real link. Reordering is its own impairment.
//
// Reproducible: the fate of a datagram is drawn from the seed, the datagram's IDENTITY (its
// first `identity_bytes` bytes: in lab_packet.hpp kind, attempt and seq) and how many times
// that identity came before. NOT from its arrival time or its position in the stream. So the
// same datagram meets the same fate on every run, however loaded the machine is, and a
// retransmission (a new attempt) gets a fate of its own. Same seed, same impairments. For
// the same reason a held-back datagram waits for the next DATAGRAM, not for a time: which
// one overtakes which depends on the order they enter, never on how fast the machine is.
//
// Contract: one thread. Times are the caller's (the loop's clock, or a test's made-up clock).
#pragma once

#include "looplab/core/clock.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <limits>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

namespace looplab::lesson {

using Bytes = std::vector<std::uint8_t>;
using TimePoint = looplab::Clock::time_point;
using Duration = looplab::Clock::duration;

// A held-back datagram that nothing overtakes within this time goes on, in order. Long on
// purpose: WHICH datagram overtakes which must not depend on how fast the machine is, only on
// the order datagrams enter the link (a sender that stops sending calls flush() instead).
inline constexpr looplab::Millis kMaxHoldBack{1000};
// identity_bytes value meaning "the whole datagram is its identity".
inline constexpr std::size_t kWholeDatagram = std::numeric_limits<std::size_t>::max();

// Each probability is per datagram, from 0 (never) to 1 (always).
struct Impairments {
    double loss = 0;
    double duplicate = 0;
    double reorder = 0;
    double corrupt = 0;
    looplab::Millis delay{0};
    looplab::Millis jitter{0};   // plus a random 0..jitter on top of delay
};

// What the link decided for one datagram.
struct Fate {
    bool is_lost = false;
    bool is_corrupted = false;
    bool is_duplicated = false;
    bool is_held_back = false;
    std::size_t flipped_bit = 0;   // bit index into the datagram, when corrupted
    Duration delay{};
};

// The truth about what the link did, to compare with what the endpoints noticed.
struct LinkCounts {
    std::size_t entered = 0;
    std::size_t lost = 0;
    std::size_t corrupted = 0;
    std::size_t duplicated = 0;
    std::size_t reordered = 0;   // held back AND overtaken
    std::size_t delivered = 0;   // copies that came out (duplicates count twice)
};

// splitmix64 (Vigna): a tiny mixer that gives the same numbers on every compiler and
// platform, which the standard library's distributions do not promise.
constexpr std::uint64_t mix(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

// FNV-1a, 64 bits: the identity of a datagram as one number.
constexpr std::uint64_t identity_hash(std::span<const std::uint8_t> bytes) {
    std::uint64_t hash = 0xCBF29CE484222325ULL;
    for (std::uint8_t byte : bytes) hash = (hash ^ byte) * 0x100000001B3ULL;
    return hash;
}

class LossyLink {
public:
    explicit LossyLink(Impairments impairments, std::uint64_t seed,
                       std::size_t identity_bytes = kWholeDatagram)
        : impairments_(impairments), seed_(seed), identity_bytes_(identity_bytes) {}

    // The fate the next send() of this datagram would meet (nothing is changed).
    Fate fate_of(std::span<const std::uint8_t> datagram) const {
        const auto identity =
            identity_hash(datagram.first(std::min(identity_bytes_, datagram.size())));
        const auto seen = seen_.find(identity);
        return draw(identity, seen == seen_.end() ? 0 : seen->second, datagram.size());
    }

    // A datagram enters the link at `now`. Returns what happens to it.
    Fate send(Bytes datagram, TimePoint now) {
        release_held_if_expired(now);   // it waited long enough: it is ahead of this one
        const Fate fate = fate_of(datagram);
        ++seen_[identity_hash(std::span<const std::uint8_t>{datagram}.first(
            std::min(identity_bytes_, datagram.size())))];
        ++counts_.entered;
        if (fate.is_lost) {
            ++counts_.lost;
            return fate;
        }
        if (fate.is_corrupted) {
            datagram[fate.flipped_bit / 8] ^=
                static_cast<std::uint8_t>(1u << (fate.flipped_bit % 8));
            ++counts_.corrupted;
        }
        std::vector<Bytes> copies{datagram};
        if (fate.is_duplicated) {
            copies.push_back(std::move(datagram));
            ++counts_.duplicated;
        }
        if (fate.is_held_back && !held_) {   // one held at a time; a second one just goes on
            held_ = Held{now + fate.delay + kMaxHoldBack, std::move(copies)};
            return fate;
        }
        const TimePoint at = std::max(now + fate.delay, last_release_);
        for (Bytes& copy : copies) schedule(at, std::move(copy));
        if (held_) {   // this datagram overtook the held one, which now follows it
            for (Bytes& copy : held_->copies) schedule(at, std::move(copy));
            held_.reset();
            ++counts_.reordered;
        }
        return fate;
    }

    // The datagrams whose time has come (at most `limit` of them), in the order they leave.
    std::vector<Bytes> take_due(TimePoint now,
                                std::size_t limit = std::numeric_limits<std::size_t>::max()) {
        release_held_if_expired(now);
        std::vector<Bytes> due;
        while (!queue_.empty() && queue_.front().at <= now && due.size() < limit) {
            due.push_back(std::move(queue_.front().bytes));
            queue_.pop_front();
        }
        counts_.delivered += due.size();
        return due;
    }

    // When take_due() will next have something; nullopt when the link is empty.
    std::optional<TimePoint> next_due() const {
        std::optional<TimePoint> next;
        if (!queue_.empty()) next = queue_.front().at;
        if (held_ && (!next || held_->give_up_at < *next)) next = held_->give_up_at;
        return next;
    }

    // The sender has nothing more to send: the held datagram (if any) goes on now, in order.
    void flush(TimePoint now) {
        if (held_) held_->give_up_at = std::min(held_->give_up_at, now);
        release_held_if_expired(now);
    }

    bool is_idle() const { return queue_.empty() && !held_; }
    bool is_holding() const { return held_.has_value(); }
    const LinkCounts& counts() const { return counts_; }
    const Impairments& impairments() const { return impairments_; }

private:
    struct Scheduled {
        TimePoint at;
        Bytes bytes;
    };
    struct Held {
        TimePoint give_up_at;
        std::vector<Bytes> copies;
    };

    // Six independent draws from one seeded stream per (identity, occurrence).
    Fate draw(std::uint64_t identity, std::uint64_t occurrence, std::size_t size) const {
        const std::uint64_t base =
            mix(seed_ ^ mix(identity) ^ mix(occurrence * 0xD1B54A32D192ED03ULL));
        auto uniform = [base](std::uint64_t k) {   // [0, 1)
            return static_cast<double>(mix(base + k) >> 11) * 0x1.0p-53;
        };
        Fate fate;
        fate.is_lost = uniform(1) < impairments_.loss;
        fate.is_corrupted = size > 0 && uniform(2) < impairments_.corrupt;
        fate.is_duplicated = uniform(3) < impairments_.duplicate;
        fate.is_held_back = uniform(4) < impairments_.reorder;
        fate.flipped_bit = size == 0 ? 0 : static_cast<std::size_t>(mix(base + 5) % (size * 8));
        const auto jitter_us =
            std::chrono::duration_cast<std::chrono::microseconds>(impairments_.jitter).count();
        const auto extra =
            jitter_us <= 0 ? 0 : static_cast<std::int64_t>(mix(base + 6) % (jitter_us + 1));
        fate.delay = impairments_.delay + std::chrono::microseconds{extra};
        return fate;
    }

    // Nothing overtook the held datagram in time: it goes on, in order.
    void release_held_if_expired(TimePoint now) {
        if (!held_ || held_->give_up_at > now) return;
        for (Bytes& copy : held_->copies) schedule(held_->give_up_at, std::move(copy));
        held_.reset();
    }

    void schedule(TimePoint at, Bytes bytes) {
        last_release_ = std::max(last_release_, at);
        queue_.push_back(Scheduled{last_release_, std::move(bytes)});
    }

    Impairments impairments_;
    std::uint64_t seed_;
    std::size_t identity_bytes_;
    std::deque<Scheduled> queue_;   // release times never decrease: a plain FIFO
    std::optional<Held> held_;
    std::unordered_map<std::uint64_t, std::uint64_t> seen_;   // identity -> times sent
    TimePoint last_release_{};
    LinkCounts counts_;
};

}   // namespace looplab::lesson
