// tests/unit/socketio/binary_test.cpp — binary events and acks through the server
// (PROTOCOLS.md §2.3): placeholders out, attachments as binary messages, both directions,
// broadcast, and the attachment rules that close a connection.
#include "sio_test_support.hpp"

#include <optional>
#include <string>
#include <vector>

using namespace sio_test;
using socketio::Ack;
using socketio::AckError;
using socketio::Args;
using socketio::Socket;

namespace {

const std::string kBytes{"\x01\x02\x03\x04", 4};
const std::string kZeros{"\x00\xff\x00", 3};

}   // namespace

TEST_CASE("an incoming binary event reaches the listener with Bytes in place", "[socketio]") {
    SioHarness h;
    std::vector<std::string> seen;
    h.io.on_connection([&](Socket& s) {
        s.on("upload", [&](const Args& args) {
            REQUIRE(args.size() == 2);
            REQUIRE(args[0].is_bytes());
            seen.push_back(args[0].as_bytes());
            const json::Value* nested = args[1].find("part");
            REQUIRE(nested != nullptr);
            REQUIRE(nested->is_bytes());
            seen.push_back(nested->as_bytes());
        });
    });
    FakeSession& peer = h.connect();
    h.send(peer,
           R"(52-["upload",{"_placeholder":true,"num":0},{"part":{"_placeholder":true,"num":1}}])");
    CHECK(seen.empty());   // waits for its attachments
    h.send_binary(peer, kBytes);
    CHECK(seen.empty());
    h.send_binary(peer, kZeros);
    CHECK(seen == std::vector<std::string>{kBytes, kZeros});
    CHECK(peer.is_open());
}

TEST_CASE("emitting Bytes sends BINARY_EVENT then each attachment as a binary message",
          "[socketio]") {
    SioHarness h;
    Socket* socket = nullptr;
    h.io.on_connection([&](Socket& s) { socket = &s; });
    FakeSession& peer = h.connect();
    REQUIRE(socket != nullptr);
    socket->emit("file", json::Value::bytes(kBytes),
                 json::Value::object({{"z", json::Value::bytes(kZeros)}}));
    const auto sent = peer.take();
    REQUIRE(sent.size() == 3);
    CHECK(sent[0] ==
          Sent{R"(52-["file",{"_placeholder":true,"num":0},{"z":{"_placeholder":true,"num":1}}])",
               false});
    CHECK(sent[1] == Sent{kBytes, true});
    CHECK(sent[2] == Sent{kZeros, true});
}

TEST_CASE("binary acks both ways", "[socketio]") {
    SioHarness h;
    Socket* socket = nullptr;
    h.io.on_connection([&](Socket& s) {
        socket = &s;
        s.on("echo", [](const Args& args, const Ack& ack) { ack(args[0]); });
    });
    FakeSession& peer = h.connect();
    REQUIRE(socket != nullptr);

    // The peer asks, with binary; our answer carries the same bytes back as a BINARY_ACK.
    h.send(peer, R"(51-9["echo",{"_placeholder":true,"num":0}])");
    h.send_binary(peer, kBytes);
    auto sent = peer.take();
    REQUIRE(sent.size() == 2);
    CHECK(sent[0] == Sent{R"(61-9[{"_placeholder":true,"num":0}])", false});
    CHECK(sent[1] == Sent{kBytes, true});

    // We ask; the peer answers with a BINARY_ACK.
    std::optional<std::string> reply;
    socket->emit_with_ack("give", Millis{1000},
                          [&](std::optional<AckError> error, const Args& args) {
                              REQUIRE_FALSE(error);
                              REQUIRE(args[0].is_bytes());
                              reply = args[0].as_bytes();
                          });
    CHECK(peer.take_one() == R"(20["give"])");
    h.send(peer, R"(61-0[{"_placeholder":true,"num":0}])");
    CHECK_FALSE(reply);
    h.send_binary(peer, kZeros);
    CHECK(reply == kZeros);
}

TEST_CASE("a binary broadcast is encoded once and reaches every member with its attachments",
          "[socketio]") {
    SioHarness h;
    std::vector<Socket*> sockets;
    h.io.on_connection([&](Socket& s) {
        sockets.push_back(&s);
        s.join("room");
    });
    FakeSession& a = h.connect();
    FakeSession& b = h.connect();
    sockets[0]->to("room").emit("pic", json::Value::bytes(kBytes));
    CHECK(a.sent.empty());
    const auto sent = b.take();
    REQUIRE(sent.size() == 2);
    CHECK(sent[0] == Sent{R"(51-["pic",{"_placeholder":true,"num":0}])", false});
    CHECK(sent[1] == Sent{kBytes, true});
}

TEST_CASE("binary on a namespace other than /", "[socketio]") {
    SioHarness h;
    std::optional<std::string> got;
    h.io.of("/files").on_connection(
        [&](Socket& s) { s.on("put", [&](const Args& args) { got = args[0].as_bytes(); }); });
    FakeSession& peer = h.open();
    h.join(peer, "/files");
    h.send(peer, R"(51-/files,["put",{"_placeholder":true,"num":0}])");
    h.send_binary(peer, kBytes);
    CHECK(got == kBytes);
}

TEST_CASE("attachment rules close the connection with \"parse error\" and a log line",
          "[socketio]") {
    SioHarness h;
    std::vector<std::string> reasons;
    h.io.on_connection([&](Socket& s) {
        s.on_disconnect(
            [&](socketio::DisconnectReason r) { reasons.emplace_back(socketio::to_string(r)); });
    });
    FakeSession& peer = h.connect();
    FakeSession& bystander = h.connect();
    SECTION("too many attachments") { h.send(peer, R"(511-["x",{"_placeholder":true,"num":0}])"); }
    SECTION("a binary message when none is expected") { h.send_binary(peer, kBytes); }
    SECTION("a text message while attachments are still expected") {
        h.send(peer, R"(52-["x",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])");
        h.send_binary(peer, kBytes);
        h.send(peer, R"(2["x"])");
    }
    SECTION("a placeholder out of range") {
        h.send(peer, R"(51-["x",{"_placeholder":true,"num":3}])");
        h.send_binary(peer, kBytes);
    }
    CHECK(peer.close_called);
    CHECK(h.logged("socketio: parse error on eio0"));
    CHECK(reasons == std::vector<std::string>{"parse error"});
    CHECK(bystander.is_open());
    CHECK(h.io.main_namespace().socket_count() == 1);
}

TEST_CASE("the attachment limit is a server option", "[socketio]") {
    socketio::ServerOptions options;
    options.max_attachments = 1;
    SioHarness h{options};
    FakeSession& peer = h.connect();
    h.send(peer, R"(52-["x",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])");
    CHECK(peer.close_called);
    CHECK(h.logged("too many attachments"));
}
