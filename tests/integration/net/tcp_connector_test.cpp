// tests/integration/net/tcp_connector_test.cpp — connects that fail: refused, timed out.
#include "net_test_support.hpp"

#include <fmt/format.h>

#include <cerrno>

using namespace looplab;
using namespace looplab::net;
using namespace looplab::net::test;

TEST_CASE("the refusing port of the tests stays ours: no listener can take it meanwhile",
          "[net][tcp][integration]") {
    // What makes the "refused" tests race-free (unlike a port bound, released and reused).
    const RefusingTcpPort refusing;
    CHECK(refusing.address().port() != 0);
    loop::EventLoop loop;
    const auto taker = TcpListener::bind(loop, refusing.address());
    REQUIRE_FALSE(taker);
    CHECK(taker.error().code() == EADDRINUSE);
}

TEST_CASE("connecting to a port nobody listens on is refused at once", "[net][tcp][integration]") {
    const std::string poller = GENERATE(from_range(poller::available_pollers()));
    CAPTURE(poller);
    loop::EventLoop loop{poller};
    TcpConnector connector{loop};
    const RefusingTcpPort refusing;   // held for the whole test: no one else can take it
    const Address nobody = refusing.address();

    std::optional<Error> failure;
    bool called = false;
    connector.connect(nobody, [&](Result<std::unique_ptr<TcpConnection>> made) {
        called = true;
        if (!made) failure = made.error();
    });
    CHECK_FALSE(called);   // never inside connect()
    CHECK(connector.pending() == 1);

    REQUIRE(loop.run_until([&] { return called; }, 5s));
    REQUIRE(failure);
    CHECK(failure->code() == ECONNREFUSED);
    CHECK(failure->message() == fmt::format("connect {}: Connection refused", nobody));
    CHECK(connector.pending() == 0);
}

TEST_CASE("a connect that gets no answer times out", "[net][tcp][integration]") {
    // Deterministic on loopback: a listener that never accepts, with the smallest backlog.
    // Once its accept queue is full, Linux drops further SYNs, so the next connect waits in
    // SYN-SENT (retrying after 1 s, 3 s...) until our timer gives up.
    const std::string poller = GENERATE(from_range(poller::available_pollers()));
    CAPTURE(poller);
    loop::EventLoop loop{poller};
    ListenOptions options;
    options.backlog = 0;
    auto full = TcpListener::bind(loop, Address::loopback(0), options);   // never started
    REQUIRE(full);
    TcpConnector connector{loop};
    ConnectOptions quick;
    quick.timeout = 300ms;

    // run_until() looks at its condition between turns; a result delivered by a TIMER (our
    // timeout) is followed in the same turn by a poll that may sleep until the next event.
    // A 10 ms tick bounds that sleep, so `waited` measures the timeout, not the loop.
    const loop::TimerId tick = loop.set_interval(10ms, [] {});

    std::vector<std::unique_ptr<TcpConnection>> queued;   // they fill the accept queue
    std::optional<Error> timed_out;
    std::chrono::steady_clock::duration waited{};
    for (int attempt = 0; attempt < 6 && !timed_out; ++attempt) {
        std::optional<Result<std::unique_ptr<TcpConnection>>> outcome;
        // A witness timer due when the kernel would retry its SYN (1 s): the outcome must come
        // before it, i.e. from our 300 ms timer. Timers run in the order they are due, so this
        // holds however long a busy machine (or ASan) stalls the test, unlike a wall-clock bound.
        bool witness_fired = false;
        bool outcome_before_witness = false;
        const loop::TimerId witness = loop.set_timeout(1s, [&] { witness_fired = true; });
        const auto started = std::chrono::steady_clock::now();
        connector.connect(
            full->local_address(),
            [&](Result<std::unique_ptr<TcpConnection>> made) {
                outcome_before_witness = !witness_fired;
                outcome.emplace(std::move(made));
            },
            quick);
        REQUIRE(loop.run_until([&] { return outcome.has_value(); }, 5s));
        waited = std::chrono::steady_clock::now() - started;
        loop.cancel_timer(witness);
        CHECK(outcome_before_witness);   // ours, not the kernel's SYN retries (1 s, 3 s, ...)
        if (*outcome) queued.push_back(std::move(*outcome).value());
        else timed_out = outcome->error();
    }
    loop.cancel_timer(tick);
    REQUIRE(timed_out);
    CHECK(queued.size() >= 1);
    CHECK(queued.size() <= 3);
    CHECK(timed_out->code() == ETIMEDOUT);
    CHECK(timed_out->message() ==
          fmt::format("connect {}: Connection timed out", full->local_address()));
    CHECK(waited >= 290ms);   // not before our timeout (a lower bound: no stall can break it)
}

TEST_CASE("destroying a connector cancels its attempts without calling back",
          "[net][tcp][integration]") {
    const std::string poller = GENERATE(from_range(poller::available_pollers()));
    CAPTURE(poller);
    loop::EventLoop loop{poller};
    EchoServer server{loop};
    const RefusingTcpPort refusing;
    bool called = false;
    {
        TcpConnector connector{loop};
        connector.connect(server.address(),
                          [&](Result<std::unique_ptr<TcpConnection>>) { called = true; });
        connector.connect(refusing.address(),
                          [&](Result<std::unique_ptr<TcpConnection>>) { called = true; });
    }
    loop.run_until([] { return false; }, 50ms);
    CHECK_FALSE(called);
}

TEST_CASE("a connect can start from a fixed local port", "[net][tcp][integration]") {
    const std::string poller = GENERATE(from_range(poller::available_pollers()));
    CAPTURE(poller);
    loop::EventLoop loop{poller};
    AcceptOne server{loop};
    TcpConnector connector{loop};
    ConnectOptions options;
    // The one use of unused_tcp_port(): the connector must bind this port itself, so we cannot
    // hold it (and port 0 would not test a FIXED local port).
    options.local = Address::loopback(unused_tcp_port(loop));
    std::unique_ptr<TcpConnection> client;
    connector.connect(
        server.address(),
        [&](Result<std::unique_ptr<TcpConnection>> made) {
            REQUIRE(made);
            client = std::move(made).value();
        },
        options);
    REQUIRE(loop.run_until([&] { return client && server.connection; }, 5s));
    CHECK(client->local_address() == *options.local);
    CHECK(server.connection->peer_address() == *options.local);
}
