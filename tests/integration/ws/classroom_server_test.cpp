// The classroom server over real sockets on 127.0.0.1, once per backend: echo at the sizes
// where the frame header changes shape, every protocol violation with its close code, many
// clients at once, slow readers and slow (slowloris) writers.
#include "looplab/classroom/classroom_server.hpp"

#include "looplab/ws/frame_encoder.hpp"
#include "looplab/ws/web_socket_client.hpp"
#include "support/pollers.hpp"
#include "support/raw_client.hpp"
#include "support/ws_peer.hpp"

#include <catch2/catch.hpp>

#include <sys/resource.h>

using namespace looplab;
using namespace std::chrono_literals;
using looplab::testing::connect_ws;
using looplab::testing::RawClient;
using looplab::testing::test_pollers;
using looplab::testing::upgrade_request;
using looplab::testing::WsPeer;

namespace {

const ws::MaskingKey kKey{0x37, 0xfa, 0x21, 0x3d};
const std::string kAccepted = "HTTP/1.1 101 Switching Protocols\r\n";

struct Fixture {
    loop::EventLoop loop;
    classroom::ClassroomServer server;

    explicit Fixture(const std::string& poller, classroom::ClassroomOptions options = {})
        : loop(poller), server(loop, std::move(options)) {
        REQUIRE(server.listen(net::Address::loopback(0)));
    }
    const net::Address& address() const { return server.local_address(); }
};

// Everything a client saw after the 101 head, parsed as server frames.
struct Seen {
    std::vector<ws::Event> events;
    std::optional<ws::FrameError> error;
};
Seen frames_after_head(const std::string& received) {
    Seen seen;
    const std::size_t head_end = received.find("\r\n\r\n");
    if (head_end == std::string::npos) return seen;
    ws::FrameParser parser{ws::Role::Client};
    seen.error = parser.feed(std::string_view{received}.substr(head_end + 4), seen.events);
    return seen;
}

std::optional<std::uint16_t> close_code_in(const Seen& seen) {
    for (const ws::Event& event : seen.events)
        if (const auto* close = std::get_if<ws::Close>(&event))
            return close->code ? static_cast<std::uint16_t>(*close->code) : 1005;
    return std::nullopt;
}

}   // namespace

TEST_CASE("the echo endpoint returns text and binary messages at every header size",
          "[ws][integration]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    Fixture fixture{poller};
    ws::WebSocketClient client{fixture.loop};
    WsPeer peer;
    connect_ws(client, fixture.address(), "/echo", peer);
    REQUIRE(fixture.loop.run_until([&] { return peer.connection || peer.failed; }, 5s));
    REQUIRE(peer.connection);

    std::vector<ws::Message> sent;
    for (const std::size_t size : {0u, 125u, 126u, 65535u, 65536u, 1u << 20}) {
        std::string payload(size, '\0');
        for (std::size_t i = 0; i < size; ++i) payload[i] = static_cast<char>('a' + i % 26);
        sent.push_back(ws::Message{ws::MessageKind::Text, payload});
        for (char& byte : payload) byte = static_cast<char>(byte ^ 0x80);   // not UTF-8: binary
        sent.push_back(ws::Message{ws::MessageKind::Binary, payload});
    }
    for (const ws::Message& message : sent) REQUIRE(peer.connection->socket().send(message));
    REQUIRE(fixture.loop.run_until([&] { return peer.messages.size() == sent.size(); }, 10s));
    CHECK(peer.messages == sent);

    peer.connection->socket().close(ws::CloseCode::Normal, "done");
    REQUIRE(fixture.loop.run_until([&] { return peer.closed.has_value(); }, 5s));
    CHECK(peer.closed->code == 1000);
    CHECK(peer.closed->was_clean);
}

TEST_CASE("a fragmented message with pings between its fragments is echoed whole",
          "[ws][integration]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    Fixture fixture{poller};
    RawClient raw{fixture.loop, fixture.address()};
    raw.send(upgrade_request("/echo") + ws::encode_frame(ws::Opcode::Text, "Hel", kKey, false) +
             ws::encode_ping("p1", kKey) +
             ws::encode_frame(ws::Opcode::Continuation, "lo, ", kKey, false) +
             ws::encode_ping("p2", kKey) +
             ws::encode_frame(ws::Opcode::Continuation, "world", kKey, true));
    REQUIRE(fixture.loop.run_until(
        [&] { return frames_after_head(raw.received).events.size() >= 3; }, 5s));
    const Seen seen = frames_after_head(raw.received);
    REQUIRE(seen.events.size() == 3);
    CHECK(std::get<ws::Pong>(seen.events[0]).payload == "p1");   // answered at once
    CHECK(std::get<ws::Pong>(seen.events[1]).payload == "p2");
    CHECK(std::get<ws::Message>(seen.events[2]).payload == "Hello, world");
}

TEST_CASE("a frame sent in the same packet as the upgrade request is not lost",
          "[ws][integration]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    Fixture fixture{poller};
    RawClient raw{fixture.loop, fixture.address()};
    raw.send(upgrade_request("/") + ws::encode_frame(ws::Opcode::Text, "Hello!", kKey));
    REQUIRE(fixture.loop.run_until([&] { return !frames_after_head(raw.received).events.empty(); },
                                   5s));
    CHECK(raw.received.rfind(kAccepted, 0) == 0);
    CHECK(raw.received.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") !=
          std::string::npos);
    CHECK(std::get<ws::Message>(frames_after_head(raw.received).events[0]).payload == "Hello!");
}

TEST_CASE("each protocol violation closes that client with its code, and others go on",
          "[ws][integration]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    struct Violation {
        std::string name;
        std::string bytes;
        std::uint16_t code;
    };
    ws::Frame reserved_bit{.fin = true,
                           .rsv1 = true,
                           .rsv2 = false,
                           .rsv3 = false,
                           .opcode = ws::Opcode::Text,
                           .masked = true,
                           .masking_key = kKey,
                           .payload = "x"};
    ws::Frame reserved_opcode{.fin = true,
                              .rsv1 = false,
                              .rsv2 = false,
                              .rsv3 = false,
                              .opcode = ws::Opcode{0x3},
                              .masked = true,
                              .masking_key = kKey,
                              .payload = "x"};
    ws::Frame fragmented_ping{.fin = false,
                              .rsv1 = false,
                              .rsv2 = false,
                              .rsv3 = false,
                              .opcode = ws::Opcode::Ping,
                              .masked = true,
                              .masking_key = kKey,
                              .payload = "x"};
    ws::Frame long_ping{.fin = true,
                        .rsv1 = false,
                        .rsv2 = false,
                        .rsv3 = false,
                        .opcode = ws::Opcode::Ping,
                        .masked = true,
                        .masking_key = kKey,
                        .payload = std::string(126, 'p')};
    ws::Frame bad_close_code{.fin = true,
                             .rsv1 = false,
                             .rsv2 = false,
                             .rsv3 = false,
                             .opcode = ws::Opcode::Close,
                             .masked = true,
                             .masking_key = kKey,
                             .payload = std::string{"\x03\xed", 2}};   // 1005: never on the wire
    const Violation violation = GENERATE_COPY(
        Violation{"unmasked frame", ws::encode_frame(ws::Opcode::Text, "hi"), 1002},
        Violation{"reserved bit", ws::encode_frame(reserved_bit), 1002},
        Violation{"reserved opcode", ws::encode_frame(reserved_opcode), 1002},
        Violation{"fragmented control frame", ws::encode_frame(fragmented_ping), 1002},
        Violation{"control frame over 125 bytes", ws::encode_frame(long_ping), 1002},
        Violation{"continuation without a start",
                  ws::encode_frame(ws::Opcode::Continuation, "x", kKey), 1002},
        Violation{"close code 1005 on the wire", ws::encode_frame(bad_close_code), 1002},
        Violation{"invalid UTF-8", ws::encode_frame(ws::Opcode::Text, "\xce\xba\xe1\xbd", kKey),
                  1007});
    CAPTURE(poller, violation.name);

    Fixture fixture{poller};
    ws::WebSocketClient client{fixture.loop};
    WsPeer bystander;
    connect_ws(client, fixture.address(), "/echo", bystander);
    RawClient offender{fixture.loop, fixture.address()};
    offender.send(upgrade_request("/echo") + violation.bytes);

    REQUIRE(fixture.loop.run_until([&] { return offender.closed && bystander.connection; }, 5s));
    const Seen seen = frames_after_head(offender.received);
    CHECK(close_code_in(seen) == violation.code);

    REQUIRE(bystander.connection->socket().send_text("still here?"));
    REQUIRE(fixture.loop.run_until([&] { return !bystander.messages.empty(); }, 5s));
    CHECK(bystander.messages[0].payload == "still here?");
}

TEST_CASE("a message over the size limit is refused with 1009 before it is buffered",
          "[ws][integration]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    classroom::ClassroomOptions options;
    options.web_socket.max_message_size = 1 << 20;
    Fixture fixture{poller, options};
    RawClient raw{fixture.loop, fixture.address()};
    // Only the header of a 1 MiB + 1 frame: the declared length alone must be enough.
    std::string header =
        ws::encode_frame(ws::Opcode::Binary, std::string((1 << 20) + 1, 'x'), kKey);
    header.resize(ws::frame_header_size((1 << 20) + 1, true));
    raw.send(upgrade_request("/echo") + header);
    REQUIRE(fixture.loop.run_until([&] { return raw.closed; }, 5s));
    CHECK(close_code_in(frames_after_head(raw.received)) == 1009);
}

TEST_CASE("the handshake refuses bad requests with the right HTTP status", "[ws][integration]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    struct Case {
        std::string name;
        std::string request;
        std::string expected_start;
        std::string expected_header;
    };
    const Case c = GENERATE(
        Case{"version 8",
             "GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n",
             "HTTP/1.1 426 ", "Sec-WebSocket-Version: 13"},
        Case{"no key",
             "GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             "Sec-WebSocket-Version: 13\r\n\r\n",
             "HTTP/1.1 400 ", ""},
        Case{"unknown endpoint", upgrade_request("/nowhere"), "HTTP/1.1 404 ", ""},
        Case{"origin not allowed", upgrade_request("/echo", "Origin: http://evil.example\r\n"),
             "HTTP/1.1 403 ", ""});
    CAPTURE(poller, c.name);
    classroom::ClassroomOptions options;
    options.allowed_origins = {"http://localhost:3000", "null"};
    Fixture fixture{poller, options};
    RawClient raw{fixture.loop, fixture.address()};
    raw.send(c.request);
    REQUIRE(fixture.loop.run_until([&] { return raw.closed; }, 5s));
    CHECK(raw.received.rfind(c.expected_start, 0) == 0);
    if (!c.expected_header.empty())
        CHECK(raw.received.find(c.expected_header) != std::string::npos);
}

TEST_CASE("an allowed Origin, including null, gets the upgrade", "[ws][integration]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    const std::string origin = GENERATE(as<std::string>{}, "http://localhost:3000", "null");
    CAPTURE(poller, origin);
    classroom::ClassroomOptions options;
    options.allowed_origins = {"http://localhost:3000", "null"};
    Fixture fixture{poller, options};
    RawClient raw{fixture.loop, fixture.address()};
    raw.send(upgrade_request("/echo", "Origin: " + origin + "\r\n"));
    REQUIRE(fixture.loop.run_until(
        [&] { return raw.received.find("\r\n\r\n") != std::string::npos; }, 5s));
    CHECK(raw.received.rfind(kAccepted, 0) == 0);
}

TEST_CASE("chat broadcasts each message to every client on /chat", "[ws][integration]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    Fixture fixture{poller};
    ws::WebSocketClient client{fixture.loop};
    std::vector<WsPeer> peers(3);
    for (WsPeer& peer : peers) connect_ws(client, fixture.address(), "/chat", peer);
    REQUIRE(fixture.loop.run_until(
        [&] {
            return std::all_of(peers.begin(), peers.end(),
                               [](const WsPeer& p) { return p.connection != nullptr; });
        },
        5s));
    REQUIRE(peers[0].connection->socket().send_text("hello, class"));
    REQUIRE(fixture.loop.run_until(
        [&] {
            return std::all_of(peers.begin(), peers.end(),
                               [](const WsPeer& p) { return !p.messages.empty(); });
        },
        5s));
    for (const WsPeer& peer : peers) CHECK(peer.messages[0].payload == "hello, class");
}

TEST_CASE("the inspector reports each parsed frame as JSON", "[ws][integration]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    Fixture fixture{poller};
    ws::WebSocketClient client{fixture.loop};
    WsPeer inspector;
    connect_ws(client, fixture.address(), "/inspect", inspector);
    REQUIRE(fixture.loop.run_until([&] { return inspector.connection != nullptr; }, 5s));
    RawClient raw{fixture.loop, fixture.address()};
    raw.send(upgrade_request("/echo") + ws::encode_frame(ws::Opcode::Text, "Hello", kKey));
    REQUIRE(fixture.loop.run_until([&] { return !inspector.messages.empty(); }, 5s));
    CHECK(
        inspector.messages[0].payload ==
        R"({"endpoint":"/echo","client":2,"fin":true,"rsv":0,"opcode":1,"opcode_name":"text",)"
        R"("masked":true,"mask_key":"37fa213d","payload_length":5,"header_hex":"81 85 37 fa 21 3d",)"
        R"("payload_hex":"48 65 6c 6c 6f","payload_text":"Hello"})");
}

TEST_CASE("1,000 WebSocket clients at once all get their echo", "[ws][integration][load]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    if (limit.rlim_cur < 4096 && limit.rlim_max >= 4096) {
        limit.rlim_cur = 4096;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
    REQUIRE(limit.rlim_cur >= 2100);   // 1,000 clients + 1,000 server sides + spare
    classroom::ClassroomOptions options;
    options.http.max_connections = 2000;
    Fixture fixture{poller, options};
    ws::WebSocketClient client{fixture.loop};
    std::vector<WsPeer> peers(1000);
    for (WsPeer& peer : peers) connect_ws(client, fixture.address(), "/echo", peer);
    std::size_t sent = 0;
    REQUIRE(fixture.loop.run_until(
        [&] {
            for (std::size_t i = sent; i < peers.size() && peers[i].connection; ++i, ++sent)
                peers[i].connection->socket().send_text(fmt::format("client {}", i));
            return std::all_of(peers.begin(), peers.end(),
                               [](const WsPeer& p) { return p.messages.size() == 1; });
        },
        30s));
    for (std::size_t i = 0; i < peers.size(); ++i)
        REQUIRE(peers[i].messages[0].payload == fmt::format("client {}", i));
    CHECK(fixture.server.client_count() == 1000);
}

TEST_CASE("a client that stops reading is closed by the slow-consumer policy",
          "[ws][integration]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    classroom::ClassroomOptions options;
    options.web_socket.max_buffered_amount = 256 * 1024;
    options.web_socket.close_timeout = 200ms;
    Fixture fixture{poller, options};
    RawClient raw{fixture.loop, fixture.address()};
    raw.send(upgrade_request("/echo"));
    REQUIRE(fixture.loop.run_until(
        [&] { return raw.received.find("\r\n\r\n") != std::string::npos; }, 5s));
    raw.stop_reading();
    // Echoes pile up on the server: socket buffers fill, then its own buffer hits the limit.
    const std::string chunk = ws::encode_frame(ws::Opcode::Binary, std::string(60000, 'x'), kKey);
    std::size_t chunks_sent = 0;
    const bool server_gave_up = fixture.loop.run_until(
        [&] {
            if (chunks_sent < 2000 && fixture.server.client_count() > 0) {
                raw.send(chunk);
                ++chunks_sent;
            }
            return fixture.server.client_count() == 0;
        },
        20s);
    CHECK(server_gave_up);   // and its memory stayed bounded: the connection is gone
}

TEST_CASE("a client that never finishes its request head is cut off (slowloris)",
          "[http][integration]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    classroom::ClassroomOptions options;
    options.http.header_timeout = 100ms;
    Fixture fixture{poller, options};
    RawClient raw{fixture.loop, fixture.address()};
    raw.send("GET / HTTP/1.1\r\nHost: x\r\n");   // ...and nothing more, ever
    const auto started = std::chrono::steady_clock::now();
    REQUIRE(fixture.loop.run_until([&] { return raw.closed; }, 5s));
    CHECK(std::chrono::steady_clock::now() - started >= 100ms);
    CHECK(raw.received.rfind("HTTP/1.1 408 ", 0) == 0);
}

TEST_CASE("the page is served with the right type, HEAD has no body, escapes are refused",
          "[http][integration]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    struct Case {
        std::string request;
        std::string expected_start;
        std::string must_contain;
    };
    const Case c =
        GENERATE(Case{"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "HTTP/1.1 200 ",
                      "Content-Type: text/html"},
                 Case{"HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "HTTP/1.1 200 ",
                      "Content-Length: "},
                 Case{"GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 403 ", ""},
                 Case{"GET /no-such-file HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 404 ", ""},
                 Case{"DELETE / HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 405 ", "Allow: GET, HEAD"},
                 Case{"GET / HTTP/1.1\r\n\r\n", "HTTP/1.1 400 ", ""});
    CAPTURE(poller, c.request);
    classroom::ClassroomOptions options;
    options.web_root = "src/web";
    Fixture fixture{poller, options};
    RawClient raw{fixture.loop, fixture.address()};
    raw.send(c.request);
    REQUIRE(fixture.loop.run_until([&] { return raw.closed; }, 5s));
    CHECK(raw.received.rfind(c.expected_start, 0) == 0);
    if (!c.must_contain.empty()) CHECK(raw.received.find(c.must_contain) != std::string::npos);
    if (c.request.rfind("HEAD", 0) == 0) CHECK(raw.received.find("<html") == std::string::npos);
}
