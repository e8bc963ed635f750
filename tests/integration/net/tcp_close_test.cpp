// tests/integration/net/tcp_close_test.cpp — the ways a connection ends: EOF, reset,
// half-close, graceful close with pending output, abort; and the busy loops to avoid.
#include "net_test_support.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <csignal>

using namespace looplab;
using namespace looplab::net;
using namespace looplab::net::test;

TEST_CASE("a peer that closes is reported as end and a peer that resets as an error",
          "[net][tcp][integration]") {
    const std::string poller = GENERATE(from_range(poller::available_pollers()));
    CAPTURE(poller);
    loop::EventLoop loop{poller};
    AcceptOne server{loop};
    Recorder client_recorder;
    auto client = connect_recorded(loop, server.address(), client_recorder);
    REQUIRE(loop.run_until([&] { return server.connection != nullptr; }, 5s));

    SECTION("close(): FIN, so the server sees end then close, and no error") {
        client->close();
        REQUIRE(loop.run_until([&] { return server.recorder.closed() && client_recorder.closed(); },
                               5s));
        CHECK(server.recorder.events == std::vector<std::string>{"end", "close"});
        CHECK(client_recorder.events == std::vector<std::string>{"close"});
    }
    SECTION("abort(): RST, so the server sees ECONNRESET then close, and no end") {
        const Address client_address = client->local_address();
        client->abort();
        REQUIRE(loop.run_until([&] { return server.recorder.closed() && client_recorder.closed(); },
                               5s));
        CHECK(server.recorder.events == std::vector<std::string>{"error", "close"});
        REQUIRE(server.recorder.error);
        CHECK(server.recorder.error->code() == ECONNRESET);
        CHECK(server.recorder.error->message() ==
              fmt::format("read {}: Connection reset by peer", client_address));
        CHECK(client_recorder.events == std::vector<std::string>{"close"});   // we chose it
    }
    CHECK(client->is_closed());
}

TEST_CASE("close() and abort() report on_close later and never inside the call",
          "[net][tcp][integration]") {
    const std::string poller = GENERATE(from_range(poller::available_pollers()));
    CAPTURE(poller);
    loop::EventLoop loop{poller};
    AcceptOne server{loop};
    Recorder recorder;
    auto client = connect_recorded(loop, server.address(), recorder);
    const bool use_abort = GENERATE(false, true);
    use_abort ? client->abort() : client->close();
    CHECK(recorder.events.empty());   // the caller may keep using the object after the call
    CHECK_FALSE(client->send("too late"));
    REQUIRE(loop.run_until([&] { return recorder.closed(); }, 5s));
    CHECK(recorder.events == std::vector<std::string>{"close"});
}

TEST_CASE("half-close: after shutdown_write the peer sees EOF and can still answer",
          "[net][tcp][integration]") {
    const std::string poller = GENERATE(from_range(poller::available_pollers()));
    CAPTURE(poller);
    loop::EventLoop loop{poller};
    AcceptOne server{loop, [](TcpConnection& connection) {
                         connection.set_allow_half_open(true);
                         // The server answers only once the request is complete: when the client's
                         // side ends.
                         connection.on(events::end, [&connection] {
                             connection.send("response");
                             connection.close();
                         });
                     }};
    Recorder client_recorder;
    auto client = connect_recorded(loop, server.address(), client_recorder);
    client->send("request");
    client->shutdown_write();
    CHECK_FALSE(client->send("more"));   // our side is finished

    REQUIRE(
        loop.run_until([&] { return client_recorder.closed() && server.recorder.closed(); }, 5s));
    CHECK(server.recorder.received == "request");
    CHECK(client_recorder.received == "response");
    CHECK(client_recorder.events == std::vector<std::string>{"data", "end", "close"});
    CHECK_FALSE(client_recorder.error);
    CHECK_FALSE(server.recorder.error);
}

TEST_CASE("graceful close sends everything pending before the FIN", "[net][tcp][integration]") {
    const std::string poller = GENERATE(from_range(poller::available_pollers()));
    CAPTURE(poller);
    loop::EventLoop loop{poller};
    constexpr std::size_t kTotal = 8 * 1024 * 1024;   // far more than the kernel buffers take
    const std::vector<std::uint8_t> payload = pattern(kTotal);
    Checksum sent;
    sent.add(payload);
    std::size_t pending_at_close = 0;

    AcceptOne server{
        loop, [&](TcpConnection& connection) {
            connection.send(payload);
            pending_at_close = connection.pending_output();
            connection.close();   // right away: the buffered megabytes must still arrive
        }};
    auto client = connect_now(loop, server.address());
    Checksum received;
    bool ended = false;
    bool closed = false;
    client->on(events::data, [&](ByteBuffer& input) {
        received.add(input.readable());
        input.consume(input.size());
    });
    client->on(events::end, [&] { ended = true; });
    client->on(events::close, [&] { closed = true; });
    REQUIRE(client->start());

    REQUIRE(loop.run_until([&] { return closed && server.recorder.closed(); }, 10s));
    CHECK(pending_at_close > 0);   // close() really had output to flush
    CHECK(ended);
    CHECK(received.bytes == sent.bytes);
    CHECK(received.value == sent.value);
    CHECK(server.recorder.events == std::vector<std::string>{"close"});
}

TEST_CASE("after EOF on a half-open connection the loop goes back to sleep",
          "[net][tcp][integration]") {
    // Level-triggered pollers report EOF as "readable" forever; a connection that kept asking
    // would spin. Count the loop's turns while nothing happens.
    const std::string poller = GENERATE(from_range(poller::available_pollers()));
    CAPTURE(poller);
    loop::EventLoop loop{poller};
    AcceptOne server{loop, [](TcpConnection& connection) { connection.set_allow_half_open(true); }};
    auto client = connect_now(loop, server.address());
    REQUIRE(client->start());
    client->shutdown_write();
    REQUIRE(loop.run_until([&] { return server.recorder.saw("end"); }, 5s));

    const std::uint64_t turns_before = loop.turn();
    loop.run_until([] { return false; }, 200ms);
    CHECK(loop.turn() - turns_before < 20);
    CHECK_FALSE(server.recorder.closed());   // half-open: the server may still send
    CHECK(server.connection->send("still here"));
}

TEST_CASE("a paused connection still learns of a reset without spinning",
          "[net][tcp][integration]") {
    const std::string poller = GENERATE(from_range(poller::available_pollers()));
    CAPTURE(poller);
    loop::EventLoop loop{poller};
    AcceptOne server{loop, [](TcpConnection& connection) { connection.pause_reading(); }};
    auto client = connect_now(loop, server.address());
    REQUIRE(client->start());
    REQUIRE(loop.run_until([&] { return server.connection != nullptr; }, 5s));
    client->abort();
    REQUIRE(loop.run_until([&] { return server.recorder.closed(); }, 5s));
    CHECK(server.recorder.events == std::vector<std::string>{"error", "close"});
    CHECK(server.recorder.error->code() == ECONNRESET);
}

TEST_CASE("a paused connection whose peer closed waits quietly and then reads the rest",
          "[net][tcp][integration]") {
    const std::string poller = GENERATE(from_range(poller::available_pollers()));
    CAPTURE(poller);
    loop::EventLoop loop{poller};
    AcceptOne server{
        loop, [](TcpConnection& connection) {
            connection.pause_reading();
            connection.shutdown_write();   // with the peer's FIN too, both directions are shut
        }};
    auto client = connect_now(loop, server.address());
    Recorder client_recorder;
    client_recorder.attach(*client);
    client->set_allow_half_open(true);
    REQUIRE(client->start());
    client->send("last words");
    REQUIRE(loop.run_until([&] { return client_recorder.saw("end"); }, 5s));
    client->shutdown_write();   // both directions shut: the server socket hangs up

    const std::uint64_t turns_before = loop.turn();
    loop.run_until([] { return false; }, 200ms);
    CHECK(loop.turn() - turns_before < 20);
    CHECK(server.recorder.events.empty());   // paused: nothing delivered yet

    server.connection->resume_reading();
    REQUIRE(loop.run_until([&] { return server.recorder.closed(); }, 5s));
    CHECK(server.recorder.received == "last words");
    CHECK(server.recorder.events == std::vector<std::string>{"data", "end", "close"});
}

TEST_CASE("writing to a vanished peer is an error event and never SIGPIPE",
          "[net][tcp][integration]") {
    const std::string poller = GENERATE(from_range(poller::available_pollers()));
    CAPTURE(poller);
    // The test runner ignores SIGPIPE; put the default back (death) to prove we never raise it.
    struct RestoreSigpipe {
        ~RestoreSigpipe() { std::signal(SIGPIPE, SIG_IGN); }
    } restore;
    std::signal(SIGPIPE, SIG_DFL);

    loop::EventLoop loop{poller};
    AcceptOne server{loop, [](TcpConnection& connection) { connection.set_allow_half_open(true); }};
    auto client = connect_now(loop, server.address());
    REQUIRE(client->start());
    REQUIRE(loop.run_until([&] { return server.connection != nullptr; }, 5s));
    client.reset();   // closes the socket at once
    REQUIRE(loop.run_until([&] { return server.recorder.saw("end"); }, 5s));

    // The first write is answered with a reset, the next one fails with EPIPE or ECONNRESET.
    const std::vector<std::uint8_t> chunk = pattern(64 * 1024);
    loop::TimerId writer = loop.set_interval(1ms, [&] {
        if (!server.recorder.closed()) server.connection->send(chunk);
    });
    REQUIRE(loop.run_until([&] { return server.recorder.closed(); }, 5s));
    loop.cancel_timer(writer);
    REQUIRE(server.recorder.error);
    const int code = server.recorder.error->code();
    CHECK((code == EPIPE || code == ECONNRESET));
    CHECK_THAT(server.recorder.error->message(), Catch::StartsWith("send"));
}
