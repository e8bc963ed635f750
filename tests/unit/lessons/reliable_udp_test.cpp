// tests/unit/lessons/reliable_udp_test.cpp — lesson 14's packet format (the lesson kit's
// lab_packet.hpp) and reliable protocol (lessons/14-tcp-vs-udp/reliable_udp.hpp). The
// protocol runs in-process over two LossyLinks with a made-up clock, so a bad path of 30 %
// loss, duplication and reordering takes milliseconds to test and never sleeps.
#include "14-tcp-vs-udp/reliable_udp.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

using namespace lab;
using namespace looplab::lesson;
using namespace std::chrono_literals;

namespace {

Bytes message(std::uint32_t i) {
    const std::string text = "message " + std::to_string(i);
    return Bytes(text.begin(), text.end());
}

struct Outcome {
    std::vector<Delivered> delivered;
    SenderCounts sender;
    ReceiverCounts receiver;
    bool finished = false;
};

// Sender -> forward link -> receiver -> backward link -> sender, on a clock that jumps from
// one event to the next.
Outcome transfer(std::uint32_t count, Impairments path, std::uint64_t seed,
                 ReliableConfig config = {}) {
    ReliableSender sender{config};
    ReliableReceiver receiver{config.window};
    LossyLink forward{path, seed, kIdentityBytes};
    LossyLink backward{path, seed + 1, kIdentityBytes};
    for (std::uint32_t i = 0; i < count; ++i) sender.queue(message(i));

    Outcome outcome;
    TimePoint now{};
    for (int step = 0; step < 1'000'000 && !sender.is_done(); ++step) {
        bool moved = false;
        for (Bytes& d : sender.poll(now)) forward.send(std::move(d), now), moved = true;
        for (Bytes& d : forward.take_due(now)) {
            if (auto ack = receiver.on_datagram(d, outcome.delivered))
                backward.send(std::move(*ack), now);
            moved = true;
        }
        for (Bytes& d : backward.take_due(now)) sender.on_datagram(d, now), moved = true;
        if (moved) continue;
        std::optional<TimePoint> next = sender.next_timer();
        for (const auto& due : {forward.next_due(), backward.next_due()})
            if (due && (!next || *due < *next)) next = due;
        REQUIRE(next.has_value());   // nothing to wait for, and not done: the protocol is stuck
        now = std::max(now, *next);
    }
    outcome.sender = sender.counts();
    outcome.receiver = receiver.counts();
    outcome.finished = sender.is_done();
    return outcome;
}

void check_exactly_once_in_order(const Outcome& outcome, std::uint32_t count) {
    REQUIRE(outcome.finished);
    REQUIRE(outcome.delivered.size() == count);
    for (std::uint32_t i = 0; i < count; ++i) {
        CHECK(outcome.delivered[i].seq == i);
        CHECK(outcome.delivered[i].payload == message(i));
    }
}

}   // namespace

TEST_CASE("a DATA packet encodes to kind, attempt, seq, checksum, payload", "[lessons][reliable]") {
    //                      'D'   attempt  seq = 5              checksum     "hi"
    CHECK(encode(DataPacket{5, 1, Bytes{'h', 'i'}}) ==
          Bytes{0x44, 0x01, 0, 0, 0, 5, 0x53, 0x90, 'h', 'i'});
    const Decoded decoded = decode(encode(DataPacket{5, 1, Bytes{'h', 'i'}}));
    REQUIRE(std::holds_alternative<DataPacket>(decoded));
    CHECK(std::get<DataPacket>(decoded).seq == 5);
    CHECK(std::get<DataPacket>(decoded).attempt == 1);
    CHECK(std::get<DataPacket>(decoded).payload == Bytes{'h', 'i'});
}

TEST_CASE("an ACK round-trips its seq, attempt, cumulative and SACK bits", "[lessons][reliable]") {
    const Bytes wire = encode(AckPacket{7, 2, 3, 0b1010});
    CHECK(wire.size() == kAckSize);
    const Decoded decoded = decode(wire);
    REQUIRE(std::holds_alternative<AckPacket>(decoded));
    const auto& ack = std::get<AckPacket>(decoded);
    CHECK(ack.seq == 7);
    CHECK(ack.attempt == 2);
    CHECK(ack.cumulative == 3);
    CHECK(ack.sack == 0b1010);
}

TEST_CASE("a damaged, short or unknown packet decodes to a named error", "[lessons][reliable]") {
    const Bytes good = encode(DataPacket{1, 0, Bytes{'a', 'b', 'c'}});
    for (std::size_t bit = 0; bit < good.size() * 8; ++bit) {
        Bytes damaged = good;
        damaged[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
        CAPTURE(bit);
        CHECK(std::get<PacketError>(decode(damaged)) == PacketError::BadChecksum);
    }
    CHECK(std::get<PacketError>(decode(Bytes{'D', 0, 0})) == PacketError::TooShort);
    Bytes odd = encode(DataPacket{1, 0, {}});
    odd[0] = 'X';
    detail::seal(odd);
    CHECK(std::get<PacketError>(decode(odd)) == PacketError::UnknownKind);
    Bytes short_ack = encode(AckPacket{1, 0, 0, 0});
    short_ack.resize(kDataHeaderSize);
    detail::seal(short_ack);
    CHECK(std::get<PacketError>(decode(short_ack)) == PacketError::TooShort);
}

TEST_CASE("over a clean path everything arrives once, in order, with no retransmission",
          "[lessons][reliable]") {
    const Outcome outcome = transfer(500, Impairments{.delay = 5ms}, 1);
    check_exactly_once_in_order(outcome, 500);
    CHECK(outcome.sender.retransmissions == 0);
    CHECK(outcome.receiver.duplicates == 0);
}

TEST_CASE(
    "under 30 % loss, duplication and reordering every message arrives exactly once, in order",
    "[lessons][reliable]") {
    const std::uint64_t seed = GENERATE(1, 2, 3, 4, 5);
    CAPTURE(seed);
    const Impairments bad{.loss = 0.3,
                          .duplicate = 0.3,
                          .reorder = 0.3,
                          .corrupt = 0.1,
                          .delay = 10ms,
                          .jitter = 20ms};
    const Outcome outcome = transfer(1000, bad, seed);
    check_exactly_once_in_order(outcome, 1000);
    // It had real work to do: the path lost, damaged and repeated plenty.
    CHECK(outcome.sender.retransmissions > 300);
    CHECK(outcome.receiver.duplicates > 100);
    CHECK(outcome.receiver.out_of_order > 100);
    CHECK(outcome.receiver.corrupted_caught + outcome.sender.corrupted_caught > 50);
}

TEST_CASE("the same seed gives the same run, count for count", "[lessons][reliable]") {
    const Impairments bad{.loss = 0.3,
                          .duplicate = 0.3,
                          .reorder = 0.3,
                          .corrupt = 0.1,
                          .delay = 10ms,
                          .jitter = 20ms};
    const Outcome a = transfer(300, bad, 77);
    const Outcome b = transfer(300, bad, 77);
    CHECK(a.sender.retransmissions == b.sender.retransmissions);
    CHECK(a.sender.timeouts == b.sender.timeouts);
    CHECK(a.receiver.duplicates == b.receiver.duplicates);
    CHECK(a.receiver.out_of_order == b.receiver.out_of_order);
}

TEST_CASE("the sender never has more than `window` messages unacknowledged",
          "[lessons][reliable]") {
    ReliableSender sender{ReliableConfig{.window = 4}};
    for (std::uint32_t i = 0; i < 10; ++i) sender.queue(message(i));
    CHECK(sender.poll(TimePoint{}).size() == 4);
    CHECK(sender.poll(TimePoint{}).empty());
    CHECK(sender.unacknowledged() == 4);

    // An ack for message 0 (cumulative 1) slides the window by one: one more goes out.
    sender.on_datagram(encode(AckPacket{0, 0, 1, 0}), TimePoint{} + 1ms);
    const auto next = sender.poll(TimePoint{} + 1ms);
    REQUIRE(next.size() == 1);
    CHECK(std::get<DataPacket>(decode(next[0])).seq == 4);
}

TEST_CASE("a lost ack costs nothing when a later ack covers it", "[lessons][reliable]") {
    ReliableSender sender{ReliableConfig{.window = 4, .rto = 100ms, .first_rto = 100ms}};
    for (std::uint32_t i = 0; i < 3; ++i) sender.queue(message(i));
    (void)sender.poll(TimePoint{});
    // The acks for 0 and 1 are lost; the ack for 2 says "I have everything below 3".
    sender.on_datagram(encode(AckPacket{2, 0, 3, 0}), TimePoint{} + 10ms);
    CHECK(sender.is_done());
    CHECK(sender.poll(TimePoint{} + 1s).empty());
    CHECK(sender.counts().retransmissions == 0);
}

TEST_CASE("on timeout only the un-SACKed messages are sent again, and the timeout doubles",
          "[lessons][reliable]") {
    ReliableSender sender{
        ReliableConfig{.window = 8, .rto = 100ms, .max_rto = 1000ms, .first_rto = 100ms}};
    for (std::uint32_t i = 0; i < 4; ++i) sender.queue(message(i));
    (void)sender.poll(TimePoint{});
    // 0 and 2 are lost; the receiver acks 1 and 3 (cumulative stays 0, SACK bits for 1 and 3).
    sender.on_datagram(encode(AckPacket{1, 0, 0, 0b001}), TimePoint{} + 10ms);
    sender.on_datagram(encode(AckPacket{3, 0, 0, 0b101}), TimePoint{} + 11ms);
    CHECK(sender.poll(TimePoint{} + 99ms).empty());

    auto resent = sender.poll(TimePoint{} + 100ms);
    REQUIRE(resent.size() == 2);
    CHECK(std::get<DataPacket>(decode(resent[0])).seq == 0);
    CHECK(std::get<DataPacket>(decode(resent[0])).attempt == 1);
    CHECK(std::get<DataPacket>(decode(resent[1])).seq == 2);
    CHECK(sender.next_timer() == TimePoint{} + 300ms);   // 100 ms + the doubled 200 ms

    resent = sender.poll(TimePoint{} + 300ms);   // lost again: again, after 400 ms
    CHECK(resent.size() == 2);
    CHECK(sender.next_timer() == TimePoint{} + 700ms);
    CHECK(sender.counts().timeouts == 2);
    CHECK(sender.counts().retransmissions == 4);
}

TEST_CASE("until the first ack comes back the timeout is first_rto, then rto",
          "[lessons][reliable]") {
    ReliableSender sender{
        ReliableConfig{.window = 4, .rto = 100ms, .max_rto = 1000ms, .first_rto = 1000ms}};
    for (std::uint32_t i = 0; i < 4; ++i) sender.queue(message(i));
    (void)sender.poll(TimePoint{});
    CHECK(sender.next_timer() == TimePoint{} + 1000ms);   // nothing heard yet: patient
    sender.on_datagram(encode(AckPacket{0, 0, 1, 0}), TimePoint{} + 20ms);
    CHECK(sender.next_timer() == TimePoint{} + 120ms);   // the window moved: rto from now
}

TEST_CASE("a message with three later ones SACKed is resent at once, without waiting for the timer",
          "[lessons][reliable]") {
    ReliableSender sender{ReliableConfig{.window = 8, .rto = 100ms, .first_rto = 100ms}};
    for (std::uint32_t i = 0; i < 5; ++i) sender.queue(message(i));
    (void)sender.poll(TimePoint{});
    // Message 0 is lost; 1 and 2 arrive: two later ones are not enough (0 may only be late).
    sender.on_datagram(encode(AckPacket{1, 0, 0, 0b001}), TimePoint{} + 10ms);
    sender.on_datagram(encode(AckPacket{2, 0, 0, 0b011}), TimePoint{} + 11ms);
    CHECK(sender.poll(TimePoint{} + 11ms).empty());
    // 3 arrives too: three later ones, so 0 is surely lost. It goes again now, attempt 1.
    sender.on_datagram(encode(AckPacket{3, 0, 0, 0b111}), TimePoint{} + 12ms);
    auto resent = sender.poll(TimePoint{} + 12ms);
    REQUIRE(resent.size() == 1);
    CHECK(std::get<DataPacket>(decode(resent[0])).seq == 0);
    CHECK(std::get<DataPacket>(decode(resent[0])).attempt == 1);
    CHECK(sender.counts().fast_retransmissions == 1);
    CHECK(sender.counts().timeouts == 0);
    // Only once: more acks showing the same hole do not resend it again.
    sender.on_datagram(encode(AckPacket{4, 0, 0, 0b1111}), TimePoint{} + 13ms);
    CHECK(sender.poll(TimePoint{} + 13ms).empty());
    // If that copy is lost too, the timer takes over.
    resent = sender.poll(TimePoint{} + 100ms);
    REQUIRE(resent.size() == 1);
    CHECK(std::get<DataPacket>(decode(resent[0])).attempt == 2);
    CHECK(sender.counts().timeouts == 1);
}

TEST_CASE("the receiver delivers in order, keeps early arrivals and drops duplicates",
          "[lessons][reliable]") {
    ReliableReceiver receiver{8};
    std::vector<Delivered> delivered;
    auto ack_of = [](const std::optional<Bytes>& wire) {
        return std::get<AckPacket>(decode(*wire));
    };

    auto ack = ack_of(receiver.on_datagram(encode(DataPacket{1, 0, message(1)}), delivered));
    CHECK(delivered.empty());   // 0 is missing: 1 waits
    CHECK(ack.cumulative == 0);
    CHECK(ack.sack == 0b1);   // "I also have 0 + 1 + 0 = 1"

    ack = ack_of(receiver.on_datagram(encode(DataPacket{0, 0, message(0)}), delivered));
    REQUIRE(delivered.size() == 2);   // the gap closed: 0 and 1 go out together
    CHECK(delivered[0].seq == 0);
    CHECK(delivered[1].seq == 1);
    CHECK(ack.cumulative == 2);

    ack = ack_of(receiver.on_datagram(encode(DataPacket{0, 1, message(0)}), delivered));
    CHECK(delivered.size() == 2);   // a duplicate is acked again, not delivered again
    CHECK(ack.attempt == 1);
    CHECK(receiver.counts().duplicates == 1);
    CHECK(receiver.counts().out_of_order == 1);

    Bytes damaged = encode(DataPacket{2, 0, message(2)});
    damaged.back() ^= 0x10;
    CHECK_FALSE(receiver.on_datagram(damaged, delivered).has_value());
    CHECK(receiver.counts().corrupted_caught == 1);
}
