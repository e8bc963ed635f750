// tests/unit/ws/frame_parser_test.cpp — bytes in, events out; every rule of RFC 6455 §5.
#include "looplab/ws/frame_parser.hpp"

#include "looplab/ws/frame_encoder.hpp"
#include "ws_test_support.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <string>
#include <vector>

using namespace looplab::ws;
using namespace looplab::ws::test;

namespace {

const MaskingKey kRfcKey{0x37, 0xfa, 0x21, 0x3d};

// The RFC 6455 §5.7 examples, as (role of the receiver, wire bytes, what comes out).
struct Example {
    const char* name;
    Role receiver;
    std::string wire;
    std::vector<Event> events;
};

std::vector<Example> rfc_examples() {
    return {
        {"single-frame unmasked text", Role::Client, hex("81 05 48656c6c6f"), {text("Hello")}},
        {"single-frame masked text",
         Role::Server,
         hex("81 85 37fa213d 7f9f4d5158"),
         {text("Hello")}},
        {"fragmented unmasked text", Role::Client, hex("01 03 48656c 80 02 6c6f"), {text("Hello")}},
        {"unmasked ping", Role::Client, hex("89 05 48656c6c6f"), {Ping{"Hello"}}},
        {"masked pong", Role::Server, hex("8a 85 37fa213d 7f9f4d5158"), {Pong{"Hello"}}},
        {"256-byte binary",
         Role::Client,
         hex("82 7E 0100") + std::string(256, 'b'),
         {binary(std::string(256, 'b'))}},
        {"64 KiB binary",
         Role::Client,
         hex("82 7F 0000000000010000") + std::string(65536, 'B'),
         {binary(std::string(65536, 'B'))}},
    };
}

// A client-to-server stream with every kind of frame: a fragmented text message with a ping
// and a pong between its fragments, a binary message, an empty text message and a close.
std::string mixed_client_stream() {
    std::string wire;
    append_frame(wire, Opcode::Text, "Hel", kRfcKey, false);
    append_frame(wire, Opcode::Ping, "are you there?", kRfcKey);
    append_frame(wire, Opcode::Continuation, "lo, ", MaskingKey{1, 2, 3, 4}, false);
    append_frame(wire, Opcode::Pong, "", kRfcKey);
    append_frame(wire, Opcode::Continuation, "world", MaskingKey{9, 8, 7, 6});
    append_frame(wire, Opcode::Binary, std::string(300, '\x7f'), kRfcKey);
    append_frame(wire, Opcode::Text, "", kRfcKey);
    append_close(wire, CloseCode::Normal, "done", kRfcKey);
    return wire;
}

std::vector<Event> mixed_client_events() {
    return {
        Ping{"are you there?"},           Pong{""}, text("Hello, world"),
        binary(std::string(300, '\x7f')), text(""), Close{CloseCode::Normal, "done"},
    };
}

}   // namespace

// ---- The RFC examples, whole and cut anywhere ----------------------------------------------

TEST_CASE("the RFC 6455 §5.7 examples parse to their messages", "[ws][parser]") {
    for (const Example& example : rfc_examples()) {
        CAPTURE(example.name);
        const Parsed parsed = parse_all(example.receiver, example.wire);
        CHECK_FALSE(parsed.error);
        CHECK(parsed.events == example.events);
    }
}

TEST_CASE("an RFC example split at any byte parses to the same events", "[ws][parser]") {
    for (const Example& example : rfc_examples()) {
        if (example.wire.size() > 300) continue;   // the 64 KiB one is cut below, more sparsely
        for (std::size_t cut = 0; cut <= example.wire.size(); ++cut) {
            CAPTURE(example.name, cut);
            const Parsed parsed = parse_in_pieces(example.receiver, example.wire, {cut});
            CHECK_FALSE(parsed.error);
            CHECK(parsed.events == example.events);
        }
    }
}

TEST_CASE("a 64 KiB frame cut around its header and at every 997th byte parses the same",
          "[ws][parser]") {
    const Example example = rfc_examples().back();
    std::vector<std::size_t> cuts;
    for (std::size_t cut = 1; cut < 12; ++cut) cuts.push_back(cut);
    for (std::size_t cut = 12; cut < example.wire.size(); cut += 997) cuts.push_back(cut);
    const Parsed parsed = parse_in_pieces(example.receiver, example.wire, cuts);
    CHECK_FALSE(parsed.error);
    CHECK(parsed.events == example.events);
}

TEST_CASE("a stream of many frames gives the same events cut at any two bytes", "[ws][parser]") {
    const std::string wire = mixed_client_stream();
    const std::vector<Event> expected = mixed_client_events();
    REQUIRE(parse_all(Role::Server, wire).events == expected);
    REQUIRE(parse_byte_by_byte(Role::Server, wire).events == expected);

    for (std::size_t first = 0; first <= wire.size(); first += 3) {
        for (std::size_t second = first; second <= wire.size(); second += 5) {
            const Parsed parsed = parse_in_pieces(Role::Server, wire, {first, second});
            if (parsed.error || parsed.events != expected) {
                CAPTURE(first, second);
                FAIL_CHECK("events differ");
            }
        }
    }
}

// ---- Control frames between fragments ------------------------------------------------------

TEST_CASE("control frames between fragments are delivered at once, before the message",
          "[ws][parser]") {
    FrameParser parser{Role::Client};
    std::vector<Event> events;
    REQUIRE_FALSE(parser.feed(hex("01 03 48656c"), events));   // "Hel", FIN=0
    CHECK(events.empty());
    CHECK(parser.is_inside_message());

    REQUIRE_FALSE(parser.feed(hex("89 02 6869"), events));   // ping "hi"
    REQUIRE(events.size() == 1);
    CHECK(events[0] == Event{Ping{"hi"}});

    REQUIRE_FALSE(parser.feed(hex("80 02 6c6f"), events));   // "lo", FIN=1
    REQUIRE(events.size() == 2);
    CHECK(events[1] == text("Hello"));
    CHECK_FALSE(parser.is_inside_message());
}

TEST_CASE("a binary message may be cut into many fragments, empty ones included", "[ws][parser]") {
    std::string wire;
    std::string expected;
    append_frame(wire, Opcode::Binary, "", std::nullopt, false);
    for (int i = 0; i < 1000; ++i) {
        const std::string piece(i % 7, static_cast<char>(i));
        append_frame(wire, Opcode::Continuation, piece, std::nullopt, false);
        expected += piece;
    }
    append_frame(wire, Opcode::Continuation, "end");
    const Parsed parsed = parse_all(Role::Client, wire);
    CHECK_FALSE(parsed.error);
    REQUIRE(parsed.events.size() == 1);
    CHECK(parsed.events[0] == binary(expected + "end"));
}

// ---- Each violation: its error, its close code, at any cut ---------------------------------

namespace {

struct Violation {
    const char* name;
    Role receiver;
    std::string wire;
    FrameError error;
    CloseCode code;
};

std::vector<Violation> violations() {
    const auto masked = [](Opcode opcode, std::string_view payload, bool fin = true) {
        return encode_frame(opcode, payload, kRfcKey, fin);
    };
    Frame rsv;
    rsv.rsv2 = true;
    rsv.masked = true;
    rsv.payload = "x";
    Frame fragmented_ping;
    fragmented_ping.fin = false;
    fragmented_ping.opcode = Opcode::Ping;
    fragmented_ping.masked = true;
    Frame long_pong;
    long_pong.opcode = Opcode::Pong;
    long_pong.masked = true;
    long_pong.payload = std::string(126, 'p');
    Frame long_close = long_pong;
    long_close.opcode = Opcode::Close;
    long_close.payload = std::string(2, '\x03') + std::string(124, 'r');

    constexpr auto kProtocol = CloseCode::ProtocolError;
    constexpr auto kInvalid = CloseCode::InvalidPayload;
    return {
        {"RSV2 set", Role::Server, encode_frame(rsv), FrameError::ReservedBitsSet, kProtocol},
        {"reserved data opcode 3", Role::Server, hex("83 80 00000000"), FrameError::UnknownOpcode,
         kProtocol},
        {"reserved control opcode 0xB", Role::Client, hex("8b 00"), FrameError::UnknownOpcode,
         kProtocol},
        {"ping with FIN=0", Role::Server, encode_frame(fragmented_ping),
         FrameError::FragmentedControlFrame, kProtocol},
        {"pong of 126 bytes", Role::Server, encode_frame(long_pong),
         FrameError::ControlPayloadTooLong, kProtocol},
        {"close of 126 bytes", Role::Server, encode_frame(long_close),
         FrameError::ControlPayloadTooLong, kProtocol},
        {"unmasked frame to a server", Role::Server, hex("81 05 48656c6c6f"),
         FrameError::UnmaskedClientFrame, kProtocol},
        {"masked frame to a client", Role::Client, masked(Opcode::Text, "Hello"),
         FrameError::MaskedServerFrame, kProtocol},
        {"64-bit length with the top bit set", Role::Client, hex("82 7f 8000000000000000"),
         FrameError::LengthHighBitSet, kProtocol},
        {"continuation with no message open", Role::Server, masked(Opcode::Continuation, "lo"),
         FrameError::UnexpectedContinuation, kProtocol},
        {"new text message inside a fragmented one", Role::Server,
         masked(Opcode::Text, "Hel", false) + masked(Opcode::Text, "lo"),
         FrameError::InterleavedMessage, kProtocol},
        {"new binary message inside a fragmented one", Role::Server,
         masked(Opcode::Binary, "a", false) + masked(Opcode::Binary, "b", false),
         FrameError::InterleavedMessage, kProtocol},
        {"close with a 1-byte payload", Role::Server, masked(Opcode::Close, "\x03"),
         FrameError::CloseFrameTooShort, kProtocol},
        {"close code 1005 (local only)", Role::Server, masked(Opcode::Close, hex("03ed")),
         FrameError::InvalidCloseCode, kProtocol},
        {"close code 999", Role::Server, masked(Opcode::Close, hex("03e7")),
         FrameError::InvalidCloseCode, kProtocol},
        {"close code 2000 (unassigned)", Role::Server, masked(Opcode::Close, hex("07d0")),
         FrameError::InvalidCloseCode, kProtocol},
        {"close reason not UTF-8", Role::Server, masked(Opcode::Close, hex("03e8 ff")),
         FrameError::InvalidCloseReason, kInvalid},
        {"text not UTF-8", Role::Server, masked(Opcode::Text, hex("48 c0 af")),
         FrameError::InvalidUtf8, kInvalid},
        {"text encoding a surrogate", Role::Server, masked(Opcode::Text, hex("ed a0 80")),
         FrameError::InvalidUtf8, kInvalid},
        {"text ending in mid-character", Role::Server, masked(Opcode::Text, hex("48 e2 82")),
         FrameError::InvalidUtf8, kInvalid},
        {"message over the limit", Role::Server, masked(Opcode::Binary, std::string(1025, 'x')),
         FrameError::MessageTooBig, CloseCode::MessageTooBig},
    };
}

}   // namespace

TEST_CASE("each rule a peer can break gives its FrameError and close code, at any cut",
          "[ws][parser]") {
    for (const Violation& violation : violations()) {
        for (std::size_t cut = 0; cut <= violation.wire.size(); ++cut) {
            CAPTURE(violation.name, cut);
            const Parsed parsed = parse_in_pieces(violation.receiver, violation.wire, {cut}, 1024);
            REQUIRE(parsed.error);
            CHECK(*parsed.error == violation.error);
            CHECK(close_code_for(*parsed.error) == violation.code);
            CHECK(parsed.events.empty());
        }
    }
}

TEST_CASE("after an error the parser stays failed and reads nothing more", "[ws][parser]") {
    FrameParser parser{Role::Server};
    std::vector<Event> events;
    REQUIRE(parser.feed(hex("81 05 48656c6c6f"), events) == FrameError::UnmaskedClientFrame);
    CHECK(parser.has_failed());

    const std::string good = encode_frame(Opcode::Text, "Hello", kRfcKey);
    CHECK(parser.feed(good, events) == FrameError::UnmaskedClientFrame);
    CHECK(parser.error() == FrameError::UnmaskedClientFrame);
    CHECK(events.empty());
}

TEST_CASE("events before an error in the same input are still handed out", "[ws][parser]") {
    const std::string wire =
        encode_frame(Opcode::Text, "first", kRfcKey) + hex("81 05 48656c6c6f");   // then unmasked
    const Parsed parsed = parse_all(Role::Server, wire);
    REQUIRE(parsed.error == FrameError::UnmaskedClientFrame);
    REQUIRE(parsed.events.size() == 1);
    CHECK(parsed.events[0] == text("first"));
}

TEST_CASE("the header of the offending frame is still there after an error", "[ws][parser]") {
    FrameParser parser{Role::Server};
    std::vector<Event> events;
    CHECK_FALSE(parser.current_header());
    REQUIRE(parser.feed(hex("c1 85"), events) == FrameError::ReservedBitsSet);   // FIN|RSV1|text
    const auto header = parser.current_header();
    REQUIRE(header);
    CHECK(fmt::format("{}", *header) == "FIN=1 opcode=text mask=1 len=5 rsv=100");
}

// ---- UTF-8 across fragments ----------------------------------------------------------------

TEST_CASE("a character split across fragments is valid UTF-8", "[ws][parser]") {
    // "€" is E2 82 AC; the first fragment ends after E2, the next starts with 82 AC.
    std::string wire;
    append_frame(wire, Opcode::Text, "price: \xE2", kRfcKey, false);
    append_frame(wire, Opcode::Continuation, hex("82 AC 35"), kRfcKey);   // ...82 AC, then "5"
    for (std::size_t cut = 0; cut <= wire.size(); ++cut) {
        CAPTURE(cut);
        const Parsed parsed = parse_in_pieces(Role::Server, wire, {cut});
        CHECK_FALSE(parsed.error);
        CHECK(parsed.events == std::vector<Event>{text("price: \xE2\x82\xAC" + hex("35"))});
    }
}

TEST_CASE("invalid UTF-8 fails at the first bad fragment, before the message ends",
          "[ws][parser]") {
    FrameParser parser{Role::Server};
    std::vector<Event> events;
    // The first fragment ends with E2 (a good start); the second continues with 'A' (bad).
    REQUIRE_FALSE(parser.feed(encode_frame(Opcode::Text, "ok \xE2", kRfcKey, false), events));
    CHECK(parser.feed(encode_frame(Opcode::Continuation, "A", kRfcKey, false), events) ==
          FrameError::InvalidUtf8);
    CHECK(events.empty());
}

TEST_CASE("invalid UTF-8 fails at the bad byte, before the rest of the frame arrives",
          "[ws][parser]") {
    std::string payload = "ok \xFF";
    payload += std::string(1000, 'a');
    const std::string wire = encode_frame(Opcode::Text, payload, kRfcKey);
    FrameParser parser{Role::Server};
    std::vector<Event> events;
    const std::size_t header = frame_header_size(payload.size(), true);
    CHECK(parser.feed(std::string_view{wire}.substr(0, header + 4), events) ==
          FrameError::InvalidUtf8);
}

TEST_CASE("binary messages are not checked as UTF-8", "[ws][parser]") {
    const Parsed parsed = parse_all(Role::Client, hex("82 03 ff c0 ed"));
    CHECK_FALSE(parsed.error);
    CHECK(parsed.events == std::vector<Event>{binary(hex("ff c0 ed"))});
}

// ---- Close frames --------------------------------------------------------------------------

TEST_CASE("close frames give their code and reason, or no code when empty", "[ws][parser]") {
    CHECK(parse_all(Role::Client, hex("88 00")).events == std::vector<Event>{Close{}});
    CHECK(parse_all(Role::Client, hex("88 02 03e8")).events ==
          std::vector<Event>{Close{CloseCode::Normal, ""}});
    CHECK(parse_all(Role::Client, hex("88 05 0fa0 627965")).events ==
          std::vector<Event>{Close{CloseCode{4000}, "bye"}});
    CHECK(parse_all(Role::Client, hex("88 04 03e9 c3a9")).events ==   // reason "é" in UTF-8
          std::vector<Event>{Close{CloseCode::GoingAway, "\xC3\xA9"}});
}

TEST_CASE("bytes after a close frame are ignored", "[ws][parser]") {
    FrameParser parser{Role::Client};
    std::vector<Event> events;
    REQUIRE_FALSE(parser.feed(hex("88 02 03e8  81 05 48656c6c6f"), events));   // close, then text
    CHECK(parser.has_received_close());
    REQUIRE_FALSE(parser.feed(hex("ff ff ff"), events));   // even garbage
    CHECK(events == std::vector<Event>{Close{CloseCode::Normal, ""}});
}

// ---- Message size, checked on the declared length ------------------------------------------

TEST_CASE("a too-big frame fails on its header alone, before any payload", "[ws][parser]") {
    std::vector<Event> events;
    SECTION("7-bit length: 2 header bytes are enough") {
        FrameParser parser{Role::Client, 100};
        CHECK(parser.feed(hex("82 65"), events) == FrameError::MessageTooBig);   // 101 bytes
    }
    SECTION("16-bit length: fails before the masking key arrives") {
        FrameParser parser{Role::Server, 1000};
        CHECK(parser.feed(hex("82 fe 03e9"), events) == FrameError::MessageTooBig);   // 1001
    }
    SECTION("64-bit length of 1 TiB: nothing is allocated") {
        FrameParser parser{Role::Client};
        CHECK(parser.feed(hex("82 7f 0000010000000000"), events) == FrameError::MessageTooBig);
    }
    CHECK(events.empty());
}

TEST_CASE("the size limit counts every fragment of a message", "[ws][parser]") {
    std::string wire;
    append_frame(wire, Opcode::Binary, std::string(60, 'a'), std::nullopt, false);
    append_frame(wire, Opcode::Continuation, std::string(40, 'b'), std::nullopt, false);
    SECTION("exactly the limit is allowed") {
        append_frame(wire, Opcode::Continuation, "");
        const Parsed parsed = parse_all(Role::Client, wire, 100);
        CHECK_FALSE(parsed.error);
        CHECK(parsed.events.size() == 1);
    }
    SECTION("one byte more fails on the next fragment's header") {
        const std::string header = encode_frame(Opcode::Continuation, "c").substr(0, 2);
        CHECK(parse_all(Role::Client, wire + header, 100).error == FrameError::MessageTooBig);
    }
    SECTION("a new message starts counting from zero") {
        append_frame(wire, Opcode::Continuation, "");
        append_frame(wire, Opcode::Binary, std::string(100, 'c'));
        CHECK(parse_all(Role::Client, wire, 100).events.size() == 2);
    }
}

TEST_CASE("control frames do not count towards the message size", "[ws][parser]") {
    std::string wire;
    append_frame(wire, Opcode::Text, std::string(10, 'a'), std::nullopt, false);
    append_frame(wire, Opcode::Ping, std::string(125, 'p'));
    append_frame(wire, Opcode::Continuation, "");
    const Parsed parsed = parse_all(Role::Client, wire, 10);
    CHECK_FALSE(parsed.error);
    CHECK(parsed.events.size() == 2);
}

TEST_CASE("a longer length form than needed is accepted", "[ws][parser]") {
    // "Hi" with a 16-bit and with a 64-bit length; senders use the shortest, receivers take any
    CHECK(parse_all(Role::Client, hex("81 7e 0002 4869")).events == std::vector<Event>{text("Hi")});
    CHECK(parse_all(Role::Client, hex("81 7f 0000000000000002 4869")).events ==
          std::vector<Event>{text("Hi")});
}

// ---- Round trips ---------------------------------------------------------------------------

TEST_CASE("encoded frames parse back at every length boundary, in both directions",
          "[ws][parser][encoder]") {
    const std::size_t size = GENERATE(as<std::size_t>{}, 0, 1, 125, 126, 127, 65535, 65536, 70000);
    const Opcode opcode = GENERATE(Opcode::Text, Opcode::Binary);
    CAPTURE(size, to_string(opcode));
    std::string payload(size, 'x');
    for (std::size_t i = 0; i < size; i += 7) payload[i] = 'y';
    const Event expected = opcode == Opcode::Text ? text(payload) : binary(payload);

    const std::string to_server = encode_frame(opcode, payload, kRfcKey);
    const std::string to_client = encode_frame(opcode, payload);
    CHECK(to_server.size() == frame_header_size(size, true) + size);
    CHECK(to_client.size() == frame_header_size(size, false) + size);
    CHECK(parse_all(Role::Server, to_server).events == std::vector<Event>{expected});
    CHECK(parse_all(Role::Client, to_client).events == std::vector<Event>{expected});
}

// ---- The frame inspector -------------------------------------------------------------------

TEST_CASE("the frame sink sees each frame's header, raw header bytes and payload", "[ws][parser]") {
    struct Inspector final : EventCollector {
        explicit Inspector(std::vector<Event>& into) : EventCollector(into) {}
        std::vector<std::string> lines;
        void on_frame(const FrameInfo& frame) override {
            // Masking is its own inverse: re-masking the payload shows the bytes on the wire.
            std::vector<std::uint8_t> wire_payload(frame.payload.begin(), frame.payload.end());
            if (frame.header.masked) apply_mask(wire_payload, frame.header.masking_key);
            lines.push_back(fmt::format(
                "{} | key {:02x} | header {:02x} | payload '{}' | wire {:02x}", frame.header,
                fmt::join(frame.header.masking_key, ""), fmt::join(frame.header_bytes, " "),
                frame.payload, fmt::join(wire_payload, "")));
        }
    };
    FrameParser parser{Role::Server};
    std::vector<Event> events;
    Inspector inspector{events};
    std::string wire;
    append_frame(wire, Opcode::Text, "Hel", kRfcKey, false);
    append_frame(wire, Opcode::Ping, "", MaskingKey{0, 0, 0, 1});
    append_frame(wire, Opcode::Continuation, "lo", kRfcKey);
    REQUIRE_FALSE(parser.feed(wire, inspector));
    const std::vector<std::string>& lines = inspector.lines;

    CHECK(lines == std::vector<std::string>{
                       "FIN=0 opcode=text mask=1 len=3 | key 37fa213d | header 01 83 37 fa 21 3d"
                       " | payload 'Hel' | wire 7f9f4d",
                       "FIN=1 opcode=ping mask=1 len=0 | key 00000001 | header 89 80 00 00 00 01"
                       " | payload '' | wire ",
                       "FIN=1 opcode=continuation mask=1 len=2 | key 37fa213d | header 80 82 37 fa"
                       " 21 3d | payload 'lo' | wire 5b95",
                   });
    CHECK(events == std::vector<Event>{Ping{""}, text("Hello")});
}

// ---- Memory --------------------------------------------------------------------------------

TEST_CASE("the parser holds memory only while a message or control frame is partly in",
          "[ws][parser][memory]") {
    // std::string keeps short payloads inline, so the test uses payloads past that size.
    const std::string long_text(200, 'a');
    FrameParser parser{Role::Server};
    std::vector<Event> events;
    CHECK(parser.held_memory() == 0);

    REQUIRE_FALSE(parser.feed(encode_frame(Opcode::Text, long_text, kRfcKey), events));
    CHECK(parser.held_memory() == 0);   // whole message delivered: nothing kept

    const std::string wire = encode_frame(Opcode::Binary, long_text, kRfcKey);
    REQUIRE_FALSE(parser.feed(std::string_view{wire}.substr(0, 100), events));
    CHECK(parser.held_memory() >= long_text.size());   // half a message waits inside
    REQUIRE_FALSE(parser.feed(std::string_view{wire}.substr(100), events));
    CHECK(parser.held_memory() == 0);

    std::string fragmented;
    append_frame(fragmented, Opcode::Text, long_text, kRfcKey, false);
    REQUIRE_FALSE(parser.feed(fragmented, events));
    CHECK(parser.held_memory() >= long_text.size());   // an open fragmented message
    REQUIRE_FALSE(parser.feed(encode_frame(Opcode::Continuation, "!", kRfcKey), events));
    CHECK(parser.held_memory() == 0);

    const std::string ping = encode_ping(std::string(100, 'p'), kRfcKey);
    REQUIRE_FALSE(parser.feed(std::string_view{ping}.substr(0, 50), events));
    CHECK(parser.held_memory() > 0);   // a control payload partly in
    REQUIRE_FALSE(parser.feed(std::string_view{ping}.substr(50), events));
    CHECK(parser.held_memory() == 0);

    // A close (or a broken rule) in the middle of a fragmented message: the message will never
    // end, so its memory goes at once, not when the connection is destroyed.
    std::string closing;
    append_frame(closing, Opcode::Binary, long_text, kRfcKey, false);
    append_close(closing, CloseCode::Normal, "", kRfcKey);
    FrameParser closed_parser{Role::Server};
    std::vector<Event> closed_events;
    REQUIRE_FALSE(closed_parser.feed(closing, closed_events));
    CHECK(closed_parser.has_received_close());
    CHECK(closed_parser.held_memory() == 0);
    FrameParser failed_parser{Role::Server};
    std::string breaking;
    append_frame(breaking, Opcode::Binary, long_text, kRfcKey, false);
    append_frame(breaking, Opcode::Text, "interleaved", kRfcKey);
    CHECK(failed_parser.feed(breaking, closed_events) == FrameError::InterleavedMessage);
    CHECK(failed_parser.held_memory() == 0);

    REQUIRE(events.size() == 4);
    CHECK(events[0] == Event{text(long_text)});
    CHECK(events[1] == Event{binary(long_text)});
    CHECK(events[2] == Event{text(long_text + "!")});
    CHECK(events[3] == Event{Ping{std::string(100, 'p')}});
}

TEST_CASE("many messages in one feed reach the sink in order, each whole", "[ws][parser]") {
    std::string wire;
    for (int i = 0; i < 50; ++i)
        append_frame(wire, Opcode::Binary, std::string(static_cast<std::size_t>(i * 7), 'x'),
                     kRfcKey);
    FrameParser parser{Role::Server};
    std::vector<Event> events;
    REQUIRE_FALSE(parser.feed(wire, events));
    REQUIRE(events.size() == 50);
    for (std::size_t i = 0; i < 50; ++i)
        CHECK(std::get<Message>(events[i]).payload == std::string(i * 7, 'x'));
}
