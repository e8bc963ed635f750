// tests/unit/codec/msgpack_test.cpp — the msgpack codec: known byte vectors for every form
// (from the spec's table), every integer width at both edges of each boundary, floats,
// str/bin/array/map at their length boundaries, strict refusals (0xc1, ext, truncation at
// every byte, trailing bytes, limits), round trips, and json::Value conversion.
#include "looplab/codec/msgpack.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace msgpack = looplab::codec::msgpack;
namespace json = looplab::codec::json;
using msgpack::DecodeStatus;
using msgpack::Type;
using msgpack::Value;

namespace {

// "cc c8" -> the two bytes 0xcc 0xc8 (spaces ignored).
std::string hex(std::string_view text) {
    std::string out;
    int high = -1;
    for (char c : text) {
        if (c == ' ') continue;
        const int nibble = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
        if (high < 0) high = nibble;
        else {
            out += static_cast<char>(high << 4 | nibble);
            high = -1;
        }
    }
    return out;
}

std::string to_hex(std::string_view bytes) {
    std::string out;
    for (unsigned char c : bytes) out += fmt::format("{}{:02x}", out.empty() ? "" : " ", c);
    return out;
}

Value decoded(std::string_view bytes) {
    auto value = msgpack::decode(bytes);
    INFO(to_hex(bytes));
    REQUIRE(value);
    return std::move(value).value();
}

// Encodes `value`, checks the bytes, and checks that they decode back to `value`.
void check_form(const Value& value, std::string_view expected_hex) {
    const std::string wire = msgpack::encode(value);
    CHECK(to_hex(wire) == to_hex(hex(expected_hex)));
    CHECK(decoded(wire) == value);
}

std::string error_of(std::string_view bytes, const msgpack::DecodeLimits& limits = {}) {
    auto value = msgpack::decode(bytes, limits);
    return value ? "" : value.error().message();
}

}   // namespace

TEST_CASE("nil, booleans and fixints have one-byte forms", "[msgpack]") {
    check_form(Value{}, "c0");
    check_form(Value{false}, "c2");
    check_form(Value{true}, "c3");
    check_form(Value{0}, "00");
    check_form(Value{127}, "7f");
    check_form(Value{-1}, "ff");
    check_form(Value{-32}, "e0");
}

TEST_CASE("unsigned integers take the shortest width at every boundary", "[msgpack]") {
    check_form(Value{128}, "cc 80");
    check_form(Value{255}, "cc ff");
    check_form(Value{256}, "cd 01 00");
    check_form(Value{65535}, "cd ff ff");
    check_form(Value{65536}, "ce 00 01 00 00");
    check_form(Value{4294967295LL}, "ce ff ff ff ff");
    check_form(Value{4294967296LL}, "cf 00 00 00 01 00 00 00 00");
    check_form(Value{std::numeric_limits<std::int64_t>::max()}, "cf 7f ff ff ff ff ff ff ff");
    // Above 2^63 - 1 only a UInt can hold it.
    const Value above{std::uint64_t{1} << 63};
    CHECK(above.type() == Type::UInt);
    check_form(above, "cf 80 00 00 00 00 00 00 00");
    check_form(Value{std::numeric_limits<std::uint64_t>::max()}, "cf ff ff ff ff ff ff ff ff");
}

TEST_CASE("negative integers take the shortest width at every boundary", "[msgpack]") {
    check_form(Value{-33}, "d0 df");
    check_form(Value{-128}, "d0 80");
    check_form(Value{-129}, "d1 ff 7f");
    check_form(Value{-32768}, "d1 80 00");
    check_form(Value{-32769}, "d2 ff ff 7f ff");
    check_form(Value{std::numeric_limits<std::int32_t>::min()}, "d2 80 00 00 00");
    check_form(Value{std::int64_t{std::numeric_limits<std::int32_t>::min()} - 1},
               "d3 ff ff ff ff 7f ff ff ff");
    check_form(Value{std::numeric_limits<std::int64_t>::min()}, "d3 80 00 00 00 00 00 00 00");
}

TEST_CASE("longer integer forms decode to the same Int", "[msgpack]") {
    // "decoders accept longer ones": cc 05 is 5, and so is every other width.
    for (std::string_view form :
         {"05", "cc 05", "cd 00 05", "ce 00 00 00 05", "cf 00 00 00 00 00 00 00 05", "d0 05",
          "d1 00 05", "d2 00 00 00 05", "d3 00 00 00 00 00 00 00 05"}) {
        INFO(form);
        CHECK(decoded(hex(form)) == Value{5});
        CHECK(decoded(hex(form)).type() == Type::Int);
    }
    CHECK(decoded(hex("d0 ff")) == Value{-1});
    CHECK(decoded(hex("d3 ff ff ff ff ff ff ff fe")) == Value{-2});
    // A uint64 that fits int64 is an Int: equal numbers are equal values.
    CHECK(decoded(hex("cf 7f ff ff ff ff ff ff ff")).type() == Type::Int);
}

TEST_CASE("floats keep their width", "[msgpack]") {
    check_form(Value{1.5f}, "ca 3f c0 00 00");
    check_form(Value{1.5}, "cb 3f f8 00 00 00 00 00 00");
    check_form(Value{-0.0}, "cb 80 00 00 00 00 00 00 00");
    check_form(Value{std::numeric_limits<double>::infinity()}, "cb 7f f0 00 00 00 00 00 00");
    check_form(Value{0.1}, "cb 3f b9 99 99 99 99 99 9a");
    const Value nan = decoded(hex("cb 7f f8 00 00 00 00 00 00"));
    REQUIRE(nan.type() == Type::Float64);
    CHECK(std::isnan(nan.as_float64()));
    CHECK(msgpack::encode(nan) == hex("cb 7f f8 00 00 00 00 00 00"));
    CHECK(Value{1.0f} != Value{1.0});   // the width is part of the value
}

TEST_CASE("strings use fixstr, str 8, str 16, str 32 by length", "[msgpack]") {
    check_form(Value{""}, "a0");
    check_form(Value{"hello"}, "a5 68 65 6c 6c 6f");
    const auto sized = [](std::size_t n) { return Value{std::string(n, 'x')}; };
    CHECK(msgpack::encode(sized(31)).substr(0, 1) == hex("bf"));
    CHECK(msgpack::encode(sized(32)).substr(0, 2) == hex("d9 20"));
    CHECK(msgpack::encode(sized(255)).substr(0, 2) == hex("d9 ff"));
    CHECK(msgpack::encode(sized(256)).substr(0, 3) == hex("da 01 00"));
    CHECK(msgpack::encode(sized(65535)).substr(0, 3) == hex("da ff ff"));
    CHECK(msgpack::encode(sized(65536)).substr(0, 5) == hex("db 00 01 00 00"));
    for (std::size_t n : {31, 32, 255, 256, 65535, 65536}) {
        CHECK(decoded(msgpack::encode(sized(n))) == sized(n));
        CHECK(msgpack::encode(sized(n)).size() == n + (n < 32      ? 1
                                                       : n < 256   ? 2
                                                       : n < 65536 ? 3
                                                                   : 5));
    }
    // Bytes are kept as they are, not checked as UTF-8.
    CHECK(decoded(hex("a2 ed a0")).as_string() == hex("ed a0"));
    CHECK(decoded(hex("d9 01 41")).as_string() == "A");   // a longer form than needed is fine
}

TEST_CASE("bin uses bin 8, 16, 32 and stays apart from str", "[msgpack]") {
    check_form(Value::binary(""), "c4 00");
    check_form(Value::binary(hex("00 ff")), "c4 02 00 ff");
    const auto sized = [](std::size_t n) { return Value::binary(std::string(n, '\0')); };
    CHECK(msgpack::encode(sized(255)).substr(0, 2) == hex("c4 ff"));
    CHECK(msgpack::encode(sized(256)).substr(0, 3) == hex("c5 01 00"));
    CHECK(msgpack::encode(sized(65536)).substr(0, 5) == hex("c6 00 01 00 00"));
    for (std::size_t n : {255, 256, 65535, 65536})
        CHECK(decoded(msgpack::encode(sized(n))) == sized(n));
    CHECK(Value::binary("a") != Value{"a"});
}

TEST_CASE("arrays and maps use the fix form up to 15, then 16 and 32", "[msgpack]") {
    check_form(Value::array(), "90");
    check_form(Value::array({1, 2, 3}), "93 01 02 03");
    check_form(Value::map(), "80");
    check_form(Value::map({{"a", 1}, {2, Value{}}}), "82 a1 61 01 02 c0");
    const auto array_of = [](std::size_t n) { return Value{msgpack::Array(n, Value{7})}; };
    const auto map_of = [](std::size_t n) {
        msgpack::Map pairs;
        for (std::size_t i = 0; i < n; ++i) pairs.emplace_back(i, nullptr);   // built in place
        return Value{std::move(pairs)};
    };
    CHECK(msgpack::encode(array_of(15)).substr(0, 1) == hex("9f"));
    CHECK(msgpack::encode(array_of(16)).substr(0, 3) == hex("dc 00 10"));
    CHECK(msgpack::encode(array_of(65535)).substr(0, 3) == hex("dc ff ff"));
    CHECK(msgpack::encode(array_of(65536)).substr(0, 5) == hex("dd 00 01 00 00"));
    CHECK(msgpack::encode(map_of(15)).substr(0, 1) == hex("8f"));
    CHECK(msgpack::encode(map_of(16)).substr(0, 3) == hex("de 00 10"));
    CHECK(msgpack::encode(map_of(65536)).substr(0, 5) == hex("df 00 01 00 00"));
    for (std::size_t n : {15, 16, 65536}) {
        CHECK(decoded(msgpack::encode(array_of(n))) == array_of(n));
        CHECK(decoded(msgpack::encode(map_of(n))) == map_of(n));
    }
    // Keys may be any value, and order is kept.
    const Value odd_keys = Value::map({{Value::array({1}), "x"}, {Value{true}, "y"}, {"k", "z"}});
    CHECK(decoded(msgpack::encode(odd_keys)) == odd_keys);
    REQUIRE(odd_keys.find("k"));
    CHECK(odd_keys.find("k")->as_string() == "z");
    CHECK(odd_keys.find("nope") == nullptr);
}

TEST_CASE("a Socket.IO adapter message encodes as socket.io's Redis adapter would", "[msgpack]") {
    // [uid, packet, {rooms, except, flags}] as notepack.io writes it.
    const Value message = Value::array({
        "Xy12",
        Value::map({{"type", 2}, {"data", Value::array({"chat", "hi"})}, {"nsp", "/"}}),
        Value::map({{"rooms", Value::array({"lobby"})},
                    {"except", Value::array()},
                    {"flags", Value::map()}}),
    });
    check_form(
        message,
        "93 a4 58 79 31 32"
        " 83 a4 74 79 70 65 02 a4 64 61 74 61 92 a4 63 68 61 74 a2 68 69 a3 6e 73 70 a1 2f"
        " 83 a5 72 6f 6f 6d 73 91 a5 6c 6f 62 62 79 a6 65 78 63 65 70 74 90 a5 66 6c 61 67 73 80");
}

TEST_CASE("0xc1, ext and trailing bytes are refused with a clear error", "[msgpack]") {
    CHECK(error_of(hex("c1")) == "msgpack: byte 0xc1, which msgpack never uses (at byte 0)");
    CHECK(error_of(hex("92 01 c1")) == "msgpack: byte 0xc1, which msgpack never uses (at byte 2)");
    // fixext 1..16, ext 8/16/32, and the timestamp (ext -1) of the spec: 1700000000 s.
    CHECK(error_of(hex("d4 05 00")) == "msgpack: ext type 5 is not supported (at byte 0)");
    CHECK(error_of(hex("d5 01 00 00")) == "msgpack: ext type 1 is not supported (at byte 0)");
    CHECK(error_of(hex("d6 ff 65 53 f1 00")) ==
          "msgpack: ext type -1 is not supported (at byte 0)");
    CHECK(error_of(hex("91 d7 02 00 00 00 00 00 00 00 00")) ==
          "msgpack: ext type 2 is not supported (at byte 1)");
    CHECK(error_of(hex("d8 03") + std::string(16, '\0')) ==
          "msgpack: ext type 3 is not supported (at byte 0)");
    CHECK(error_of(hex("c7 01 04 00")) == "msgpack: ext type 4 is not supported (at byte 0)");
    CHECK(error_of(hex("c8 00 01 06 00")) == "msgpack: ext type 6 is not supported (at byte 0)");
    CHECK(error_of(hex("c9 00 00 00 01 07 00")) ==
          "msgpack: ext type 7 is not supported (at byte 0)");
    CHECK(error_of(hex("01 02")) == "msgpack: bytes after the value (at byte 1)");
    CHECK(error_of("") == "msgpack: truncated: the bytes end inside a value (at byte 0)");
    const auto prefix = msgpack::decode_prefix(hex("01 02"));
    CHECK(prefix.status == DecodeStatus::Done);
    CHECK(prefix.position == 1);
}

TEST_CASE("a value cut at any byte is 'need more', never an overread", "[msgpack]") {
    const Value sample = Value::array({
        Value{-200},
        Value{70000},
        Value{1.5f},
        Value{2.5},
        Value{std::string(40, 's')},
        Value::binary(std::string(300, 'b')),
        Value::map({{"k", Value::array({Value{}, true})}}),
        Value{std::numeric_limits<std::uint64_t>::max()},
        Value{std::string(70000, 'L')},
    });
    const std::string wire = msgpack::encode(sample);
    for (std::size_t cut = 0; cut < wire.size(); ++cut) {
        // A copy of exactly `cut` bytes, so ASan catches any read past it.
        const std::string piece = wire.substr(0, cut);
        const auto result = msgpack::decode_prefix(piece);
        INFO("cut at " << cut);
        REQUIRE(result.status == DecodeStatus::NeedMore);
        CHECK(result.position == cut);
        CHECK_THAT(error_of(piece), Catch::StartsWith("msgpack: truncated"));
    }
    CHECK(decoded(wire) == sample);
}

TEST_CASE("declared lengths are checked against the limits before anything is read", "[msgpack]") {
    // 4 GiB string in 5 bytes: refused by the limit, nothing allocated.
    CHECK(error_of(hex("db ff ff ff ff")) ==
          "msgpack: a str or bin longer than the limit (max_string_bytes) (at byte 0)");
    CHECK(error_of(hex("c6 ff ff ff ff")) ==
          "msgpack: a str or bin longer than the limit (max_string_bytes) (at byte 0)");
    CHECK(error_of(hex("dd ff ff ff ff")) ==
          "msgpack: an array or map longer than the limit (max_container_length) (at byte 0)");
    CHECK(error_of(hex("df ff ff ff ff")) ==
          "msgpack: an array or map longer than the limit (max_container_length) (at byte 0)");
    // Within the limits but more than the bytes there: truncated, not a huge reservation.
    CHECK_THAT(error_of(hex("dd 00 ff ff ff 01")), Catch::StartsWith("msgpack: truncated"));

    msgpack::DecodeLimits small;
    small.max_string_bytes = 3;
    small.max_container_length = 2;
    CHECK(error_of(hex("a3 61 62 63"), small).empty());
    CHECK_FALSE(error_of(hex("a4 61 62 63 64"), small).empty());
    CHECK(error_of(hex("92 01 02"), small).empty());
    CHECK_FALSE(error_of(hex("93 01 02 03"), small).empty());
    CHECK_FALSE(error_of(hex("83 01 02 03 04 05 06"), small).empty());

    // Values in all, at every level: [[1,2],[3]] is 6 values (two arrays inside one).
    msgpack::DecodeLimits few;
    few.max_values = 6;
    CHECK(error_of(hex("92 92 01 02 91 03"), few).empty());
    CHECK(error_of(hex("92 92 01 02 92 03 04"), few) ==
          "msgpack: more values in all than the limit (max_values) (at byte 6)");
}

TEST_CASE("nesting deeper than kMsgpackMaxDepth is refused", "[msgpack]") {
    const auto nested = [](std::size_t depth) {
        return std::string(depth, '\x91') + std::string(1, '\xc0');
    };
    CHECK(error_of(nested(msgpack::kMsgpackMaxDepth)).empty());
    CHECK(error_of(nested(msgpack::kMsgpackMaxDepth + 1)) ==
          fmt::format(
              "msgpack: arrays and maps nested deeper than the limit (max_depth) (at byte {})",
              msgpack::kMsgpackMaxDepth));
    // Maps count as levels too.
    CHECK_FALSE(error_of(std::string(msgpack::kMsgpackMaxDepth + 1, '\x81') + "\xc0").empty());
    // And encode(decode(x)) of the deepest accepted value is x again.
    CHECK(msgpack::encode(decoded(nested(msgpack::kMsgpackMaxDepth))) ==
          nested(msgpack::kMsgpackMaxDepth));
}

TEST_CASE("json values convert as a JavaScript encoder would", "[msgpack]") {
    auto parsed = json::parse(R"(["chat",{"n":3,"x":2.5,"whole":4.0,"ok":true,"none":null}])");
    REQUIRE(parsed);
    const Value packed = msgpack::from_json(*parsed);
    CHECK(packed ==
          Value::array(
              {"chat",
               Value::map({{"n", 3}, {"x", 2.5}, {"whole", 4}, {"ok", true}, {"none", Value{}}})}));
    auto back = msgpack::to_json(packed);
    REQUIRE(back);
    CHECK(json::write(*back) == R"(["chat",{"n":3,"x":2.5,"whole":4,"ok":true,"none":null}])");

    // Bytes <-> bin; Float32 and UInt become doubles; integer keys become text.
    CHECK(msgpack::from_json(json::Value::bytes("\x01\x02")) == Value::binary("\x01\x02"));
    auto bytes = msgpack::to_json(Value::binary("ab"));
    REQUIRE(bytes);
    CHECK(bytes->is_bytes());
    auto numbers = msgpack::to_json(Value::map({{1, 0.5f}, {Value{~std::uint64_t{0}}, 1}}));
    REQUIRE(numbers);
    CHECK(json::write(*numbers) == R"({"1":0.5,"18446744073709551615":1})");
    auto bad = msgpack::to_json(Value::map({{Value::array(), 1}}));
    REQUIRE_FALSE(bad);
    CHECK(bad.error().message() == "msgpack: a map key of type array has no JSON form");
    // Minus zero and numbers past 2^53 stay doubles.
    CHECK(msgpack::from_json(json::Value{-0.0}).type() == Type::Float64);
    CHECK(msgpack::from_json(json::Value{1e300}).type() == Type::Float64);
}
