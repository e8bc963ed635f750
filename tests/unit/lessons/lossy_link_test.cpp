// tests/unit/lessons/lossy_link_test.cpp — LossyLink (lessons 09 and 14; the lesson kit's
// lossy_link.hpp): the same seed gives the same impairments; a datagram's fate depends on
// what it is, not on when or where in the stream it comes; delay never reorders; each
// impairment does exactly its job.
#include "looplab/lesson/lossy_link.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

using namespace looplab::lesson;
using namespace std::chrono_literals;

namespace {

// Datagram number i: 4 bytes of i, then some filler.
Bytes numbered(std::uint32_t i) {
    return Bytes{static_cast<std::uint8_t>(i >> 24),
                 static_cast<std::uint8_t>(i >> 16),
                 static_cast<std::uint8_t>(i >> 8),
                 static_cast<std::uint8_t>(i),
                 'x',
                 'y',
                 'z'};
}

std::uint32_t number_of(const Bytes& datagram) {
    return static_cast<std::uint32_t>(datagram[0]) << 24 |
           static_cast<std::uint32_t>(datagram[1]) << 16 |
           static_cast<std::uint32_t>(datagram[2]) << 8 | datagram[3];
}

const Impairments kEverything{
    .loss = 0.2, .duplicate = 0.1, .reorder = 0.1, .corrupt = 0.1, .delay = 5ms, .jitter = 5ms};

// Sends datagrams 0..count-1, one per millisecond, then drains the link; returns what came out.
std::vector<Bytes> run(LossyLink& link, std::uint32_t count) {
    TimePoint now{};
    std::vector<Bytes> out;
    for (std::uint32_t i = 0; i < count; ++i, now += 1ms) {
        link.send(numbered(i), now);
        for (Bytes& b : link.take_due(now)) out.push_back(std::move(b));
    }
    link.flush(now);
    for (Bytes& b : link.take_due(now + 1h)) out.push_back(std::move(b));
    return out;
}

}   // namespace

TEST_CASE("the same seed gives the same impairments, byte for byte", "[lessons][lossy-link]") {
    LossyLink first{kEverything, 42};
    LossyLink second{kEverything, 42};
    const auto a = run(first, 2000);
    const auto b = run(second, 2000);
    CHECK(a == b);
    CHECK(first.counts().lost == second.counts().lost);
    CHECK(first.counts().corrupted == second.counts().corrupted);
    CHECK(first.counts().duplicated == second.counts().duplicated);
    CHECK(first.counts().reordered == second.counts().reordered);
}

TEST_CASE("another seed gives other impairments", "[lessons][lossy-link]") {
    LossyLink first{kEverything, 42};
    LossyLink second{kEverything, 43};
    CHECK(run(first, 2000) != run(second, 2000));
}

TEST_CASE("each impairment happens about as often as asked", "[lessons][lossy-link]") {
    LossyLink link{kEverything, 7};
    run(link, 20000);
    const LinkCounts& counts = link.counts();
    CHECK(counts.entered == 20000);
    CHECK(counts.lost == Approx(4000).margin(300));         // 20 %
    CHECK(counts.duplicated == Approx(1600).margin(200));   // 10 % of the 16,000 not lost
    CHECK(counts.corrupted == Approx(1600).margin(200));
    CHECK(counts.reordered == Approx(1450).margin(250));   // 10 %, less when two meet
    CHECK(counts.delivered == counts.entered - counts.lost + counts.duplicated);
}

TEST_CASE("a datagram's fate depends on the datagram and the seed, not on time or position",
          "[lessons][lossy-link]") {
    LossyLink in_order{kEverything, 9, 4};   // identity: the 4-byte number
    LossyLink backwards{kEverything, 9, 4};
    std::vector<Fate> forward_fates(100), backward_fates(100);
    for (std::uint32_t i = 0; i < 100; ++i)
        forward_fates[i] = in_order.send(numbered(i), TimePoint{} + i * 1ms);
    for (std::uint32_t i = 100; i-- > 0;)
        backward_fates[i] = backwards.send(numbered(i), TimePoint{} + 1h - i * 3ms);
    for (std::uint32_t i = 0; i < 100; ++i) {
        CAPTURE(i);
        CHECK(forward_fates[i].is_lost == backward_fates[i].is_lost);
        CHECK(forward_fates[i].is_corrupted == backward_fates[i].is_corrupted);
        CHECK(forward_fates[i].flipped_bit == backward_fates[i].flipped_bit);
        CHECK(forward_fates[i].is_duplicated == backward_fates[i].is_duplicated);
        CHECK(forward_fates[i].delay == backward_fates[i].delay);
    }
}

TEST_CASE("sending the same datagram again draws a new fate (a retransmission is not doomed)",
          "[lessons][lossy-link]") {
    LossyLink link{Impairments{.loss = 0.5}, 3};
    std::size_t lost = 0;
    for (int attempt = 0; attempt < 200; ++attempt)
        lost += link.send(numbered(1), TimePoint{}).is_lost;
    CHECK(lost > 50);
    CHECK(lost < 150);
}

TEST_CASE("delay and jitter never reorder: datagrams leave in the order they came",
          "[lessons][lossy-link]") {
    LossyLink link{Impairments{.delay = 10ms, .jitter = 50ms}, 5};
    const auto out = run(link, 500);
    REQUIRE(out.size() == 500);
    for (std::uint32_t i = 0; i < 500; ++i) CHECK(number_of(out[i]) == i);
}

TEST_CASE("nothing leaves before its delay has passed", "[lessons][lossy-link]") {
    LossyLink link{Impairments{.delay = 10ms}, 5};
    link.send(numbered(0), TimePoint{});
    CHECK(link.take_due(TimePoint{} + 9ms).empty());
    CHECK(link.next_due() == TimePoint{} + 10ms);
    CHECK(link.take_due(TimePoint{} + 10ms).size() == 1);
    CHECK(link.is_idle());
}

TEST_CASE("a held-back datagram is overtaken by the next one", "[lessons][lossy-link]") {
    // reorder = 1: every datagram wants to be held, but only one is held at a time, so the
    // next one goes on and the held one follows it: pairs swap places.
    LossyLink link{Impairments{.reorder = 1.0}, 5};
    const auto out = run(link, 6);
    std::vector<std::uint32_t> order;
    for (const Bytes& b : out) order.push_back(number_of(b));
    CHECK(order == std::vector<std::uint32_t>{1, 0, 3, 2, 5, 4});
    CHECK(link.counts().reordered == 3);
}

TEST_CASE("a held-back datagram nothing overtakes goes on at flush() or after kMaxHoldBack",
          "[lessons][lossy-link]") {
    LossyLink link{Impairments{.reorder = 1.0}, 5};
    link.send(numbered(0), TimePoint{});
    CHECK(link.take_due(TimePoint{} + kMaxHoldBack - 1ms).empty());
    CHECK(link.take_due(TimePoint{} + kMaxHoldBack).size() == 1);
    CHECK(link.counts().reordered == 0);

    link.send(numbered(1), TimePoint{} + 1h);
    link.flush(TimePoint{} + 1h);
    CHECK(link.take_due(TimePoint{} + 1h).size() == 1);
}

TEST_CASE("corruption flips exactly one bit; duplication makes exactly two copies",
          "[lessons][lossy-link]") {
    LossyLink corrupting{Impairments{.corrupt = 1.0}, 11};
    for (std::uint32_t i = 0; i < 50; ++i) {
        corrupting.send(numbered(i), TimePoint{});
        const auto out = corrupting.take_due(TimePoint{});
        REQUIRE(out.size() == 1);
        const Bytes original = numbered(i);
        int flipped_bits = 0;
        for (std::size_t k = 0; k < original.size(); ++k)
            flipped_bits += std::popcount(static_cast<unsigned>(original[k] ^ out[0][k]));
        CHECK(flipped_bits == 1);
    }
    LossyLink duplicating{Impairments{.duplicate = 1.0}, 11};
    duplicating.send(numbered(7), TimePoint{});
    const auto copies = duplicating.take_due(TimePoint{});
    REQUIRE(copies.size() == 2);
    CHECK(copies[0] == numbered(7));
    CHECK(copies[1] == numbered(7));
}
