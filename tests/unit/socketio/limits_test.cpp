// tests/unit/socketio/limits_test.cpp — bad or greedy peers: malformed packets, too many
// namespaces, too many dynamic children, events piling up behind a middleware, broadcast acks
// that never come. Each closes (or refuses) that peer with a log line; everyone else goes on;
// what the server holds stays bounded.
#include "sio_test_support.hpp"

#include <optional>
#include <string>
#include <vector>

using namespace sio_test;
using socketio::Args;
using socketio::Next;
using socketio::Socket;

TEST_CASE("malformed packets close that connection with \"parse error\"; others go on",
          "[socketio]") {
    const char* bad = GENERATE(R"(9["x"])",                // unknown type
                               R"(2{"not":"an array"})",   // EVENT payload not an array
                               R"(2[])",                   // EVENT with no name
                               R"(2abc["x"])",             // ack id not a number
                               R"(2["disconnect"])",       // reserved event name
                               R"(2["x")",                 // broken JSON
                               R"(1{"x":1})",              // DISCONNECT with a payload
                               R"(3)");                    // ACK without an id
    CAPTURE(bad);
    SioHarness h;
    std::vector<std::string> reasons;
    int events = 0;
    h.io.on_connection([&](Socket& s) {
        s.on_disconnect(
            [&](socketio::DisconnectReason r) { reasons.emplace_back(socketio::to_string(r)); });
        s.on("x", [&] { ++events; });
    });
    FakeSession& peer = h.connect();
    FakeSession& other = h.connect();
    h.send(peer, bad);
    CHECK(peer.close_called);
    CHECK(h.logged("socketio: parse error on eio0"));
    CHECK(reasons == std::vector<std::string>{"parse error"});
    h.send(peer, R"(2["x"])");   // after the close: ignored
    h.send(other, R"(2["x"])");
    CHECK(events == 1);
    CHECK(other.is_open());
}

TEST_CASE("a malformed CONNECT payload closes the connection", "[socketio]") {
    SioHarness h;
    FakeSession& peer = h.open();
    h.send(peer, R"(0"a string")");
    CHECK(peer.close_called);
    CHECK(h.logged("parse error"));
}

TEST_CASE("more namespaces than max_namespaces_per_client closes the connection", "[socketio]") {
    socketio::ServerOptions options;
    options.max_namespaces_per_client = 2;
    SioHarness h{options};
    h.io.of("/a");
    h.io.of("/b");
    FakeSession& peer = h.open();
    h.join(peer, "/");
    h.join(peer, "/a");
    h.send(peer, "0/b,");
    CHECK(peer.close_called);
    CHECK(h.logged("more than 2 namespaces"));
    CHECK(h.io.of("/b").socket_count() == 0);
}

TEST_CASE("a dynamic parent makes at most max_child_namespaces children", "[socketio]") {
    socketio::ServerOptions options;
    options.max_child_namespaces = 2;
    SioHarness h{options};
    socketio::Namespace& parent =
        h.io.of([](std::string_view, const json::Value&) { return true; });
    FakeSession& peer = h.open();
    h.join(peer, "/one");
    h.join(peer, "/two");
    h.send(peer, "0/three,");
    CHECK(peer.take_one() == R"(4/three,{"message":"Invalid namespace"})");
    CHECK(h.logged("its parent already has 2 children"));
    CHECK(parent.children().size() == 2);
    CHECK(peer.is_open());
    // An existing child still takes new sockets.
    h.join(h.open(), "/one");
}

TEST_CASE("events piling up behind an undecided per-packet middleware close the connection",
          "[socketio]") {
    socketio::ServerOptions options;
    options.max_pending_packets = 3;
    SioHarness h{options};
    std::vector<Next> held;
    Socket* socket = nullptr;
    h.io.on_connection([&](Socket& s) {
        socket = &s;
        s.use([&](std::string_view, const Args&, Next next) { held.push_back(next); });
    });
    FakeSession& peer = h.connect();
    for (int i = 0; i < 3; ++i) h.send(peer, R"(2["x"])");
    CHECK(socket->pending_packet_count() == 3);
    CHECK(peer.is_open());
    held[0]();   // one decided: room for one more
    CHECK(socket->pending_packet_count() == 2);
    h.send(peer, R"(2["x"])");
    CHECK(peer.is_open());
    h.send(peer, R"(2["x"])");
    CHECK(peer.close_called);
    CHECK(h.logged("more than 3 events waiting in middlewares"));
}

TEST_CASE("broadcast acks a peer never answers are forgotten after their timeout", "[socketio]") {
    SioHarness h;
    Socket* socket = nullptr;
    h.io.on_connection([&](Socket& s) { socket = &s; });
    h.connect();
    int ended = 0;
    const auto done = [&](std::optional<socketio::AckError>, const json::Array&) { ++ended; };
    for (int i = 0; i < 5; ++i) h.io.timeout(Millis{10}).emit_with_ack("poll", done);
    CHECK(socket->pending_ack_count() == 5);
    REQUIRE(h.run_until([&] { return ended == 5; }));
    h.run_until([] { return false; }, Millis{5});   // past every deadline
    h.io.timeout(Millis{1000}).emit_with_ack("poll", done);
    CHECK(socket->pending_ack_count() == 1);   // the five old ones are gone
}

TEST_CASE("a flood of events with no listener holds nothing", "[socketio]") {
    SioHarness h;
    Socket* socket = nullptr;
    h.io.on_connection([&](Socket& s) { socket = &s; });
    FakeSession& peer = h.connect();
    for (int i = 0; i < 10'000; ++i) h.send(peer, R"(21["nobody listens",{"a":[1,2,3]}])");
    CHECK(peer.is_open());
    CHECK(peer.sent.empty());   // no listener: no ack sent either
    CHECK(socket->pending_ack_count() == 0);
    CHECK(socket->pending_packet_count() == 0);
}

TEST_CASE("a server with clients and pending timers is destroyed cleanly", "[socketio]") {
    auto h = std::make_unique<SioHarness>();
    Socket* socket = nullptr;
    h->io.on_connection([&](Socket& s) {
        socket = &s;
        s.join("room");
    });
    h->connect();
    h->open();   // a connect timer running
    socket->emit_with_ack("q", Millis{60'000},
                          [](std::optional<socketio::AckError>, const Args&) {});
    h->io.timeout(Millis{60'000})
        .emit_with_ack("p", [](std::optional<socketio::AckError>, const json::Array&) {});
    h.reset();   // no listener may run, no timer may fire later (ASan would see it)
    SUCCEED();
}
