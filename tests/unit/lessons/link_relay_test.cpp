// tests/unit/lessons/link_relay_test.cpp — the lesson kit's LinkRelay (lessons 09 and 14) on
// real loopback UDP sockets, once per poller: datagrams pass through it with the impairments
// its LossyLink decides, and lesson 14's reliable protocol (reliable_udp.hpp) delivers every
// message exactly once, in order, through a relay that loses, duplicates and reorders 30 %.
#include "14-tcp-vs-udp/reliable_udp.hpp"

#include "looplab/lesson/link_relay.hpp"
#include "looplab/poller/poller.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

using namespace lab;
using namespace looplab::lesson;
using namespace std::chrono_literals;
namespace net = looplab::net;

namespace {

net::UdpSocket bound(looplab::loop::EventLoop& loop) {
    return net::UdpSocket::bind(loop, net::Address::loopback(0)).value();
}

}   // namespace

TEST_CASE("a clean relay passes every datagram, in order, to the other endpoint",
          "[lessons][net][integration]") {
    const std::string poller = GENERATE(from_range(looplab::poller::available_pollers()));
    CAPTURE(poller);
    looplab::loop::EventLoop loop{poller};
    net::UdpSocket a = bound(loop);
    net::UdpSocket b = bound(loop);
    auto relay =
        LinkRelay::open(loop, a.local_address(), b.local_address(),
                        LossyLink{Impairments{.delay = 2ms}, 1}, LossyLink{Impairments{}, 2});
    REQUIRE(relay);
    std::vector<std::string> at_b, at_a;
    REQUIRE(b.start([&](const net::Datagram& d) { at_b.emplace_back(d.text()); }));
    REQUIRE(a.start([&](const net::Datagram& d) { at_a.emplace_back(d.text()); }));

    for (int i = 0; i < 50; ++i) REQUIRE(a.send_to((*relay)->address(), std::to_string(i)));
    REQUIRE(b.send_to((*relay)->address(), "back"));
    REQUIRE(loop.run_until([&] { return at_b.size() == 50 && at_a.size() == 1; }, 2000ms));
    for (int i = 0; i < 50; ++i) CHECK(at_b[static_cast<std::size_t>(i)] == std::to_string(i));
    CHECK(at_a == std::vector<std::string>{"back"});
    CHECK((*relay)->forward().counts().delivered == 50);
}

TEST_CASE("a relay that loses everything delivers nothing, and says so",
          "[lessons][net][integration]") {
    looplab::loop::EventLoop loop;
    net::UdpSocket a = bound(loop);
    net::UdpSocket b = bound(loop);
    auto relay =
        LinkRelay::open(loop, a.local_address(), b.local_address(),
                        LossyLink{Impairments{.loss = 1.0}, 1}, LossyLink{Impairments{}, 2});
    REQUIRE(relay);
    std::size_t received = 0;
    REQUIRE(b.start([&](const net::Datagram&) { ++received; }));
    for (int i = 0; i < 10; ++i) REQUIRE(a.send_to((*relay)->address(), "x"));
    REQUIRE(loop.run_until([&] { return (*relay)->forward().counts().entered == 10; }, 2000ms));
    CHECK((*relay)->forward().counts().lost == 10);
    CHECK((*relay)->is_idle());
    CHECK(received == 0);
}

TEST_CASE(
    "over real UDP through a 30 % lossy, duplicating, reordering relay, the reliable "
    "protocol delivers every message exactly once, in order",
    "[lessons][net][integration]") {
    const std::string poller = GENERATE(from_range(looplab::poller::available_pollers()));
    CAPTURE(poller);
    looplab::loop::EventLoop loop{poller};
    net::UdpSocket sending = bound(loop);
    net::UdpSocket receiving = bound(loop);
    const Impairments bad{.loss = 0.3,
                          .duplicate = 0.3,
                          .reorder = 0.3,
                          .corrupt = 0.05,
                          .delay = 1ms,
                          .jitter = 2ms};
    auto opened =
        LinkRelay::open(loop, sending.local_address(), receiving.local_address(),
                        LossyLink{bad, 5, kIdentityBytes}, LossyLink{bad, 6, kIdentityBytes});
    REQUIRE(opened);
    LinkRelay& relay = **opened;

    ReliableSender sender{ReliableConfig{.window = 16, .rto = 40ms, .max_rto = 160ms}};
    ReliableReceiver receiver{16};
    std::vector<Delivered> delivered;
    looplab::loop::TimerId timer = 0;
    std::function<void()> pump = [&] {
        for (const Bytes& d : sender.poll(loop.now())) CHECK(sending.send_to(relay.address(), d));
        loop.cancel_timer(timer);
        timer = 0;
        if (auto deadline = sender.next_timer())
            timer = loop.set_timeout(
                std::chrono::ceil<looplab::Millis>(std::max(*deadline - loop.now(), Duration{0})),
                [&] {
                    timer = 0;
                    pump();
                });
    };
    REQUIRE(sending.start([&](const net::Datagram& d) {
        sender.on_datagram(d.bytes, loop.now());
        pump();
    }));
    REQUIRE(receiving.start([&](const net::Datagram& d) {
        if (auto ack = receiver.on_datagram(d.bytes, delivered))
            CHECK(receiving.send_to(relay.address(), *ack));
    }));

    constexpr std::uint32_t kCount = 100;
    for (std::uint32_t i = 0; i < kCount; ++i) {
        const std::string text = "message " + std::to_string(i);
        sender.queue(Bytes(text.begin(), text.end()));
    }
    pump();
    REQUIRE(
        loop.run_until([&] { return sender.is_done() && delivered.size() == kCount; }, 20'000ms));
    loop.cancel_timer(timer);

    for (std::uint32_t i = 0; i < kCount; ++i) {
        CHECK(delivered[i].seq == i);
        const std::string text = "message " + std::to_string(i);
        CHECK(delivered[i].payload == Bytes(text.begin(), text.end()));
    }
    CHECK(sender.counts().retransmissions > 0);
    CHECK(relay.forward().counts().lost > 0);
    CHECK(relay.forward().counts().duplicated > 0);
}
