// tests/unit/socketio_client/offline_socket_test.cpp — a socket that is not connected, on a
// real loop: emits wait in the bounded buffer, volatile ones are dropped, an ack that never
// comes ends with "operation has timed out" (and its packet leaves the buffer).
#include "looplab/socketio/ack.hpp"
#include "looplab/socketio_client/manager.hpp"

#include <catch2/catch.hpp>

using namespace looplab;
using namespace looplab::socketio_client;
using namespace std::chrono_literals;

namespace {

// A manager that is never opened: nothing touches the network.
struct Offline {
    loop::EventLoop loop;
    Manager manager{loop, server_url(net::Address::loopback(9))};
};

}   // namespace

TEST_CASE("an ack that never comes ends with a timeout error and leaves the buffer",
          "[socketio_client]") {
    Offline offline;
    Socket& socket = offline.manager.socket("/");
    std::optional<Result<socketio::Args>> got;
    const auto started = offline.loop.now();
    REQUIRE(socket.emit_with_ack("ask", 1, "two", 30ms,
                                 [&](Result<socketio::Args> reply) { got = std::move(reply); }));
    CHECK(socket.buffered_count() == 1);
    CHECK(socket.pending_ack_count() == 1);
    REQUIRE(offline.loop.run_until([&] { return got.has_value(); }, 2000ms));
    REQUIRE_FALSE(*got);
    CHECK(got->error().message() == socketio::kAckTimedOut);
    CHECK(offline.loop.now() - started >= 30ms);
    CHECK(socket.buffered_count() == 0);      // it will not be sent late
    CHECK(socket.pending_ack_count() == 0);   // nothing left behind
}

TEST_CASE("the offline buffer is bounded: a full buffer refuses emits, acks are told",
          "[socketio_client]") {
    Offline offline;
    Socket& socket = offline.manager.socket("/", {.auth = {}, .max_buffered_packets = 2});
    CHECK(socket.emit("a", 1));
    CHECK(socket.emit("b", 2));
    CHECK_FALSE(socket.emit("c", 3));
    CHECK(socket.buffered_count() == 2);

    std::optional<Result<socketio::Args>> got;
    CHECK_FALSE(socket.emit_with_ack(
        "d", 5s, [&](Result<socketio::Args> reply) { got = std::move(reply); }));
    CHECK_FALSE(got.has_value());   // told after the call returns, never inside it
    REQUIRE(offline.loop.run_until([&] { return got.has_value(); }, 2000ms));
    REQUIRE_FALSE(*got);
    CHECK(got->error().message() == kAckBufferFull);
    CHECK(socket.pending_ack_count() == 0);
    CHECK(kSioClientMaxBufferedPackets == 1000);
    CHECK(offline.manager.socket("/other").options().max_buffered_packets ==
          kSioClientMaxBufferedPackets);
}

TEST_CASE("volatile emits and reserved names are refused while offline", "[socketio_client]") {
    Offline offline;
    Socket& socket = offline.manager.socket("/");
    CHECK_FALSE(socket.volatile_emit("typing", true));
    CHECK_FALSE(socket.emit("connect"));
    CHECK_FALSE(socket.emit("disconnect", 1));
    bool called = false;
    CHECK_FALSE(socket.emit_with_ack("connect_error", 10ms,
                                     [&](Result<socketio::Args>) { called = true; }));
    CHECK(socket.buffered_count() == 0);
    CHECK(socket.pending_ack_count() == 0);
    offline.loop.run_until([] { return false; }, 30ms);
    CHECK_FALSE(called);
    CHECK_FALSE(socket.connected());
    CHECK(offline.manager.state() == Manager::State::Closed);
}

TEST_CASE("destroying a manager with pending acks calls nothing back", "[socketio_client]") {
    loop::EventLoop loop;
    bool called = false;
    {
        Manager manager{loop, server_url(net::Address::loopback(9))};
        REQUIRE(manager.socket("/").emit_with_ack("x", 10ms,
                                                  [&](Result<socketio::Args>) { called = true; }));
    }
    loop.run_until([] { return false; }, 40ms);
    CHECK_FALSE(called);
}
