// tests/unit/engineio/packet_test.cpp — Engine.IO v4 packets and polling payloads: the
// examples of PROTOCOLS.md §1.4 byte for byte, every way a peer's input is refused, round trips.
#include "looplab/engineio/packet.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

using namespace looplab::engineio;
using namespace std::string_literals;

namespace {

Packet text(PacketType type, std::string data = {}) { return Packet{type, std::move(data), false}; }
Packet bytes(std::string data) { return Packet{PacketType::Message, std::move(data), true}; }

// The error message of a decode that must fail ("" if it unexpectedly succeeded).
std::string text_rejection(std::string_view frame) {
    const auto decoded = decode_text_packet(frame);
    return decoded ? std::string{} : decoded.error().message();
}
std::string payload_rejection(std::string_view body,
                              std::size_t max_packets = kEioMaxPacketsPerPayload) {
    const auto decoded = decode_payload(body, max_packets);
    return decoded ? std::string{} : decoded.error().message();
}

std::vector<Packet> decoded_payload(std::string_view body) {
    auto decoded = decode_payload(body);
    REQUIRE(decoded);
    return *decoded;
}

std::string payload_of(const std::vector<Packet>& packets) {
    std::string out;
    for (const Packet& packet : packets) append_to_payload(out, packet);
    return out;
}

}   // namespace

TEST_CASE("engineio packet types are the digits 0 to 6 with the spec's names",
          "[engineio-packet]") {
    CHECK(packet_type_from_digit('0') == PacketType::Open);
    CHECK(packet_type_from_digit('4') == PacketType::Message);
    CHECK(packet_type_from_digit('6') == PacketType::Noop);
    CHECK_FALSE(packet_type_from_digit('7'));
    CHECK_FALSE(packet_type_from_digit('/'));
    CHECK_FALSE(packet_type_from_digit('b'));
    CHECK(to_string(PacketType::Open) == "open");
    CHECK(to_string(PacketType::Close) == "close");
    CHECK(to_string(PacketType::Ping) == "ping");
    CHECK(to_string(PacketType::Pong) == "pong");
    CHECK(to_string(PacketType::Message) == "message");
    CHECK(to_string(PacketType::Upgrade) == "upgrade");
    CHECK(to_string(PacketType::Noop) == "noop");
}

TEST_CASE("engineio text packets decode as in PROTOCOLS.md §1.4", "[engineio-packet]") {
    CHECK(decode_text_packet("4hello").value() == text(PacketType::Message, "hello"));
    CHECK(decode_text_packet("2").value() == text(PacketType::Ping));
    CHECK(decode_text_packet("3probe").value() == text(PacketType::Pong, "probe"));
    CHECK(decode_text_packet("2probe").value() == text(PacketType::Ping, "probe"));
    CHECK(decode_text_packet("5").value() == text(PacketType::Upgrade));
    CHECK(decode_text_packet("1").value() == text(PacketType::Close));
    CHECK(decode_text_packet("6").value() == text(PacketType::Noop));
    const std::string open =
        R"(0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,)"
        R"("pingTimeout":20000,"maxPayload":1000000})";
    CHECK(decode_text_packet(open).value() == text(PacketType::Open, open.substr(1)));
    // Data is kept as it is: a separator-free UTF-8 string of any content.
    CHECK(decode_text_packet("4").value() == text(PacketType::Message, ""));
    CHECK(decode_text_packet("4héllo 4 2").value() == text(PacketType::Message, "héllo 4 2"));
    CHECK(decode_text_packet("442[\"chat\",\"hi\"]").value() ==
          text(PacketType::Message, "42[\"chat\",\"hi\"]"));
}

TEST_CASE("engineio text packets encode as '<digit><data>'", "[engineio-packet]") {
    CHECK(encode_text_packet(PacketType::Message, "hello") == "4hello");
    CHECK(encode_text_packet(PacketType::Ping, "") == "2");
    CHECK(encode_text_packet(PacketType::Pong, "probe") == "3probe");
    CHECK(encode_text_packet(PacketType::Noop, "") == "6");

    std::string out = "already here|";   // appends, never clears
    encode_text_packet_to(out, PacketType::Message, "x");
    encode_text_packet_to(out, PacketType::Close, "");
    CHECK(out == "already here|4x1");
}

TEST_CASE("engineio view_text_packet points into the frame, no copy", "[engineio-packet]") {
    const std::string frame = "4some text";
    std::string scratch;
    const auto view = view_text_packet(frame, scratch);
    REQUIRE(view);
    CHECK(view->type == PacketType::Message);
    CHECK_FALSE(view->is_binary);
    CHECK(view->data == "some text");
    CHECK(view->data.data() == frame.data() + 1);
    CHECK(scratch.empty());
}

TEST_CASE("engineio binary frames are message packets as they are", "[engineio-packet]") {
    const std::string raw = "\x01\x02\x03\x04\x00\xff"s;
    CHECK(binary_packet(raw) == bytes(raw));
    CHECK(binary_packet("") == bytes(""));
}

TEST_CASE("engineio a 'b' + base64 text frame is a binary message", "[engineio-packet]") {
    CHECK(decode_text_packet("bAQIDBA==").value() == bytes("\x01\x02\x03\x04"));
    CHECK(decode_text_packet("b").value() == bytes(""));
    std::string scratch;
    const auto view = view_text_packet("bAQIDBA==", scratch);
    REQUIRE(view);
    CHECK(view->is_binary);
    CHECK(view->data == "\x01\x02\x03\x04");
    CHECK(view->data.data() == scratch.data());
}

TEST_CASE("engineio refuses bad text frames with a clear error", "[engineio-packet]") {
    CHECK(text_rejection("") == "engineio: empty packet");
    CHECK(text_rejection("7") == "engineio: unknown packet type '7'");
    CHECK(text_rejection("xhello") == "engineio: unknown packet type 'x'");
    CHECK(text_rejection("\x1f") == "engineio: unknown packet type 0x1f");
    CHECK(text_rejection("\xc3\xa9") == "engineio: unknown packet type 0xc3");
    CHECK(text_rejection("bAQID=") ==
          "engineio: invalid base64 in binary packet: base64: length 5 is not a multiple of 4");
}

TEST_CASE("engineio payloads decode as in PROTOCOLS.md §1.4", "[engineio-packet]") {
    CHECK(decoded_payload("4hello\x1e"
                          "2\x1e"
                          "4world") == std::vector<Packet>{text(PacketType::Message, "hello"),
                                                           text(PacketType::Ping),
                                                           text(PacketType::Message, "world")});
    CHECK(decoded_payload("bAQIDBA==") == std::vector<Packet>{bytes("\x01\x02\x03\x04")});
    CHECK(decoded_payload("1") == std::vector<Packet>{text(PacketType::Close)});
    CHECK(decoded_payload("3") == std::vector<Packet>{text(PacketType::Pong)});
}

TEST_CASE("engineio payloads encode as in PROTOCOLS.md §1.4", "[engineio-packet]") {
    CHECK(payload_of({text(PacketType::Message, "hello"), text(PacketType::Ping),
                      text(PacketType::Message, "world")}) ==
          "4hello\x1e"
          "2\x1e"
          "4world");
    CHECK(payload_of({bytes("\x01\x02\x03\x04")}) == "bAQIDBA==");
    CHECK(payload_of({text(PacketType::Noop)}) == "6");

    std::string out;   // the separator goes only between packets
    append_to_payload(out, PacketView{PacketType::Message, "a", false});
    CHECK(out == "4a");
    append_to_payload(out, PacketView{PacketType::Message, "\xff", true});
    CHECK(out ==
          "4a\x1e"
          "b/w==");
}

TEST_CASE("engineio payloads mix text and binary packets and round-trip", "[engineio-packet]") {
    const std::vector<Packet> packets{
        text(PacketType::Message, R"(451-["baz",{"_placeholder":true,"num":0}])"),
        bytes("\x01\x02\x03\x04"),
        text(PacketType::Message, "2[\"x\"]"),
        bytes(""),
        bytes("\x00\x1e\xff"s),   // a separator inside binary data is safe: base64 hides it
        text(PacketType::Pong),
        text(PacketType::Message, ""),
    };
    const std::string body = payload_of(packets);
    CHECK(body ==
          "4451-[\"baz\",{\"_placeholder\":true,\"num\":0}]\x1e"
          "bAQIDBA==\x1e"
          "42[\"x\"]\x1e"
          "b\x1e"
          "bAB7/\x1e"
          "3\x1e"
          "4");
    CHECK(decoded_payload(body) == packets);
}

TEST_CASE("engineio refuses bad payloads, naming the packet", "[engineio-packet]") {
    CHECK(payload_rejection("") == "engineio: empty payload");
    CHECK(payload_rejection("abc") == "engineio: unknown packet type 'a' in packet 1");
    CHECK(payload_rejection("4a\x1e"
                            "4b\x1e"
                            "x") == "engineio: unknown packet type 'x' in packet 3");
    CHECK(payload_rejection("4a\x1e\x1e"
                            "4b") == "engineio: packet 2 is empty");
    CHECK(payload_rejection("\x1e"
                            "4b") == "engineio: packet 1 is empty");
    CHECK(payload_rejection("4a\x1e") == "engineio: packet 2 is empty");   // trailing separator
    CHECK(payload_rejection("4a\x1e"
                            "bAQID=") ==
          "engineio: invalid base64 in binary packet 2: base64: length 5 is not a multiple of 4");
    CHECK(payload_rejection("4a\x1e"
                            "bAQ-D") ==
          "engineio: invalid base64 in binary packet 2: base64: character 0x2d at offset 2 is "
          "not in the alphabet");   // the URL-safe alphabet is not base64
    CHECK(payload_rejection("4a\x1e"
                            "b AQI") ==
          "engineio: invalid base64 in binary packet 2: base64: character 0x20 at offset 0 is "
          "not in the alphabet");
}

TEST_CASE("engineio payloads hold at most max_packets packets", "[engineio-packet]") {
    CHECK(payload_rejection("2\x1e"
                            "2\x1e"
                            "2",
                            2) == "engineio: more than 2 packets in one payload");
    CHECK(payload_rejection("2\x1e"
                            "2",
                            2)
              .empty());

    std::string at_limit;
    for (std::size_t i = 0; i < kEioMaxPacketsPerPayload; ++i)
        append_to_payload(at_limit, text(PacketType::Message, "x"));
    const auto decoded = decode_payload(at_limit);
    REQUIRE(decoded);
    CHECK(decoded->size() == kEioMaxPacketsPerPayload);
    append_to_payload(at_limit, text(PacketType::Message, "x"));
    CHECK(payload_rejection(at_limit) ==
          fmt::format("engineio: more than {} packets in one payload", kEioMaxPacketsPerPayload));
}

TEST_CASE("engineio PayloadReader hands out views and stops at the first bad packet",
          "[engineio-packet]") {
    const std::string body =
        "4hello\x1e"
        "bAQIDBA==\x1e"
        "2\x1e"
        "9oops\x1e"
        "4never";
    PayloadReader reader{body};

    auto first = reader.next();
    REQUIRE(first);
    REQUIRE(*first);
    CHECK(**first == PacketView{PacketType::Message, "hello", false});
    CHECK((*first)->data.data() == body.data() + 1);   // text points into the body

    auto second = reader.next();
    REQUIRE(second);
    REQUIRE(*second);
    CHECK(**second == PacketView{PacketType::Message, "\x01\x02\x03\x04", true});

    auto third = reader.next();
    REQUIRE(third);
    REQUIRE(*third);
    CHECK(**third == PacketView{PacketType::Ping, "", false});
    CHECK(reader.packets_read() == 3);

    auto fourth = reader.next();
    REQUIRE_FALSE(fourth);
    CHECK(fourth.error().message() == "engineio: unknown packet type '9' in packet 4");
    auto after = reader.next();   // a bad payload stays bad
    REQUIRE_FALSE(after);
    CHECK(after.error().message() == fourth.error().message());
    CHECK(reader.packets_read() == 3);
}

TEST_CASE("engineio PayloadReader ends with nullopt, and keeps saying so", "[engineio-packet]") {
    PayloadReader reader{"4only"};
    auto packet = reader.next();
    REQUIRE(packet);
    CHECK(*packet);
    for (int i = 0; i < 2; ++i) {
        auto end = reader.next();
        REQUIRE(end);
        CHECK_FALSE(*end);
    }
}

TEST_CASE("engineio every byte string survives a binary packet in a payload", "[engineio-packet]") {
    std::string all_bytes;
    for (int b = 0; b < 256; ++b) all_bytes += static_cast<char>(b);
    for (std::size_t length : {0u, 1u, 2u, 3u, 4u, 255u, 256u}) {
        const Packet packet = bytes(all_bytes.substr(0, length));
        std::string body;
        append_to_payload(body, packet);
        append_to_payload(body, packet);
        CHECK(decoded_payload(body) == std::vector<Packet>{packet, packet});
    }
}
