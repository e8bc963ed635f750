// The WebSocket session on a fake transport: every byte it writes lands in a string, so the
// closing handshake and the backpressure rules can be checked exactly, without sockets.
#include "looplab/ws/web_socket.hpp"

#include "looplab/ws/frame_encoder.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace looplab::ws;
namespace events = looplab::events;
using looplab::Millis;
using looplab::loop::EventLoop;

namespace {

class FakeTransport final : public Transport {
public:
    std::string written;
    std::size_t unsent = 0;   // pretend this many written bytes are still queued
    bool closed_gracefully = false;
    bool aborted = false;
    WebSocket* socket = nullptr;

    std::size_t write_calls = 0;
    std::string last_head;        // (a copy: the header lives on the sender's stack)
    std::string_view last_body;   // where the bytes were, to check that nothing was copied

    void write(std::string_view head, std::string_view body) override {
        ++write_calls;
        last_head = head;
        last_body = body;
        written.append(head).append(body);
        if (holding) unsent += head.size() + body.size();
    }
    std::size_t buffered_amount() const override { return unsent; }
    void close_transport() override {
        closed_gracefully = true;
        if (socket) socket->transport_closed();
    }
    void abort_transport() override {
        aborted = true;
        if (socket) socket->transport_closed();
    }
    bool holding = false;   // true: writes stay "buffered" (a peer that does not read)
};

const MaskingKey kKey{0x37, 0xfa, 0x21, 0x3d};

// What a browser would send: masked frames.
std::string client_text(std::string_view text) { return encode_frame(Opcode::Text, text, kKey); }
std::string client_close(std::optional<CloseCode> code, std::string_view reason = {}) {
    return encode_close(code, reason, kKey);
}

struct ServerSide {
    EventLoop loop{"poll"};
    FakeTransport transport;
    WebSocket socket;
    std::vector<Message> messages;
    std::optional<CloseInfo> closed;

    explicit ServerSide(WebSocketOptions options = {})
        : socket(loop, Role::Server, transport, options) {
        transport.socket = &socket;
        socket.on(events::message, [this](const Message& message) { messages.push_back(message); });
        socket.on(events::close, [this](const CloseInfo& info) { closed = info; });
    }
};

}   // namespace

TEST_CASE("a server session delivers a masked text message and echoes it unmasked",
          "[ws][session]") {
    ServerSide server;
    server.socket.on(events::message, [&](const Message& message) { server.socket.send(message); });
    server.socket.receive(client_text("Hello"));
    CHECK(server.transport.written == std::string{"\x81\x05Hello"});
}

TEST_CASE("a ping is answered at once with a pong carrying the same payload", "[ws][session]") {
    ServerSide server;
    server.socket.receive(encode_ping("are you there", kKey));
    CHECK(server.transport.written == encode_pong("are you there"));
}

TEST_CASE("the peer's close is echoed, then the server closes TCP, and on_close is clean",
          "[ws][session]") {
    ServerSide server;
    server.socket.receive(client_close(CloseCode::Normal, "bye"));
    CHECK(server.transport.written == encode_close(CloseCode::Normal, "bye"));
    CHECK(server.transport.closed_gracefully);
    REQUIRE(server.closed);
    CHECK(server.closed->code == 1000);
    CHECK(server.closed->reason == "bye");
    CHECK(server.closed->was_clean);
    CHECK(server.socket.state() == WebSocket::State::Closed);
}

TEST_CASE("an empty close is answered with an empty close and reported as 1005", "[ws][session]") {
    ServerSide server;
    server.socket.receive(client_close(std::nullopt));
    CHECK(server.transport.written == encode_close(std::nullopt));
    REQUIRE(server.closed);
    CHECK(server.closed->code == 1005);
}

TEST_CASE("a protocol violation sends its close code and closes without waiting", "[ws][session]") {
    ServerSide server;
    server.socket.receive(encode_frame(Opcode::Text, "unmasked"));   // clients must mask
    const std::string expected_close = encode_close(CloseCode::ProtocolError);
    REQUIRE(server.transport.written.size() >= 4);
    CHECK(server.transport.written.substr(0, 4) ==
          std::string{"\x88"} + static_cast<char>(server.transport.written[1]) +
              "\x03\xea");   // 1002 big-endian
    CHECK(server.transport.closed_gracefully);
    REQUIRE(server.closed);
    CHECK(server.closed->code == 1002);
    CHECK_FALSE(server.closed->was_clean);
    CHECK(server.messages.empty());
}

TEST_CASE("invalid UTF-8 in a text message closes with 1007", "[ws][session]") {
    ServerSide server;
    server.socket.receive(encode_frame(Opcode::Text, "\xc0\xaf", kKey));   // an overlong '/'
    REQUIRE(server.closed);
    CHECK(server.closed->code == 1007);
}

TEST_CASE("messages that arrived before a violation in the same read are delivered",
          "[ws][session]") {
    ServerSide server;
    server.socket.receive(client_text("first") + encode_frame(Opcode::Text, "bad"));
    REQUIRE(server.messages.size() == 1);
    CHECK(server.messages[0].payload == "first");
    REQUIRE(server.closed);
    CHECK(server.closed->code == 1002);
}

TEST_CASE("a transport that vanishes without a close frame is reported as 1006", "[ws][session]") {
    ServerSide server;
    server.socket.transport_closed();
    REQUIRE(server.closed);
    CHECK(server.closed->code == 1006);
    CHECK_FALSE(server.closed->was_clean);
    CHECK_FALSE(server.socket.send_text("too late"));
}

TEST_CASE("our close waits for the peer's close; the handshake is then clean", "[ws][session]") {
    ServerSide server;
    server.socket.close(CloseCode{4000}, "done");
    CHECK(server.transport.written == encode_close(CloseCode{4000}, "done"));
    CHECK(server.socket.state() == WebSocket::State::Closing);
    CHECK_FALSE(server.socket.send_text("no data after our close"));
    server.socket.receive(client_close(CloseCode{4000}, "done"));
    REQUIRE(server.closed);
    CHECK(server.closed->code == 4000);
    CHECK(server.closed->was_clean);
    CHECK(server.transport.written == encode_close(CloseCode{4000}, "done"));   // no 2nd close
}

TEST_CASE("a peer that never answers our close is cut off by the close timeout", "[ws][session]") {
    WebSocketOptions options;
    options.close_timeout = Millis{20};
    ServerSide server{options};
    server.socket.close();
    CHECK(server.loop.run_until([&] { return server.closed.has_value(); }, Millis{2000}));
    CHECK(server.transport.aborted);
    REQUIRE(server.closed);
    CHECK(server.closed->code == 1006);
}

TEST_CASE("a slow consumer crosses the high watermark once, then the policy closes with 1008",
          "[ws][session]") {
    WebSocketOptions options;
    options.high_watermark = 1000;
    options.max_buffered_amount = 4000;
    ServerSide server{options};
    server.transport.holding = true;
    int high_watermark_events = 0;
    server.socket.on(events::high_watermark, [&](std::size_t) { ++high_watermark_events; });
    const std::string chunk(500, 'x');
    int accepted = 0;
    while (server.socket.send_text(chunk)) ++accepted;
    CHECK(accepted == 7);   // 7 x 504 bytes fit under 4000, the 8th would not
    CHECK(high_watermark_events == 1);
    CHECK(server.transport.written.substr(server.transport.written.size() - 4 - 25, 4) ==
          std::string{"\x88\x1b\x03\xf0"});   // close frame, 27 bytes, code 1008
    CHECK(server.transport.closed_gracefully);
    REQUIRE(server.closed);
    CHECK(server.closed->code == 1008);
}

TEST_CASE("the drop policy refuses messages past the limit and keeps the connection",
          "[ws][session]") {
    WebSocketOptions options;
    options.max_buffered_amount = 1000;
    options.slow_consumer = SlowConsumerPolicy::Drop;
    ServerSide server{options};
    server.transport.holding = true;
    CHECK(server.socket.send_text(std::string(900, 'a')));
    CHECK_FALSE(server.socket.send_text(std::string(200, 'b')));
    CHECK(server.socket.state() == WebSocket::State::Open);
    server.transport.unsent = 0;   // the peer caught up
    CHECK(server.socket.send_text(std::string(200, 'b')));
}

TEST_CASE("a client session masks what it sends", "[ws][session]") {
    EventLoop loop{"poll"};
    FakeTransport transport;
    WebSocket client{loop, Role::Client, transport};
    transport.socket = &client;
    CHECK(client.send_text("Hello"));
    REQUIRE(transport.written.size() == 2 + 4 + 5);
    CHECK(static_cast<unsigned char>(transport.written[0]) == 0x81);
    CHECK(static_cast<unsigned char>(transport.written[1]) == 0x85);   // MASK bit set
    FrameParser server_parser{Role::Server};
    std::vector<Event> events;
    REQUIRE_FALSE(server_parser.feed(transport.written, events));
    REQUIRE(events.size() == 1);
    CHECK(std::get<Message>(events[0]).payload == "Hello");
}

TEST_CASE("keep-alive pings, and a missing pong drops the connection as 1006", "[ws][session]") {
    WebSocketOptions options;
    options.ping_interval = Millis{5};
    options.pong_timeout = Millis{10};
    ServerSide server{options};
    auto hold = server.loop.hold();
    CHECK(server.loop.run_until([&] { return server.closed.has_value(); }, Millis{3000}));
    CHECK(server.transport.written.substr(0, 2) == std::string{"\x89\x0a"});   // ping "keep-alive"
    REQUIRE(server.closed);
    CHECK(server.closed->code == 1006);
}

TEST_CASE("a server frame is one write: the header, then the payload from where it was",
          "[ws][session]") {
    ServerSide server;
    const std::string payload(300, 'z');
    const std::size_t calls_before = server.transport.write_calls;
    CHECK(server.socket.send_binary(payload));
    CHECK(server.transport.write_calls == calls_before + 1);
    CHECK(server.transport.last_head ==
          std::string{"\x82\x7e\x01\x2c"});                       // binary, 16-bit length 300
    CHECK(server.transport.last_body.data() == payload.data());   // not copied
    CHECK(server.transport.last_body.size() == payload.size());
}

namespace {

// One handler for many sockets: the tag says whose message it is.
struct TaggedEcho final : WebSocketObserver {
    std::vector<std::pair<std::uint64_t, std::string>> messages;
    std::vector<std::pair<std::uint64_t, std::uint16_t>> closes;
    void on_message(WebSocket& socket, const Message& message) override {
        messages.emplace_back(socket.tag(), message.payload);
        socket.send(message);
    }
    void on_close(WebSocket& socket, const CloseInfo& info) override {
        closes.emplace_back(socket.tag(), info.code);
    }
};

}   // namespace

TEST_CASE("one WebSocketObserver serves many sockets, told apart by their tags", "[ws][session]") {
    EventLoop loop{"poll"};
    FakeTransport first_transport;
    FakeTransport second_transport;
    WebSocket first{loop, Role::Server, first_transport};
    WebSocket second{loop, Role::Server, second_transport};
    first_transport.socket = &first;
    second_transport.socket = &second;
    TaggedEcho handler;
    first.set_tag(7);
    second.set_tag(9);
    first.set_observer(handler);
    second.set_observer(handler);

    second.receive(client_text("to nine"));
    first.receive(client_text("to seven"));
    CHECK(handler.messages ==
          std::vector<std::pair<std::uint64_t, std::string>>{{9, "to nine"}, {7, "to seven"}});
    CHECK(first_transport.written == std::string{"\x81\x08to seven"});
    CHECK(second_transport.written == std::string{"\x81\x07to nine"});

    first.receive(client_close(CloseCode::GoingAway));
    CHECK(handler.closes == std::vector<std::pair<std::uint64_t, std::uint16_t>>{{7, 1001}});
    CHECK(second.state() == WebSocket::State::Open);
}

TEST_CASE("set_observer() replaces the on_...() functions", "[ws][session]") {
    ServerSide server;   // has on_message and on_close functions
    TaggedEcho handler;
    server.socket.set_observer(handler);
    server.socket.receive(client_text("hi"));
    CHECK(server.messages.empty());   // the function no longer hears anything
    CHECK(handler.messages.size() == 1);
}

TEST_CASE("a fragmented send obeys the same backlog limit as a whole one", "[ws][session]") {
    WebSocketOptions options;
    options.max_buffered_amount = 1000;
    options.slow_consumer = SlowConsumerPolicy::Drop;
    ServerSide server{options};
    server.transport.holding = true;
    const Message big{MessageKind::Binary, std::string(1200, 'f')};
    CHECK_FALSE(server.socket.send_fragmented(big, 4));   // 1,200 bytes > the 1,000 allowed
    CHECK(server.transport.written.empty());
    const Message fits{MessageKind::Binary, std::string(800, 'f')};
    CHECK(server.socket.send_fragmented(fits, 4));   // 4 frames of 200 bytes: 4-byte headers
    CHECK(server.transport.written.size() == 4 * 4 + 800);
}
