// tests/unit/socketio/packet_test.cpp — Socket.IO v5 packets: the examples of PROTOCOLS.md
// §2.2/§2.3 byte for byte, binary attachments (nested, repeated, none), every decoder rule of
// §2.7 and the Decoder's order rules.
#include "looplab/socketio/packet.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

using namespace looplab::socketio;
namespace json = looplab::codec::json;
using namespace std::string_literals;

namespace {

json::Value js(std::string_view text) {
    auto value = json::parse(text);
    REQUIRE(value);
    return std::move(*value);
}

Packet packet(PacketType type, std::string nsp, std::optional<std::uint64_t> id,
              std::optional<json::Value> data) {
    return Packet{type, std::move(nsp), id, std::move(data)};
}

// One text message through a fresh Decoder; it must complete a packet.
Packet decoded(std::string_view text) {
    Decoder decoder;
    auto result = decoder.feed_text(text);
    if (!result) FAIL_CHECK(result.error().message());
    REQUIRE(result);
    REQUIRE(*result);
    return std::move(**result);
}

// The error a fresh Decoder gives for one text message ("" if it was accepted).
std::string rejection(std::string_view text, std::size_t max_attachments = kSioMaxAttachments) {
    Decoder decoder{max_attachments};
    const auto result = decoder.feed_text(text);
    return result ? std::string{} : result.error().message();
}

struct Example {
    const char* text;   // inside the Engine.IO message (on the wire: "4" + text)
    Packet packet;
};

// PROTOCOLS.md §2.2, every row.
std::vector<Example> text_examples() {
    return {
        {"0", packet(PacketType::Connect, "/", {}, {})},
        {R"(0/admin,{"token":"123"})",
         packet(PacketType::Connect, "/admin", {}, js(R"({"token":"123"})"))},
        {R"(0/admin,{"sid":"oSO0OpakMV_3jnilAAAA"})",
         packet(PacketType::Connect, "/admin", {}, js(R"({"sid":"oSO0OpakMV_3jnilAAAA"})"))},
        {R"(4{"message":"Not authorized"})",
         packet(PacketType::ConnectError, "/", {}, js(R"({"message":"Not authorized"})"))},
        {R"(4/random,{"message":"Invalid namespace"})",
         packet(PacketType::ConnectError, "/random", {}, js(R"({"message":"Invalid namespace"})"))},
        {R"(2["hey","Jude"])", packet(PacketType::Event, "/", {}, js(R"(["hey","Jude"])"))},
        {R"(2/admin,1["tellme"])", packet(PacketType::Event, "/admin", 1, js(R"(["tellme"])"))},
        {R"(3456[1,"2",{"3":[false]}])",
         packet(PacketType::Ack, "/", 456, js(R"([1,"2",{"3":[false]}])"))},
        {"1/admin,", packet(PacketType::Disconnect, "/admin", {}, {})},
        {R"(4{"message":"nope","data":{"reason":"banned"}})",
         packet(PacketType::ConnectError, "/", {},
                js(R"({"message":"nope","data":{"reason":"banned"}})"))},
    };
}

}   // namespace

TEST_CASE("socketio packet types have the protocol's names", "[socketio-packet]") {
    CHECK(to_string(PacketType::Connect) == "CONNECT");
    CHECK(to_string(PacketType::Disconnect) == "DISCONNECT");
    CHECK(to_string(PacketType::Event) == "EVENT");
    CHECK(to_string(PacketType::Ack) == "ACK");
    CHECK(to_string(PacketType::ConnectError) == "CONNECT_ERROR");
    CHECK(to_string(PacketType::BinaryEvent) == "BINARY_EVENT");
    CHECK(to_string(PacketType::BinaryAck) == "BINARY_ACK");
}

TEST_CASE("socketio encodes every example of PROTOCOLS.md §2.2 byte for byte",
          "[socketio-packet]") {
    for (const Example& example : text_examples()) {
        CAPTURE(example.text);
        const EncodedPacket encoded = encode(example.packet);
        CHECK(encoded.text == example.text);
        CHECK(encoded.attachments.empty());
    }
}

TEST_CASE("socketio decodes every example of PROTOCOLS.md §2.2", "[socketio-packet]") {
    for (const Example& example : text_examples()) {
        CAPTURE(example.text);
        CHECK(decoded(example.text) == example.packet);
    }
}

TEST_CASE("socketio encodes Bytes as placeholders and attachments (§2.3)", "[socketio-packet]") {
    const EncodedPacket event =
        encode(packet(PacketType::Event, "/", {},
                      json::Value::array({"baz", json::Value::bytes("\x01\x02\x03\x04")})));
    CHECK(event.text == R"(51-["baz",{"_placeholder":true,"num":0}])");
    CHECK(event.attachments == std::vector<std::string>{"\x01\x02\x03\x04"});

    const EncodedPacket ack = encode(
        packet(PacketType::Ack, "/", 15, json::Value::array({"bar", json::Value::bytes("\xff")})));
    CHECK(ack.text == R"(61-15["bar",{"_placeholder":true,"num":0}])");
    CHECK(ack.attachments == std::vector<std::string>{"\xff"});

    const EncodedPacket on_admin = encode(
        packet(PacketType::Event, "/admin", 7, json::Value::array({"up", json::Value::bytes("")})));
    CHECK(on_admin.text == R"(51-/admin,7["up",{"_placeholder":true,"num":0}])");
    CHECK(on_admin.attachments == std::vector<std::string>{""});
}

TEST_CASE("socketio numbers nested Bytes in document order", "[socketio-packet]") {
    json::Value data = json::Value::array(
        {"upload",
         json::Value::object(
             {{"name", "a.bin"},
              {"parts", json::Value::array({json::Value::bytes("P0"), json::Value::bytes("P1")})},
              {"meta", json::Value::object({{"thumb", json::Value::bytes("T")}})}}),
         json::Value::bytes("\x00tail"s), 3});
    const Packet original = packet(PacketType::Event, "/files", 9, data);
    const EncodedPacket encoded = encode(original);
    CHECK(encoded.text ==
          R"(54-/files,9["upload",{"name":"a.bin","parts":[{"_placeholder":true,"num":0},)"
          R"({"_placeholder":true,"num":1}],"meta":{"thumb":{"_placeholder":true,"num":2}}},)"
          R"({"_placeholder":true,"num":3},3])");
    CHECK(encoded.attachments == std::vector<std::string>{"P0", "P1", "T", "\x00tail"s});

    Decoder decoder;
    auto header = decoder.feed_text(encoded.text);
    REQUIRE(header);
    CHECK_FALSE(*header);
    CHECK(decoder.is_awaiting_attachments());
    CHECK(decoder.attachments_missing() == 4);
    for (std::size_t i = 0; i + 1 < encoded.attachments.size(); ++i) {
        auto partial = decoder.feed_binary(encoded.attachments[i]);
        REQUIRE(partial);
        CHECK_FALSE(*partial);
    }
    CHECK(decoder.attachments_missing() == 1);
    auto done = decoder.feed_binary(encoded.attachments.back());
    REQUIRE(done);
    REQUIRE(*done);
    CHECK(**done == original);   // Event again, Bytes back in place
    CHECK_FALSE(decoder.is_awaiting_attachments());
}

TEST_CASE("socketio decodes the binary examples of §2.3 into Event and Ack", "[socketio-packet]") {
    Decoder decoder;
    auto header = decoder.feed_text(R"(51-["baz",{"_placeholder":true,"num":0}])");
    REQUIRE(header);
    CHECK_FALSE(*header);
    auto event = decoder.feed_binary("\x01\x02\x03\x04");
    REQUIRE(event);
    REQUIRE(*event);
    CHECK(**event == packet(PacketType::Event, "/", {},
                            json::Value::array({"baz", json::Value::bytes("\x01\x02\x03\x04")})));

    auto ack_header = decoder.feed_text(R"(61-15["bar",{"_placeholder":true,"num":0}])");
    REQUIRE(ack_header);
    CHECK_FALSE(*ack_header);
    auto ack = decoder.feed_binary("\xff");
    REQUIRE(ack);
    REQUIRE(*ack);
    CHECK(**ack == packet(PacketType::Ack, "/", 15,
                          json::Value::array({"bar", json::Value::bytes("\xff")})));
}

TEST_CASE("socketio a placeholder named twice gets the attachment twice", "[socketio-packet]") {
    Decoder decoder;
    REQUIRE(decoder.feed_text(R"(52-["two",{"_placeholder":true,"num":1},)"
                              R"({"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])"));
    REQUIRE(decoder.feed_binary("zero"));
    auto done = decoder.feed_binary("one");
    REQUIRE(done);
    REQUIRE(*done);
    CHECK((*done)->data ==
          json::Value::array({"two", json::Value::bytes("one"), json::Value::bytes("zero"),
                              json::Value::bytes("one")}));
}

TEST_CASE("socketio a binary packet announcing no attachment completes at once",
          "[socketio-packet]") {
    CHECK(decoded(R"(50-["plain",1])") == packet(PacketType::Event, "/", {}, js(R"(["plain",1])")));
    CHECK(decoded("60-3[]") == packet(PacketType::Ack, "/", 3, json::Value::array()));
    // And the encoder writes a BinaryEvent given without Bytes as one.
    CHECK(encode(packet(PacketType::BinaryEvent, "/", {}, js(R"(["plain",1])"))).text ==
          R"(50-["plain",1])");
}

TEST_CASE("socketio objects that only look like placeholders are data", "[socketio-packet]") {
    // "_placeholder" must be true (the boolean) for the reference to replace it...
    Decoder decoder;
    REQUIRE(decoder.feed_text(
        R"(51-["x",{"_placeholder":"true","num":0},{"_placeholder":true,"num":0}])"));
    auto done = decoder.feed_binary("B");
    REQUIRE(done);
    REQUIRE(*done);
    CHECK((*done)->data == json::Value::array({"x", js(R"({"_placeholder":"true","num":0})"),
                                               json::Value::bytes("B")}));
    // ...and in a packet that is not binary nothing is replaced at all.
    CHECK(decoded(R"(2["x",{"_placeholder":true,"num":0}])") ==
          packet(PacketType::Event, "/", {}, js(R"(["x",{"_placeholder":true,"num":0}])")));
}

TEST_CASE("socketio decoding: namespace, ack id and payload edge cases", "[socketio-packet]") {
    CHECK(decoded("1/admin") == packet(PacketType::Disconnect, "/admin", {}, {}));   // no comma
    CHECK(decoded("1") == packet(PacketType::Disconnect, "/", {}, {}));
    CHECK(decoded(R"(2/,["x"])") == packet(PacketType::Event, "/", {}, js(R"(["x"])")));
    CHECK(decoded(R"(2[7,"numbers are event names too"])").data ==
          js(R"([7,"numbers are event names too"])"));
    CHECK(decoded(R"(2[1.5])").data == js("[1.5]"));
    CHECK(decoded(R"(2007["x"])").id == 7u);   // leading zeros, as Number("007")
    CHECK(decoded("30[]") == packet(PacketType::Ack, "/", 0, json::Value::array()));
    CHECK(decoded(R"(4"just a string")") ==
          packet(PacketType::ConnectError, "/", {}, json::Value{"just a string"}));
    CHECK(decoded(R"(0{})") == packet(PacketType::Connect, "/", {}, json::Value::object()));
    CHECK(decoded(R"(2 ["spaces", "around"] )").data == js(R"(["spaces","around"])"));
    CHECK(decoded(R"(2["é\u00e9",{"k":null}])").data == js(R"(["éé",{"k":null}])"));
}

TEST_CASE("socketio ack ids go up to 2^53 - 1 (JavaScript's safe integers)", "[socketio-packet]") {
    CHECK(kSioMaxAckId == 9007199254740991u);
    CHECK(decoded("39007199254740991[]").id == kSioMaxAckId);
    CHECK(rejection("39007199254740992[]") == "socketio: ack id too large");
    CHECK(rejection("3123456789012345678901234567890[]") == "socketio: ack id too large");
    CHECK(encode(packet(PacketType::Ack, "/", kSioMaxAckId, json::Value::array())).text ==
          "39007199254740991[]");
}

TEST_CASE("socketio refuses every malformed packet of §2.7 with a clear error",
          "[socketio-packet]") {
    const std::string event_rule =
        "socketio: EVENT payload must be a non-empty array whose first "
        "element is a string or a number";
    // unknown type
    CHECK(rejection("") == "socketio: empty packet");
    CHECK(rejection("7") == "socketio: unknown packet type '7'");
    CHECK(rejection("abc") == "socketio: unknown packet type 'a'");
    CHECK(rejection("\x01") == "socketio: unknown packet type 0x01");
    // EVENT payload
    CHECK(rejection("2{}") == event_rule);
    CHECK(rejection("2[]") == event_rule);
    CHECK(rejection("2") == event_rule);
    CHECK(rejection(R"(2"hi")") == event_rule);
    CHECK(rejection("2[null]") == event_rule);
    CHECK(rejection("2[[\"x\"]]") == event_rule);
    CHECK(rejection("2[{}]") == event_rule);
    CHECK(rejection("2[true]") == event_rule);
    CHECK(rejection("2/admin,") == event_rule);
    // non-numeric ack id: the letters are not JSON
    CHECK(rejection(R"(2abc["x"])").rfind("socketio: invalid JSON payload: json:", 0) == 0);
    // invalid JSON
    CHECK(rejection(R"(2["x")").rfind("socketio: invalid JSON payload: json:", 0) == 0);
    CHECK(rejection(R"(2["x"]])").rfind("socketio: invalid JSON payload: json:", 0) == 0);
    CHECK(rejection(R"(2['x'])").rfind("socketio: invalid JSON payload: json:", 0) == 0);
    // ACK
    CHECK(rejection("31{}") == "socketio: ACK payload must be an array");
    CHECK(rejection("31") == "socketio: ACK payload must be an array");
    CHECK(rejection("3[]") == "socketio: ACK without an id");
    CHECK(rejection("6-[]") == "socketio: invalid attachment count");
    // CONNECT
    CHECK(rejection("0[]") == "socketio: CONNECT payload must be an object");
    CHECK(rejection(R"(0"token")") == "socketio: CONNECT payload must be an object");
    CHECK(rejection("0null") == "socketio: CONNECT payload must be an object");
    CHECK(rejection("0/admin,1") ==
          "");   // an id is allowed (and meaningless), as in the reference
    // DISCONNECT
    CHECK(rejection("1{}") == "socketio: DISCONNECT has no payload");
    CHECK(rejection("1/admin,[]") == "socketio: DISCONNECT has no payload");
    // CONNECT_ERROR
    CHECK(rejection("4") == "socketio: CONNECT_ERROR payload must be a string or an object");
    CHECK(rejection("4[]") == "socketio: CONNECT_ERROR payload must be a string or an object");
    CHECK(rejection("442") == "socketio: CONNECT_ERROR payload must be a string or an object");
    // namespace: without a leading '/' it is not a namespace, so the text is not JSON
    CHECK(rejection(R"(2admin,["x"])").rfind("socketio: invalid JSON payload:", 0) == 0);
}

TEST_CASE("socketio refuses reserved event names from a peer", "[socketio-packet]") {
    for (const char* name : {"connect", "connect_error", "disconnect", "disconnecting",
                             "newListener", "removeListener"}) {
        CAPTURE(name);
        CHECK(is_reserved_event(name));
        CHECK(rejection(fmt::format(R"(2["{}"])", name)) ==
              fmt::format("socketio: reserved event name '{}' in an EVENT", name));
        CHECK(rejection(fmt::format(R"(51-["{}",{{"_placeholder":true,"num":0}}])", name)) ==
              fmt::format("socketio: reserved event name '{}' in an EVENT", name));
    }
    CHECK_FALSE(is_reserved_event("chat"));
    CHECK_FALSE(is_reserved_event("Connect"));
    CHECK_FALSE(is_reserved_event(""));
    CHECK(rejection(R"(2["chat","disconnect"])").empty());   // only the name counts
    CHECK(rejection(R"(31["disconnect"])").empty());         // and only in an EVENT
}

TEST_CASE("socketio refuses bad attachment counts and placeholders", "[socketio-packet]") {
    CHECK(rejection(R"(5["x"])") == "socketio: invalid attachment count");
    CHECK(rejection(R"(5-["x"])") == "socketio: invalid attachment count");
    CHECK(rejection(R"(5-1-["x"])") == "socketio: invalid attachment count");   // negative
    CHECK(rejection(R"(5a-["x"])") == "socketio: invalid attachment count");
    CHECK(rejection(R"(51["x"])") == "socketio: invalid attachment count");
    CHECK(rejection("51") == "socketio: invalid attachment count");
    CHECK(rejection("5") == "socketio: invalid attachment count");
    CHECK(rejection(R"(511-["x"])") == "socketio: too many attachments (11 > 10)");
    CHECK(rejection(R"(599999999999999999999999999-["x"])") ==
          "socketio: too many attachments (99999999999999999999999999 > 10)");
    CHECK(rejection(R"(53-["x"])", 2) == "socketio: too many attachments (3 > 2)");
    CHECK(rejection(R"(510-["x"])").empty());   // exactly the limit waits for 10

    const std::string range =
        "socketio: placeholder num out of range (the packet has 1 attachments)";
    CHECK(rejection(R"(51-["x",{"_placeholder":true,"num":1}])") == range);
    CHECK(rejection(R"(51-["x",{"_placeholder":true,"num":-1}])") == range);
    CHECK(rejection(R"(51-["x",{"_placeholder":true,"num":"0"}])") == range);
    CHECK(rejection(R"(51-["x",{"_placeholder":true,"num":0.5}])") == range);
    CHECK(rejection(R"(51-["x",{"_placeholder":true}])") == range);
    CHECK(rejection(R"(51-["x",[[{"deep":{"_placeholder":true,"num":4}}]]])") == range);
    CHECK(rejection(R"(50-["x",{"_placeholder":true,"num":0}])") ==
          "socketio: placeholder num out of range (the packet has 0 attachments)");
}

TEST_CASE("socketio Decoder refuses messages out of order, then starts clean",
          "[socketio-packet]") {
    Decoder decoder;
    auto stray = decoder.feed_binary("\x01");
    REQUIRE_FALSE(stray);
    CHECK(stray.error().message() == "socketio: binary message while no attachment is expected");

    REQUIRE(decoder.feed_text(
        R"(52-["x",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])"));
    REQUIRE(decoder.feed_binary("a"));
    auto interrupted = decoder.feed_text(R"(2["y"])");
    REQUIRE_FALSE(interrupted);
    CHECK(interrupted.error().message() ==
          "socketio: text packet while 1 attachments are still expected");
    CHECK_FALSE(decoder.is_awaiting_attachments());   // the half-built packet is gone

    auto next = decoder.feed_text(R"(2["y"])");
    REQUIRE(next);
    REQUIRE(*next);
    CHECK((*next)->data == js(R"(["y"])"));

    // A bad header while idle leaves nothing pending either.
    REQUIRE_FALSE(decoder.feed_text("9"));
    CHECK_FALSE(decoder.is_awaiting_attachments());
    REQUIRE(decoder.feed_text(R"(51-["z",{"_placeholder":true,"num":0}])"));
    decoder.reset();
    CHECK_FALSE(decoder.is_awaiting_attachments());
    REQUIRE_FALSE(decoder.feed_binary("late"));
}

TEST_CASE("socketio decode_text keeps a binary packet as sent", "[socketio-packet]") {
    const auto result = decode_text(R"(61-/chat,15["bar",{"_placeholder":true,"num":0}])");
    REQUIRE(result);
    CHECK(result->attachment_count == 1);
    CHECK(result->packet == packet(PacketType::BinaryAck, "/chat", 15,
                                   js(R"(["bar",{"_placeholder":true,"num":0}])")));
}

TEST_CASE("socketio encode_to appends to reused buffers", "[socketio-packet]") {
    std::string text = "keep|";
    std::vector<std::string> attachments{"old"};
    encode_to(
        text, attachments,
        packet(PacketType::Event, "/", {}, json::Value::array({"b", json::Value::bytes("1")})));
    CHECK(text == R"(keep|51-["b",{"_placeholder":true,"num":0}])");
    CHECK(attachments == std::vector<std::string>{"old", "1"});   // numbering starts at 0 anyway

    text.clear();
    attachments.clear();
    encode_to(text, attachments, packet(PacketType::Event, "/", {}, js(R"(["plain"])")));
    CHECK(text == R"(2["plain"])");
    CHECK(attachments.empty());
}

TEST_CASE("socketio encode_event_to writes what encode_to writes for the same event",
          "[socketio-packet]") {
    struct Case {
        std::string nsp;
        std::optional<std::uint64_t> id;
        json::Array data;   // [event, args...]
    };
    const std::vector<Case> cases{
        {"/", std::nullopt, {"echo", "x"}},
        {"/", std::nullopt, {"no-args"}},
        {"/admin", 12, {"chat", json::Value::object({{"text", "h\u00e9\n"}}), 3, nullptr, true}},
        {"/", std::nullopt, {"with \"quotes\"", 1.5, json::Value::array({})}},
        {"/",
         std::nullopt,
         {"upload", json::Value::bytes("P0"), json::Value::array({json::Value::bytes("P1")})}},
        {"/files",
         9,
         {"one", "two", json::Value::object({{"blob", json::Value::bytes("\x00\xff")}})}},
    };
    for (const Case& c : cases) {
        const EncodedPacket expected =
            encode(packet(PacketType::Event, c.nsp, c.id, json::Value{c.data}));
        std::string text = "keep|";
        std::vector<std::string> attachments{"old"};
        encode_event_to(text, attachments, c.nsp, c.id, c.data[0].as_string(),
                        std::span<const json::Value>{c.data}.subspan(1));
        CAPTURE(expected.text);
        CHECK(text == "keep|" + expected.text);
        std::vector<std::string> added(attachments.begin() + 1, attachments.end());
        CHECK(added == expected.attachments);
    }
}

TEST_CASE("socketio packets round-trip through encode and the Decoder", "[socketio-packet]") {
    const std::vector<Packet> packets{
        packet(PacketType::Connect, "/", {}, {}),
        packet(PacketType::Connect, "/a/b", {}, js(R"({"pid":"x","offset":"y"})")),
        packet(PacketType::Disconnect, "/chat", {}, {}),
        packet(PacketType::Event, "/", 42,
               js(R"(["message",{"text":"hi \"you\"\n","n":-3.25e-7}])")),
        packet(PacketType::Ack, "/x", 0, json::Value::array({json::Value::bytes("\x00\x01"s)})),
        packet(PacketType::Ack, "/", 1, json::Value::array()),
        packet(PacketType::ConnectError, "/", {}, js(R"({"message":"m","data":[1,2]})")),
        packet(PacketType::Event, "/", {},
               json::Value::array({"bin", json::Value::object({{"a", json::Value::bytes("A")}}),
                                   json::Value::array({json::Value::bytes(""), nullptr})})),
    };
    Decoder decoder;
    for (const Packet& original : packets) {
        const EncodedPacket encoded = encode(original);
        CAPTURE(encoded.text);
        auto result = decoder.feed_text(encoded.text);
        for (const std::string& attachment : encoded.attachments) {
            REQUIRE(result);
            CHECK_FALSE(*result);
            result = decoder.feed_binary(attachment);
        }
        REQUIRE(result);
        REQUIRE(*result);
        CHECK(**result == original);
    }
}
