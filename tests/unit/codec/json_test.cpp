// tests/unit/codec/json_test.cpp — the JSON codec: texts that must parse (and what they read
// as), texts that must be refused (and where), numbers and strings written as JSON.stringify
// writes them, round trips, limits, and the Value API.
// The y_/n_ cases are written here in the spirit of JSONTestSuite's categories.
#include "looplab/codec/json.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace json = looplab::codec::json;
using json::Value;

namespace {

// The compact text a parse gives back (the check that a text reads as we expect), or the
// error message when it does not parse.
std::string reparse(std::string_view text) {
    auto result = json::parse_detailed(text);
    return result.error ? result.error->what : json::write(result.value);
}

// The error of a text that must be refused ("" if it was accepted).
json::ParseError refusal(std::string_view text) {
    auto result = json::parse_detailed(text);
    return result.error ? *result.error : json::ParseError{};
}

Value parsed(std::string_view text) {
    auto result = json::parse(text);
    REQUIRE(result);
    return std::move(result).value();
}

std::string nested_arrays(std::size_t depth) {
    return std::string(depth, '[') + std::string(depth, ']');
}

std::string nested_objects(std::size_t depth) {
    std::string text;
    for (std::size_t i = 0; i < depth; ++i) text += "{\"a\":";
    text += "1";
    text += std::string(depth, '}');
    return text;
}

}   // namespace

// ---- texts that must parse ------------------------------------------------------------------

TEST_CASE("json accepts every kind of value and writes it back compactly", "[json]") {
    struct Case {
        std::string_view text;
        std::string_view written;
    };
    const Case c = GENERATE(values<Case>({
        {"null", "null"},
        {"true", "true"},
        {"false", "false"},
        {"0", "0"},
        {"-1", "-1"},
        {"\"\"", "\"\""},
        {"\"hi\"", "\"hi\""},
        {"[]", "[]"},
        {"{}", "{}"},
        {"[[]]", "[[]]"},
        {"[{}]", "[{}]"},
        {" \t\r\n[ 1 , \"a\" , null ]\n ", "[1,\"a\",null]"},
        {"{ \"a\" : [ true , false ] , \"b\" : { } }", "{\"a\":[true,false],\"b\":{}}"},
        {"[\"echo\",\"hello\"]", "[\"echo\",\"hello\"]"},
        {"{\"z\":1,\"a\":2,\"m\":3}", "{\"z\":1,\"a\":2,\"m\":3}"},   // order kept
        {"[1,-2,3.5,-0.25,1e2,1E2,1e+2,1e-2,0.5e1]", "[1,-2,3.5,-0.25,100,100,100,0.01,5]"},
        {"\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\\"\\\\/\\b\\f\\n\\r\\t\""},
        {"\"\\u0041\\u00e9\\u20AC\"", "\"A\xc3\xa9\xe2\x82\xac\""},
        {"\"\\ud83d\\ude00\"", "\"\xf0\x9f\x98\x80\""},   // U+1F600 from a surrogate pair
        {"\"\\uDBFF\\uDFFF\"", "\"\xf4\x8f\xbf\xbf\""},   // U+10FFFF, the last code point
        {"\"\\u0000\"", "\"\\u0000\""},                   // NUL is a legal character
        {"\"\xe2\x82\xac \xf0\x9f\x98\x80 \xc3\xa9\"",
         "\"\xe2\x82\xac \xf0\x9f\x98\x80 \xc3\xa9\""},
        {"\"\x7f\"", "\"\x7f\""},                                 // DEL is not a control here
        {"\"\\u2028\\u2029\"", "\"\xe2\x80\xa8\xe2\x80\xa9\""},   // passed through, as JS does
    }));
    CAPTURE(c.text);
    CHECK(reparse(c.text) == c.written);
}

TEST_CASE("json reads integers that fit int64 as exact Ints, the rest as Doubles", "[json]") {
    CHECK(parsed("0").as_int() == 0);
    CHECK(parsed("9007199254740993").as_int() == 9007199254740993);   // 2^53 + 1: exact
    CHECK(parsed("9007199254740992").as_int() == 9007199254740992);   // 2^53
    CHECK(parsed("9223372036854775807").as_int() == std::numeric_limits<std::int64_t>::max());
    CHECK(parsed("-9223372036854775808").as_int() == std::numeric_limits<std::int64_t>::min());
    CHECK(parsed("-9223372036854775807").as_int() == -9223372036854775807);

    const Value too_big = parsed("9223372036854775808");   // 2^63
    REQUIRE(too_big.is_double());
    CHECK(too_big.as_double() == 9223372036854775808.0);
    const Value too_small = parsed("-9223372036854775809");
    REQUIRE(too_small.is_double());
    CHECK(too_small.as_double() == -9223372036854775808.0);
    const Value two_to_64 = parsed("18446744073709551616");
    REQUIRE(two_to_64.is_double());
    CHECK(two_to_64.as_double() == 18446744073709551616.0);
    CHECK(parsed("123456789012345678901234567890").is_double());

    CHECK(parsed("1.0").is_double());   // a point or an exponent makes a Double
    CHECK(parsed("1e0").is_double());
    CHECK(parsed("1").is_int());
}

TEST_CASE("json reads minus zero as a Double and writes it as 0, like JSON.stringify", "[json]") {
    const Value minus_zero = parsed("-0");
    REQUIRE(minus_zero.is_double());
    CHECK(std::signbit(minus_zero.as_double()));
    CHECK(json::write(minus_zero) == "0");
    CHECK(std::signbit(parsed("-0.0").as_double()));
    CHECK(std::signbit(parsed("-0e5").as_double()));
}

TEST_CASE("json doubles round-trip through the fewest digits", "[json]") {
    const double number = GENERATE(0.1, 0.2, 1.0 / 3, 1e-7, 5e-324, 2.2250738585072014e-308,
                                   1.7976931348623157e308, -1.5, 123.456, 1e21, 1e300, 3.14159,
                                   4.35, 0.000001, 9007199254740993.0, 1e22, -2.5e-10);
    CAPTURE(number);
    const std::string text = json::write(Value{number});
    const Value back = parsed(text);
    CHECK(back.as_double() == number);
}

TEST_CASE("json writes doubles as JavaScript's JSON.stringify does", "[json]") {
    struct Case {
        double number;
        std::string_view text;
    };
    const Case c = GENERATE(values<Case>({
        {1.5, "1.5"},
        {0.1, "0.1"},
        {1.0, "1"},
        {100.0, "100"},
        {-3.0, "-3"},
        {1e20, "100000000000000000000"},
        {1e21, "1e+21"},
        {1.5e21, "1.5e+21"},
        {123456789012345680000.0, "123456789012345680000"},
        {9223372036854775808.0, "9223372036854776000"},
        {1e-6, "0.000001"},
        {1.5e-6, "0.0000015"},
        {1e-7, "1e-7"},
        {1.25e-7, "1.25e-7"},
        {5e-324, "5e-324"},
        {1.7976931348623157e308, "1.7976931348623157e+308"},
        {-1e-7, "-1e-7"},
        {0.000123, "0.000123"},
        {123.456, "123.456"},
        {-0.0, "0"},
        {std::numeric_limits<double>::quiet_NaN(), "null"},
        {std::numeric_limits<double>::infinity(), "null"},
        {-std::numeric_limits<double>::infinity(), "null"},
    }));
    CAPTURE(c.number);
    CHECK(json::write(Value{c.number}) == c.text);
}

TEST_CASE("json numbers beyond a double: too large is refused, too small reads as 0", "[json]") {
    CHECK(refusal("1e400").what == "json: number too large for a double at byte 0");
    CHECK(refusal("[-1e309]").position == 1);
    CHECK(refusal("1797693134862315800000000000000000000000000000000000000000000000000000000"
                  "0000000000000000000000000000000000000000000000000000000000000000000000000"
                  "0000000000000000000000000000000000000000000000000000000000000000000000000"
                  "0000000000000000000000000000000000000000000000000000000000000000000000000"
                  "000000000000000000")
              .position == 0);
    const Value tiny = parsed("1e-400");
    REQUIRE(tiny.is_double());
    CHECK(tiny.as_double() == 0.0);
    CHECK_FALSE(std::signbit(tiny.as_double()));
    CHECK(std::signbit(parsed("-1e-400").as_double()));
    CHECK(parsed("0.00000000000000000000000000000000000000000000000000000000000000000000000000"
                 "000000000000000000000000000000000000000000000000000000000000000000000000000"
                 "000000000000000000000000000000000000000000000000000000000000000000000000000"
                 "000000000000000000000000000000000000000000000000000000000000000000000000000"
                 "0001")
              .as_double() == 1e-303);   // a long fraction is still read exactly
    CHECK(parsed("0." + std::string(400, '0') + "1").as_double() == 0.0);   // below the smallest
    CHECK(parsed("1e-1000000000000000000000").as_double() == 0.0);          // huge exponents too
    CHECK(refusal("1e1000000000000000000000").position == 0);
    CHECK(parsed("0e1000000000000000000000").as_double() == 0.0);
}

// ---- texts that must be refused -------------------------------------------------------------

TEST_CASE("json refuses what RFC 8259 does not allow, saying where", "[json]") {
    struct Case {
        std::string_view text;
        std::string_view error;
    };
    const Case c = GENERATE(values<Case>({
        {"", "json: unexpected end of input, expected a value at byte 0"},
        {"   ", "json: unexpected end of input, expected a value at byte 3"},
        {"01", "json: leading zero in a number at byte 1"},
        {"-01", "json: leading zero in a number at byte 2"},
        {"1.", "json: expected a digit after '.' at byte 2"},
        {"1.e5", "json: expected a digit after '.' at byte 2"},
        {".5", "json: expected a value, found '.' at byte 0"},
        {"+1", "json: expected a value, found '+' at byte 0"},
        {"- 1", "json: expected a digit after '-' at byte 1"},
        {"-", "json: expected a digit after '-' at byte 1"},
        {"1e", "json: expected a digit in the exponent at byte 2"},
        {"1e+", "json: expected a digit in the exponent at byte 3"},
        {"1E-x", "json: expected a digit in the exponent at byte 3"},
        {"0x10", "json: unexpected data after the JSON text at byte 1"},
        {"NaN", "json: expected a value, found 'N' at byte 0"},
        {"Infinity", "json: expected a value, found 'I' at byte 0"},
        {"-Infinity", "json: expected a digit after '-' at byte 1"},
        {"tru", "json: invalid literal (expected true) at byte 0"},
        {"nul", "json: invalid literal (expected null) at byte 0"},
        {"True", "json: expected a value, found 'T' at byte 0"},
        {"falsey", "json: unexpected data after the JSON text at byte 5"},
        {"[1,2", "json: unexpected end of input, expected ',' or ']' at byte 4"},
        {"[1 2]", "json: expected ',' or ']' at byte 3"},
        {"[1,]", "json: expected a value, found ']' at byte 3"},
        {"[,1]", "json: expected a value, found ',' at byte 1"},
        {"[1,,2]", "json: expected a value, found ',' at byte 3"},
        {"]", "json: expected a value, found ']' at byte 0"},
        {"[1]]", "json: unexpected data after the JSON text at byte 3"},
        {"{", "json: unexpected end of input, expected a string key at byte 1"},
        {"{\"a\":1,}", "json: expected a string key at byte 7"},
        {"{\"a\" 1}", "json: expected ':' after a key at byte 5"},
        {"{\"a\":1 \"b\":2}", "json: expected ',' or '}' at byte 7"},
        {"{'a':1}", "json: expected a string key at byte 1"},
        {"{a:1}", "json: expected a string key at byte 1"},
        {"{1:1}", "json: expected a string key at byte 1"},
        {"{\"a\":}", "json: expected a value, found '}' at byte 5"},
        {"{\"a\":1", "json: unexpected end of input, expected ',' or '}' at byte 6"},
        {"\"abc", "json: unterminated string (opened at byte 0) at byte 4"},
        {"[\"abc]", "json: unterminated string (opened at byte 1) at byte 6"},
        {"\"abc\\", "json: unterminated string (input ends inside an escape) at byte 5"},
        {"'a'", "json: expected a value, found ''' at byte 0"},
        {"\"\\x41\"",
         "json: invalid escape '\\x' in a string (only \\\" \\\\ \\/ \\b \\f \\n \\r "
         "\\t \\uXXXX) at byte 2"},
        {"\"\\U0041\"",
         "json: invalid escape '\\U' in a string (only \\\" \\\\ \\/ \\b \\f \\n "
         "\\r \\t \\uXXXX) at byte 2"},
        {"\"\\u00G1\"", "json: expected 4 hex digits after \\u at byte 5"},
        {"\"\\u12\"", "json: expected 4 hex digits after \\u at byte 5"},
        {"\"\\u12", "json: unexpected end of input in a \\u escape at byte 5"},
        {"\"\\ud800\"",
         "json: lone surrogate \\uD800 (a high surrogate must be followed by a low "
         "one \\uDC00-\\uDFFF) at byte 1"},
        {"\"\\ud800\\u0041\"",
         "json: lone surrogate \\uD800 (a high surrogate must be followed "
         "by a low one \\uDC00-\\uDFFF) at byte 1"},
        {"\"\\ud800\\ud800\"",
         "json: lone surrogate \\uD800 (a high surrogate must be followed "
         "by a low one \\uDC00-\\uDFFF) at byte 1"},
        {"\"a\\udc00\"",
         "json: lone surrogate \\uDC00 (a low surrogate must follow a high one "
         "\\uD800-\\uDBFF) at byte 2"},
        {"\"\t\"",
         "json: raw control character 0x09 in a string (write it as an escape such as "
         "\\n or \\u00XX) at byte 1"},
        {"\"a\nb\"",
         "json: raw control character 0x0A in a string (write it as an escape such "
         "as \\n or \\u00XX) at byte 2"},
        {"\"\xff\"", "json: invalid UTF-8 in a string at byte 1"},
        {"\"ok \xc0\xaf\"", "json: invalid UTF-8 in a string at byte 4"},        // overlong '/'
        {"\"\xed\xa0\x80\"", "json: invalid UTF-8 in a string at byte 2"},       // surrogate U+D800
        {"\"\xf4\x90\x80\x80\"", "json: invalid UTF-8 in a string at byte 2"},   // above U+10FFFF
        {"\"\xe2\x82\"", "json: invalid UTF-8 in a string (a character cut short) at byte 3"},
        {"\"\xe2\x82\\n\"", "json: invalid UTF-8 in a string (a character cut short) at byte 3"},
        {"\xef\xbb\xbf{}", "json: expected a value, found byte 0xEF at byte 0"},   // no BOM
        {"/* c */ 1", "json: expected a value, found '/' at byte 0"},
        {"1 // c", "json: unexpected data after the JSON text at byte 2"},
        {"[1]\x0c", "json: unexpected data after the JSON text at byte 3"},   // form feed
        {"\xc2\xa0"
         "1",
         "json: expected a value, found byte 0xC2 at byte 0"},   // NBSP
        {"1 2", "json: unexpected data after the JSON text at byte 2"},
        {"{}{}", "json: unexpected data after the JSON text at byte 2"},
    }));
    CAPTURE(c.text);
    const json::ParseError error = refusal(c.text);
    CHECK(error.what == c.error);
    const auto result = json::parse(c.text);
    REQUIRE_FALSE(result);
    CHECK(result.error().message() == c.error);
}

TEST_CASE("json refuses a NUL byte inside a string and after the text", "[json]") {
    using namespace std::string_view_literals;
    CHECK(refusal("\"a\0b\""sv).position == 2);
    CHECK(refusal("[1]\0"sv).what == "json: unexpected data after the JSON text at byte 3");
}

TEST_CASE("json refuses every cut of a text short of its end", "[json]") {
    const std::string text =
        R"({"a":[1,-2.5e3,{"b":null}],"c":"\u00e9\ud83d\ude00 x","d":true,"e":false})";
    REQUIRE(json::parse(text));
    for (std::size_t cut = 0; cut < text.size(); ++cut) {
        CAPTURE(cut);
        const json::ParseError error = refusal(std::string_view{text}.substr(0, cut));
        CHECK_FALSE(error.what.empty());
        CHECK(error.position <= cut);
    }
}

// ---- limits ---------------------------------------------------------------------------------

TEST_CASE("json parses nesting up to kJsonMaxDepth and refuses one level more", "[json]") {
    CHECK(json::parse(nested_arrays(json::kJsonMaxDepth)));
    CHECK(json::parse(nested_objects(json::kJsonMaxDepth)));

    const json::ParseError arrays = refusal(nested_arrays(json::kJsonMaxDepth + 1));
    CHECK(arrays.what == "json: nesting deeper than kJsonMaxDepth (128) at byte 128");
    CHECK(arrays.position == json::kJsonMaxDepth);
    const json::ParseError objects = refusal(nested_objects(json::kJsonMaxDepth + 1));
    CHECK(objects.what.find("nesting deeper than kJsonMaxDepth (128)") != std::string::npos);
    // A hostile text far deeper than the limit fails quickly, without using up the stack.
    CHECK(refusal(std::string(1'000'000, '[')).position == json::kJsonMaxDepth);
}

TEST_CASE("json refuses a text larger than kJsonMaxInputBytes before reading it", "[json]") {
    std::string text = "\"" + std::string(json::kJsonMaxInputBytes - 2, 'a') + "\"";
    CHECK(json::parse(text));   // exactly at the limit: fine
    text.insert(1, "a");
    const json::ParseError error = refusal(text);
    CHECK(error.what ==
          "json: input larger than kJsonMaxInputBytes (16777216 bytes) at byte "
          "16777216");
}

// ---- objects --------------------------------------------------------------------------------

TEST_CASE("json duplicate keys read as JSON.parse: first place, last value", "[json]") {
    CHECK(reparse(R"({"a":1,"b":2,"a":3})") == R"({"a":3,"b":2})");
    CHECK(reparse(R"({"a":1,"a":2,"a":3})") == R"({"a":3})");
    CHECK(reparse(R"({"x":1,"a":1,"y":2,"a":[2],"b":0,"b":{}})") ==
          R"({"x":1,"a":[2],"y":2,"b":{}})");
    CHECK(reparse(R"({"a":{"k":1,"k":2},"a":{"k":3}})") == R"({"a":{"k":3}})");
    CHECK(reparse(R"({"\u0061":1,"a":2})") == R"({"a":2})");   // the same key, spelled apart

    // Large objects take the sorting path; the result must be the same.
    std::string text = "{";
    std::string expected = "{";
    for (int i = 0; i < 100; ++i) {
        text += fmt::format("\"k{}\":{},", i, i);
        expected += fmt::format("\"k{}\":{}{}", i, i % 7 == 0 ? i + 1000 : i, i == 99 ? "" : ",");
    }
    for (int i = 0; i < 100; i += 7) text += fmt::format("\"k{}\":{},", i, i + 1000);
    text.back() = '}';
    expected += "}";
    CHECK(reparse(text) == expected);
}

TEST_CASE("json objects keep their keys in order and find the last duplicate", "[json]") {
    Value object = Value::object({{"room", "lobby"}, {"count", 3}});
    CHECK(json::write(object) == R"({"room":"lobby","count":3})");
    CHECK(object["room"].as_string() == "lobby");
    CHECK(object.find("missing") == nullptr);
    REQUIRE(object.find("count") != nullptr);
    CHECK(object.find("count")->as_int() == 3);

    object.set("count", 4);    // replaced in place
    object.set("new", true);   // appended
    CHECK(json::write(object) == R"({"room":"lobby","count":4,"new":true})");
    CHECK(object.size() == 3);

    Value hand_built{json::Object{{"a", 1}, {"a", 2}}};   // only by hand can keys repeat
    CHECK(hand_built["a"].as_int() == 2);
    hand_built.set("a", 3);
    CHECK(json::write(hand_built) == R"({"a":1,"a":3})");

    Value* count = object.find("count");
    REQUIRE(count != nullptr);
    *count = "changed";
    CHECK(object["count"].as_string() == "changed");
    CHECK(Value{42}.find("a") == nullptr);   // not an object: nothing to find
}

// ---- the Value API --------------------------------------------------------------------------

TEST_CASE("json builders, types and accessors", "[json]") {
    Value args = Value::array({"chat", Value::object({{"text", "hi"}, {"n", 3}})});
    CHECK(args.is_array());
    CHECK(args.size() == 2);
    CHECK(args[0].as_string() == "chat");
    CHECK(args[1]["n"].as_int() == 3);
    CHECK(args[1]["n"].as_double() == 3.0);   // as_double() accepts an Int
    args.push_back(nullptr);
    args.push_back(2.5);
    CHECK(json::write(args) == R"(["chat",{"text":"hi","n":3},null,2.5])");
    CHECK(args[std::size_t{3}].as_double() == 2.5);

    CHECK(Value{}.is_null());
    CHECK(Value{nullptr}.type() == json::Type::Null);
    CHECK(Value{true}.type() == json::Type::Bool);
    CHECK(Value{7}.type() == json::Type::Int);
    CHECK(Value{std::int64_t{7}}.type() == json::Type::Int);
    CHECK(Value{std::uint32_t{7}}.type() == json::Type::Int);
    CHECK(Value{std::size_t{7}}.type() == json::Type::Int);
    CHECK(Value{7LL}.as_int() == 7);
    CHECK(Value{static_cast<short>(-7)}.as_int() == -7);
    CHECK(Value{std::numeric_limits<std::uint64_t>::max()}.is_double());
    CHECK(Value{7.0}.type() == json::Type::Double);
    CHECK(Value{"text"}.type() == json::Type::String);
    CHECK(Value{std::string_view{"text"}}.as_string() == "text");
    CHECK(Value{std::string{"text"}}.as_string() == "text");
    CHECK(Value::array().type() == json::Type::Array);
    CHECK(Value::object().type() == json::Type::Object);
    CHECK(Value::bytes("\x01\x02").type() == json::Type::Bytes);
    CHECK(Value{}.size() == 0);
    CHECK(Value{"abc"}.size() == 0);

    CHECK(json::type_name(json::Type::Null) == "null");
    CHECK(json::type_name(json::Type::Int) == "int");
    CHECK(json::type_name(json::Type::Double) == "double");
    CHECK(json::type_name(json::Type::Object) == "object");
    CHECK(json::type_name(json::Type::Bytes) == "bytes");

    Value text{"abc"};
    text.as_string() += "def";
    CHECK(text.as_string() == "abcdef");
    Value list = Value::array({1});
    list.as_array().emplace_back(2);
    CHECK(list.size() == 2);
}

TEST_CASE("json equality compares types, values and member order", "[json]") {
    CHECK(parsed(R"({"a":[1,"x"]})") == Value::object({{"a", Value::array({1, "x"})}}));
    CHECK_FALSE(Value{1} == Value{1.0});
    CHECK_FALSE(parsed(R"({"a":1,"b":2})") == parsed(R"({"b":2,"a":1})"));
    CHECK(Value::bytes("ab") == Value::bytes("ab"));
    CHECK_FALSE(Value::bytes("ab") == Value{"ab"});
}

TEST_CASE("json has_bytes finds a binary attachment anywhere inside", "[json]") {
    CHECK(Value::bytes("\xff").has_bytes());
    CHECK(Value::bytes("raw").as_bytes() == "raw");
    CHECK_FALSE(parsed(R"(["a",{"b":[1,2,{"c":null}]}])").has_bytes());
    CHECK(Value::array({"upload", Value::bytes("data")}).has_bytes());
    CHECK(Value::object({{"a", Value::array({1, Value::object({{"file", Value::bytes("")}})})}})
              .has_bytes());
    CHECK_FALSE(Value{"not bytes"}.has_bytes());
}

// ---- the writer -----------------------------------------------------------------------------

TEST_CASE("json writes strings as JSON.stringify does", "[json]") {
    struct Case {
        std::string_view text;
        std::string_view written;
    };
    using namespace std::string_view_literals;
    const Case c = GENERATE(values<Case>({
        {"plain", "\"plain\""},
        {"say \"hi\"", "\"say \\\"hi\\\"\""},
        {"back\\slash", "\"back\\\\slash\""},
        {"/", "\"/\""},
        {"\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\""},
        {"\x01\x1f\x0b", "\"\\u0001\\u001f\\u000b\""},
        {"\0"sv, "\"\\u0000\""},
        {"\x7f", "\"\x7f\""},
        {"caf\xc3\xa9 \xf0\x9f\x98\x80", "\"caf\xc3\xa9 \xf0\x9f\x98\x80\""},
        {"0123456789abcdef\"0123456789\n", "\"0123456789abcdef\\\"0123456789\\n\""},
    }));
    CAPTURE(c.text);
    std::string out;
    json::write_string_to(out, c.text);
    CHECK(out == c.written);
    CHECK(json::write(Value{c.text}) == c.written);
}

TEST_CASE("json write_to appends to what is already in the buffer", "[json]") {
    std::string out = "42";
    json::write_to(out, Value::array({"echo", 1}));
    CHECK(out == R"(42["echo",1])");
    json::write_to(out, Value{});
    CHECK(out == R"(42["echo",1]null)");
}

TEST_CASE("json writes integers exactly", "[json]") {
    CHECK(json::write(Value{std::numeric_limits<std::int64_t>::max()}) == "9223372036854775807");
    CHECK(json::write(Value{std::numeric_limits<std::int64_t>::min()}) == "-9223372036854775808");
    CHECK(json::write(Value{0}) == "0");
    CHECK(json::write(Value{-1}) == "-1");
}

// ---- round trips ----------------------------------------------------------------------------

TEST_CASE("json parse(write(v)) gives v back", "[json]") {
    const Value value = GENERATE(
        Value{}, Value{true}, Value{false}, Value{0}, Value{-12345}, Value{0.1}, Value{-2.5e-300},
        Value{1e21}, Value{""}, Value{"\"\\\x01\x1f/\xc3\xa9\xf0\x9f\x98\x80"},
        Value{std::numeric_limits<std::int64_t>::min()}, Value::array(), Value::object(),
        Value::array({Value::array({Value::array({})}), Value::object({{"", ""}})}),
        Value::object({{"z", 1}, {"a", Value::array({1.5, "x", nullptr, true})}, {"\n", "\t"}}));
    const std::string text = json::write(value);
    CAPTURE(text);
    CHECK(parsed(text) == value);
    CHECK(json::write(parsed(text)) == text);
}

TEST_CASE("json strings of every byte length and escape position round-trip", "[json]") {
    // Every length 0..40 with a special byte at every position exercises the 8-byte scan's
    // word boundaries and its byte-by-byte tail.
    const char special = GENERATE('"', '\\', '\n', '\x01', '\x1f', 'x');
    for (std::size_t length = 0; length <= 40; ++length) {
        for (std::size_t at = 0; at <= length; ++at) {
            std::string text(length, 'a');
            if (at < length) text[at] = special;
            CAPTURE(length, at, special);
            const std::string written = json::write(Value{text});
            const Value back = parsed(written);
            REQUIRE(back.as_string() == text);
        }
    }
}

TEST_CASE("json finds a bad byte at every position of a long string", "[json]") {
    for (std::size_t at = 0; at < 40; ++at) {
        std::string text = "\"" + std::string(40, 'a') + "\"";
        text[1 + at] = '\x02';
        CAPTURE(at);
        CHECK(refusal(text).position == 1 + at);
        text[1 + at] = '\xff';
        CHECK(refusal(text).position == 1 + at);
        text[1 + at] = '\xc3';   // a lead byte cut short by the next 'a'
        CHECK(refusal(text).position == (at == 39 ? 41 : 2 + at));
    }
}
