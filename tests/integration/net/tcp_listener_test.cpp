// tests/integration/net/tcp_listener_test.cpp — accepting when the process is out of fds.
#include "net_test_support.hpp"
#include "support/no_more_fds.hpp"

#include <fmt/format.h>

#include <cerrno>

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

using namespace looplab;
using namespace looplab::net;
using namespace looplab::net::test;
using looplab::testing::NoMoreFds;

TEST_CASE("running out of fds in accept pauses the listener instead of spinning",
          "[net][tcp][integration]") {
    const std::string poller = GENERATE(from_range(poller::available_pollers()));
    CAPTURE(poller);
    loop::EventLoop loop{poller};
    auto listener = TcpListener::bind(loop, Address::loopback(0));
    REQUIRE(listener);
    std::vector<std::unique_ptr<TcpConnection>> accepted;
    std::vector<Error> errors;
    listener->on(events::error, [&](const Error& error) { errors.push_back(error); });
    const auto keep = [&](std::unique_ptr<TcpConnection> connection) {
        accepted.push_back(std::move(connection));
    };

    // Three clients connect while nobody accepts: the kernel completes their handshakes and
    // queues them in the backlog.
    std::vector<std::unique_ptr<TcpConnection>> clients;
    for (int i = 0; i < 3; ++i) clients.push_back(connect_now(loop, listener->local_address()));

    {
        NoMoreFds no_more_fds{listener->fd()};
        REQUIRE(listener->start(keep));
        const std::uint64_t turns_before = loop.turn();
        loop.run_until([] { return false; }, 200ms);
        const std::uint64_t turns = loop.turn() - turns_before;
        CAPTURE(turns);
        // A spinning loop would turn hundreds of thousands of times; paused, it turns a few.
        CHECK(turns < 50);
        CHECK(accepted.empty());
        REQUIRE_FALSE(errors.empty());
        CHECK(errors.size() <= 4);   // one per pause of kTcpAcceptPauseWhenOutOfFds (100 ms)
        CHECK(errors.front().code() == EMFILE);
        CHECK(errors.front().message() ==
              fmt::format("accept {}: Too many open files", listener->local_address()));
    }

    // Descriptors are back: the waiting clients are accepted after the pause, none lost.
    REQUIRE(loop.run_until([&] { return accepted.size() == 3; }, 2s));
    CHECK(listener->accept_errors() == errors.size());
}

TEST_CASE("a listener accepts a crowd in batches and keeps every client",
          "[net][tcp][integration]") {
    const std::string poller = GENERATE(from_range(poller::available_pollers()));
    CAPTURE(poller);
    loop::EventLoop loop{poller};
    auto listener = TcpListener::bind(loop, Address::loopback(0));
    REQUIRE(listener);
    std::vector<std::unique_ptr<TcpConnection>> clients;
    // More clients than one batch, all queued before the first accept.
    for (std::size_t i = 0; i < kTcpMaxAcceptsPerTurn + 10; ++i)
        clients.push_back(connect_now(loop, listener->local_address()));

    std::vector<std::unique_ptr<TcpConnection>> accepted;
    std::vector<std::size_t> accepted_by_turn;
    std::uint64_t last_turn = 0;
    REQUIRE(listener->start([&](std::unique_ptr<TcpConnection> connection) {
        if (accepted_by_turn.empty() || loop.turn() != last_turn) accepted_by_turn.push_back(0);
        last_turn = loop.turn();
        ++accepted_by_turn.back();
        accepted.push_back(std::move(connection));
    }));
    REQUIRE(loop.run_until([&] { return accepted.size() == clients.size(); }, 5s));
    CHECK(accepted_by_turn.front() == kTcpMaxAcceptsPerTurn);
    CHECK(accepted_by_turn.size() >= 2);
}

TEST_CASE("a listener may be destroyed inside its own on_accept", "[net][tcp][integration]") {
    const std::string poller = GENERATE(from_range(poller::available_pollers()));
    CAPTURE(poller);
    loop::EventLoop loop{poller};
    auto listener =
        std::make_unique<TcpListener>(TcpListener::bind(loop, Address::loopback(0)).value());
    const Address address = listener->local_address();
    std::unique_ptr<TcpConnection> only;
    auto client = connect_now(loop, address);
    auto second = connect_now(loop, address);
    REQUIRE(listener->start([&, big = std::string(64, 'x')](std::unique_ptr<TcpConnection> c) {
        only = std::move(c);
        listener.reset();          // "accept one client, then stop listening for good"
        CHECK(big.size() == 64);   // our captures are still alive
    }));
    REQUIRE(loop.run_until([&] { return only != nullptr; }, 5s));
    CHECK(listener == nullptr);
}
