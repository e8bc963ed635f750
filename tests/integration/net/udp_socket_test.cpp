// tests/integration/net/udp_socket_test.cpp — one socket, many senders; boundaries kept;
// truncation reported; ICMP "port unreachable" seen by a connected socket.
#include "net_test_support.hpp"

#include "looplab/net/udp_socket.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <set>

using namespace looplab;
using namespace looplab::net;
using namespace looplab::net::test;

namespace {

// A UDP port on 127.0.0.1 where nothing listens right now (bound, then released). Racy in
// principle, but the point of its one user: a port with NO socket, so that the kernel answers
// with ICMP port unreachable. Holding the port (as RefusingTcpPort does for TCP) is not
// possible here: a bound UDP socket would simply receive the datagrams.
std::uint16_t unused_udp_port(loop::EventLoop& loop) {
    auto socket = UdpSocket::bind(loop, Address::loopback(0));
    REQUIRE(socket);
    return socket->local_address().port();
}

}   // namespace

TEST_CASE("one UDP socket answers many senders with no accept", "[net][udp][integration]") {
    const std::string poller = GENERATE(from_range(poller::available_pollers()));
    CAPTURE(poller);
    loop::EventLoop loop{poller};
    auto server = UdpSocket::bind(loop, Address::loopback(0));
    REQUIRE(server);
    std::set<std::uint16_t> senders;
    REQUIRE(server->start([&](const Datagram& datagram) {
        senders.insert(datagram.from.port());
        CHECK(server->send_to(datagram.from, datagram.bytes));   // the address is the "connection"
    }));

    constexpr int kClients = 20;
    std::vector<UdpSocket> clients;
    clients.reserve(kClients);   // they are moved in before start(), never after
    std::vector<std::string> answers(kClients);
    for (int i = 0; i < kClients; ++i) {
        auto client = UdpSocket::bind(loop, Address::loopback(0));
        REQUIRE(client);
        clients.push_back(std::move(client).value());
    }
    for (int i = 0; i < kClients; ++i) {
        REQUIRE(clients[i].start([&, i](const Datagram& datagram) {
            CHECK(datagram.from == server->local_address());
            answers[i] = std::string{datagram.text()};
        }));
        CHECK(clients[i].send_to(server->local_address(), fmt::format("hello from {}", i)));
    }

    const auto all_answered = [&] {
        return std::all_of(answers.begin(), answers.end(), [](auto& a) { return !a.empty(); });
    };
    REQUIRE(loop.run_until(all_answered, 5s));
    for (int i = 0; i < kClients; ++i) CHECK(answers[i] == fmt::format("hello from {}", i));
    CHECK(senders.size() == kClients);   // 20 peers, 1 server socket
}

TEST_CASE("datagrams keep their boundaries and a cut one is reported as truncated",
          "[net][udp][integration]") {
    const std::string poller = GENERATE(from_range(poller::available_pollers()));
    CAPTURE(poller);
    loop::EventLoop loop{poller};
    auto receiver = UdpSocket::bind(loop, Address::loopback(0));
    REQUIRE(receiver);
    receiver->set_max_datagram(16);
    struct Seen {
        std::string text;
        bool truncated;
    };
    std::vector<Seen> seen;
    const auto keep = [&](const Datagram& d) {
        seen.push_back({std::string{d.text()}, d.truncated});
    };
    REQUIRE(receiver->start(keep));

    auto sender = UdpSocket::bind(loop, Address::loopback(0));
    REQUIRE(sender);
    const std::string long_one = "0123456789abcdefGHIJKLMNOPQRSTUVWXYZ";   // 36 bytes
    CHECK(sender->send_to(receiver->local_address(), "one"));
    CHECK(sender->send_to(receiver->local_address(), "two"));
    CHECK(sender->send_to(receiver->local_address(), long_one));
    CHECK(sender->send_to(receiver->local_address(), "0123456789abcdef"));   // exactly 16

    REQUIRE(loop.run_until([&] { return seen.size() == 4; }, 5s));
    CHECK(seen[0].text == "one");   // two sends, two datagrams: never merged like TCP bytes
    CHECK_FALSE(seen[0].truncated);
    CHECK(seen[1].text == "two");
    CHECK(seen[2].text == "0123456789abcdef");
    CHECK(seen[2].truncated);   // the other 20 bytes are gone, and we say so
    CHECK(seen[3].text == "0123456789abcdef");
    CHECK_FALSE(seen[3].truncated);
}

TEST_CASE("a datagram larger than kUdpMaxDatagramSize cannot be sent", "[net][udp][integration]") {
    loop::EventLoop loop;
    auto sender = UdpSocket::bind(loop, Address::loopback(0));
    REQUIRE(sender);
    const std::string too_big(kUdpMaxDatagramSize + 1, 'x');
    const auto sent = sender->send_to(Address::loopback(9), too_big);
    REQUIRE_FALSE(sent);
    CHECK(sent.error().code() == EMSGSIZE);
    CHECK(sent.error().message() == "sendto 127.0.0.1:9: Message too long");
}

TEST_CASE("a connected UDP socket learns of the ICMP port unreachable on a later call",
          "[net][udp][integration]") {
    const std::string poller = GENERATE(from_range(poller::available_pollers()));
    CAPTURE(poller);
    loop::EventLoop loop{poller};
    const Address nobody = Address::loopback(unused_udp_port(loop));

    SECTION("unconnected: the send succeeds and no error is ever heard") {
        auto socket = UdpSocket::bind(loop, Address::loopback(0));
        REQUIRE(socket);
        std::vector<Error> errors;
        socket->on(events::error, [&](const Error& e) { errors.push_back(e); });
        REQUIRE(socket->start([](const Datagram&) {}));
        CHECK(socket->send_to(nobody, "anyone there?"));
        loop.run_until([] { return false; }, 50ms);
        CHECK(errors.empty());
        CHECK(socket->send_to(nobody, "hello?"));
    }
    SECTION("connected: the send succeeds, then the receive side reports ECONNREFUSED") {
        auto socket = UdpSocket::bind(loop, Address::loopback(0));
        REQUIRE(socket);
        REQUIRE(socket->connect(nobody));
        std::vector<Error> errors;
        socket->on(events::error, [&](const Error& e) { errors.push_back(e); });
        REQUIRE(socket->start([](const Datagram&) {}));
        CHECK(socket->send("anyone there?"));   // UDP's send "succeeds": nothing was asked
        REQUIRE(loop.run_until([&] { return !errors.empty(); }, 5s));
        CHECK(errors.front().code() == ECONNREFUSED);
        CHECK(errors.front().message() == fmt::format("recvmsg {}: Connection refused", nobody));
        CHECK(socket->send("still there?"));   // the error was reported once; it is gone
    }
    SECTION("connected, not receiving: the NEXT send returns ECONNREFUSED") {
        auto socket = UdpSocket::bind(loop, Address::loopback(0));
        REQUIRE(socket);
        REQUIRE(socket->connect(nobody));
        CHECK(socket->send("anyone there?"));
        // On loopback the ICMP error is queued on our socket before send() returns.
        const auto next = socket->send("hello?");
        REQUIRE_FALSE(next);
        CHECK(next.error().code() == ECONNREFUSED);
        CHECK(next.error().message() == fmt::format("send {}: Connection refused", nobody));
    }
}

TEST_CASE("a UDP socket may be destroyed inside its own on_datagram", "[net][udp][integration]") {
    const std::string poller = GENERATE(from_range(poller::available_pollers()));
    CAPTURE(poller);
    loop::EventLoop loop{poller};
    auto receiver =
        std::make_unique<UdpSocket>(UdpSocket::bind(loop, Address::loopback(0)).value());
    const Address address = receiver->local_address();
    int received = 0;
    REQUIRE(receiver->start([&, tail = std::string(64, 'x')](const Datagram&) {
        ++received;
        receiver.reset();
        CHECK(tail.size() == 64);   // our captures outlive the socket until the close phase
    }));
    auto sender = UdpSocket::bind(loop, Address::loopback(0));
    REQUIRE(sender);
    CHECK(sender->send_to(address, "one"));
    CHECK(sender->send_to(address, "two"));   // queued behind the first: must not be delivered
    REQUIRE(loop.run_until([&] { return receiver == nullptr; }, 5s));
    loop.run_until([] { return false; }, 20ms);
    CHECK(received == 1);
}
