// tests/unit/lessons/tcp_delay_relay_test.cpp — lesson 14's TcpDelayRelay on real loopback
// TCP, once per poller: bytes cross it late by at least the delay, all of them, in order,
// even with a jitter larger than the gap between two sends.
#include "14-tcp-vs-udp/tcp_delay_relay.hpp"

#include "looplab/poller/poller.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

using namespace lab;
using namespace std::chrono_literals;
namespace net = looplab::net;
namespace events = looplab::events;

TEST_CASE("a TCP delay relay passes every byte, in order, no sooner than its delay",
          "[lessons][net][integration]") {
    const std::string poller = GENERATE(from_range(looplab::poller::available_pollers()));
    CAPTURE(poller);
    looplab::loop::EventLoop loop{poller};

    auto listener = net::TcpListener::bind(loop, net::Address::loopback(0)).value();
    std::unique_ptr<net::TcpConnection> server;
    std::string received;
    std::optional<looplab::Clock::time_point> first_byte_at;
    REQUIRE(listener.start([&](std::unique_ptr<net::TcpConnection> accepted) {
        server = std::move(accepted);
        server->on(events::data, [&](net::ByteBuffer& input) {
            if (!first_byte_at) first_byte_at = loop.now();
            received += input.readable_text();
            input.consume(input.size());
        });
        REQUIRE(server->start());
    }));

    auto relay = TcpDelayRelay::open(loop, listener.local_address(), 20ms, 15ms, 7).value();
    net::TcpConnector connector{loop};
    std::unique_ptr<net::TcpConnection> client;
    std::string sent;
    looplab::Clock::time_point sent_at{};
    connector.connect(relay->address(),
                      [&](looplab::Result<std::unique_ptr<net::TcpConnection>> made) {
                          REQUIRE(made);
                          client = std::move(*made);
                          REQUIRE(client->set_no_delay(true));
                          REQUIRE(client->start());
                          sent_at = loop.now();
                          // One send per turn, so each one is its own chunk with its own jitter.
                          for (int i = 0; i < 40; ++i) {
                              const std::string line = std::to_string(i) + "\n";
                              sent += line;
                              loop.set_timeout(std::chrono::milliseconds{i / 4},
                                               [&client, line] { client->send(line); });
                          }
                      });

    REQUIRE(
        loop.run_until([&] { return !sent.empty() && received.size() == sent.size(); }, 5000ms));
    CHECK(received == sent);
    REQUIRE(first_byte_at);
    CHECK(*first_byte_at - sent_at >= 20ms);
}
