// tests/unit/resp/parser_test.cpp — the RESP parser: every RESP2 and RESP3 type from exact
// bytes (the examples of PROTOCOLS-redis-store.md §1-§2, some captured from Redis 7.0.15),
// the same stream cut at every byte, every named error, and every limit.
#include "looplab/resp/encoder.hpp"
#include "looplab/resp/parser.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

using namespace looplab::resp;
using namespace std::string_literals;

namespace {

// The replies `bytes` parse into, all in one feed; the test fails if the parser refuses them.
std::vector<Reply> parse_all(std::string_view bytes, ParserLimits limits = {}) {
    Parser parser{limits};
    std::vector<Reply> replies;
    const auto error = parser.feed(bytes, replies);
    INFO("parse error: " << (error ? describe(*error) : "none"));
    REQUIRE_FALSE(error);
    CHECK_FALSE(parser.is_inside_reply());
    return replies;
}

Reply parse_one(std::string_view bytes) {
    auto replies = parse_all(bytes);
    REQUIRE(replies.size() == 1);
    return replies.front();
}

std::optional<ParseError> error_of(std::string_view bytes, ParserLimits limits = {}) {
    Parser parser{limits};
    std::vector<Reply> replies;
    return parser.feed(bytes, replies);
}

// Every frame kind in one stream, RESP2 then RESP3 (what Redis 7 sends, HELLO 3 or not).
const std::string kEveryType =
    "+OK\r\n"
    "-ERR unknown command 'asdf'\r\n"
    ":1000\r\n"
    ":-42\r\n"
    "$5\r\nhello\r\n"
    "$0\r\n\r\n"
    "$-1\r\n"
    "*-1\r\n"
    "*2\r\n$5\r\nhello\r\n$5\r\nworld\r\n"
    "$4\r\na\r\nb\r\n"   // binary safe: CRLF inside a bulk payload
    "_\r\n"
    "#t\r\n"
    "#f\r\n"
    ",3.141\r\n"
    ",inf\r\n"
    ",-inf\r\n"
    ",nan\r\n"
    ",-nan\r\n"
    ",1.5e3\r\n"
    ",10\r\n"
    "(1234567999999999999999999999999999999\r\n"
    "!21\r\nSYNTAX invalid syntax\r\n"
    "=15\r\ntxt:Some string\r\n"
    "%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n"
    "~3\r\n+a\r\n+b\r\n:3\r\n"
    ">3\r\n$7\r\nmessage\r\n$4\r\nchat\r\n$2\r\nhi\r\n"
    "|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n"
    "$39\r\nSome real reply following the attribute\r\n"
    "*2\r\n*1\r\n%1\r\n$1\r\nk\r\n~0\r\n*0\r\n";

std::vector<Reply> every_type_expected() {
    Reply attributed = Reply::bulk("Some real reply following the attribute");
    attributed.attributes = {Reply::bulk("key-popularity"),
                             Reply::array({Reply::bulk("key:123"), Reply::integer_value(90)})};
    return {
        Reply::simple("OK"),
        Reply::error("ERR unknown command 'asdf'"),
        Reply::integer_value(1000),
        Reply::integer_value(-42),
        Reply::bulk("hello"),
        Reply::bulk(""),
        Reply::null(),
        Reply::null(),
        Reply::array({Reply::bulk("hello"), Reply::bulk("world")}),
        Reply::bulk("a\r\nb"),
        Reply::null(),
        Reply::boolean(true),
        Reply::boolean(false),
        Reply::double_value(3.141),
        Reply::double_value(std::numeric_limits<double>::infinity()),
        Reply::double_value(-std::numeric_limits<double>::infinity()),
        Reply::double_value(std::nan("")),
        Reply::double_value(std::nan("")),
        Reply::double_value(1500),
        Reply::double_value(10),
        Reply::big_number("1234567999999999999999999999999999999"),
        Reply::error("SYNTAX invalid syntax"),
        Reply::verbatim("txt", "Some string"),
        Reply::map({Reply::simple("first"), Reply::integer_value(1), Reply::simple("second"),
                    Reply::integer_value(2)}),
        Reply::set({Reply::simple("a"), Reply::simple("b"), Reply::integer_value(3)}),
        Reply::push({Reply::bulk("message"), Reply::bulk("chat"), Reply::bulk("hi")}),
        attributed,
        Reply::array(
            {Reply::array({Reply::map({Reply::bulk("k"), Reply::set({})})}), Reply::array({})}),
    };
}

}   // namespace

TEST_CASE("every RESP2 and RESP3 type parses from its exact bytes", "[resp]") {
    const auto replies = parse_all(kEveryType);
    const auto expected = every_type_expected();
    REQUIRE(replies.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        INFO("reply " << i << ": " << describe(replies[i]));
        CHECK(replies[i] == expected[i]);
    }
    CHECK(replies[12].type == ReplyType::Bool);
    CHECK(replies[5].type == ReplyType::Bulk);   // empty, not null
    CHECK(replies[21].is_error());               // a bulk error is an error
    CHECK(replies[22].format == "txt");
}

TEST_CASE("the same stream cut at every byte gives the same replies", "[resp]") {
    const auto expected = every_type_expected();
    SECTION("one byte per feed") {
        Parser parser;
        std::vector<Reply> replies;
        for (char c : kEveryType) {
            REQUIRE_FALSE(parser.feed(std::string_view{&c, 1}, replies));
        }
        CHECK(replies == expected);
        CHECK_FALSE(parser.is_inside_reply());
    }
    SECTION("two feeds, cut at every position") {
        for (std::size_t cut = 0; cut <= kEveryType.size(); ++cut) {
            Parser parser;
            std::vector<Reply> replies;
            REQUIRE_FALSE(parser.feed(std::string_view{kEveryType}.substr(0, cut), replies));
            REQUIRE_FALSE(parser.feed(std::string_view{kEveryType}.substr(cut), replies));
            INFO("cut at " << cut);
            REQUIRE(replies == expected);
        }
    }
}

TEST_CASE("a reply is handed out only when it is complete", "[resp]") {
    Parser parser;
    std::vector<Reply> replies;
    REQUIRE_FALSE(parser.feed("*2\r\n$3\r\nfoo\r\n", replies));
    CHECK(replies.empty());
    CHECK(parser.is_inside_reply());
    REQUIRE_FALSE(parser.feed(":7\r\n+OK", replies));
    REQUIRE(replies.size() == 1);
    CHECK(replies[0] == Reply::array({Reply::bulk("foo"), Reply::integer_value(7)}));
    CHECK(parser.is_inside_reply());   // "+OK" waits for its CRLF
    REQUIRE_FALSE(parser.feed("\r\n", replies));
    CHECK(replies.back() == Reply::simple("OK"));
    CHECK_FALSE(parser.is_inside_reply());
}

TEST_CASE("attributes annotate the value that follows, at any level", "[resp]") {
    const Reply nested = parse_one("*2\r\n|1\r\n+ttl\r\n:5\r\n+a\r\n+b\r\n");
    REQUIRE(nested.elements.size() == 2);
    CHECK(nested.elements[0].attributes ==
          std::vector<Reply>{Reply::simple("ttl"), Reply::integer_value(5)});
    CHECK(nested.elements[1].attributes.empty());
    CHECK(nested.attributes.empty());
    // An empty attribute annotates nothing; an attribute is not counted as an element.
    CHECK(parse_one("|0\r\n:1\r\n") == Reply::integer_value(1));
}

TEST_CASE("each broken stream gives its named error and the parser stays failed", "[resp]") {
    const std::pair<std::string_view, ParseError> cases[] = {
        {"?what\r\n", ParseError::UnknownType},
        {"\r\n", ParseError::UnknownType},
        {"+OK\n", ParseError::BadLineEnding},
        {"+O\rK\r\n", ParseError::BadLineEnding},
        {":12a\r\n", ParseError::BadInteger},
        {":\r\n", ParseError::BadInteger},
        {":+5\r\n", ParseError::BadInteger},
        {":99999999999999999999\r\n", ParseError::BadInteger},
        {"$-2\r\n", ParseError::BadLength},
        {"!-1\r\n", ParseError::BadLength},
        {"~-1\r\n", ParseError::BadLength},
        {",abc\r\n", ParseError::BadDouble},
        {",infinity\r\n", ParseError::BadDouble},
        {",\r\n", ParseError::BadDouble},
        {"#x\r\n", ParseError::BadBoolean},
        {"(12x\r\n", ParseError::BadBigNumber},
        {"(\r\n", ParseError::BadBigNumber},
        {"_x\r\n", ParseError::BadNull},
        {"=3\r\ntxt\r\n", ParseError::BadVerbatim},
        {"=5\r\ntxt-a\r\n", ParseError::BadVerbatim},
        {"$3\r\nfooXY", ParseError::MissingBulkEnd},
        {"$3\r\nfoo\rX", ParseError::MissingBulkEnd},
        {"$?\r\n;4\r\nHell\r\n;0\r\n", ParseError::StreamedTypeUnsupported},
        {"*?\r\n:1\r\n.\r\n", ParseError::StreamedTypeUnsupported},
    };
    for (const auto& [bytes, expected] : cases) {
        INFO(std::string{bytes});
        Parser parser;
        std::vector<Reply> replies;
        const auto error = parser.feed(bytes, replies);
        REQUIRE(error);
        CHECK(*error == expected);
        CHECK(parser.has_failed());
        CHECK(parser.feed("+OK\r\n", replies) == expected);   // failed for good
        CHECK(replies.empty());
        parser.reset();
        CHECK_FALSE(parser.feed("+OK\r\n", replies));   // a new stream starts clean
        CHECK(replies.size() == 1);
    }
    CHECK(describe(ParseError::BulkTooLong) ==
          "a bulk string longer than the limit (max_bulk_bytes)");
}

TEST_CASE("replies before an error are handed out whole", "[resp]") {
    Parser parser;
    std::vector<Reply> replies;
    CHECK(parser.feed("+one\r\n:2\r\n?bad\r\n+never\r\n", replies) == ParseError::UnknownType);
    CHECK(replies == std::vector<Reply>{Reply::simple("one"), Reply::integer_value(2)});
}

TEST_CASE("every limit is an error at the header, before the payload arrives", "[resp]") {
    ParserLimits limits;
    limits.max_bulk_bytes = 4;
    limits.max_depth = 3;
    limits.max_aggregate_length = 4;
    limits.max_reply_elements = 10;
    limits.max_line_bytes = 8;

    CHECK_FALSE(error_of("$4\r\nabcd\r\n", limits));
    CHECK(error_of("$5\r\n", limits) == ParseError::BulkTooLong);
    CHECK(error_of("!5\r\n", limits) == ParseError::BulkTooLong);
    CHECK(error_of("$9223372036854775807\r\n") == ParseError::BulkTooLong);   // default limit

    CHECK_FALSE(error_of("*1\r\n*1\r\n*1\r\n:1\r\n", limits));
    CHECK(error_of("*1\r\n*1\r\n*1\r\n*1\r\n", limits) == ParseError::TooDeep);
    CHECK(error_of("*1\r\n%1\r\n~1\r\n>1\r\n", limits) == ParseError::TooDeep);

    CHECK_FALSE(error_of("*4\r\n", limits));
    CHECK(error_of("*5\r\n", limits) == ParseError::AggregateTooLong);
    CHECK(error_of("%3\r\n", limits) == ParseError::AggregateTooLong);   // 3 pairs = 6 values
    CHECK(error_of("*9223372036854775807\r\n") == ParseError::AggregateTooLong);

    // 1 + 4 + 4 + 4 = 13 values in one reply: the 11th is refused.
    CHECK(error_of("*3\r\n*3\r\n:1\r\n:2\r\n:3\r\n*3\r\n:1\r\n:2\r\n:3\r\n*3\r\n:1\r\n:2\r\n:3\r\n",
                   limits) == ParseError::TooManyElements);
    // The count is per reply: three replies of four values each (12 in all) are fine.
    CHECK_FALSE(error_of("*3\r\n:1\r\n:2\r\n:3\r\n*3\r\n:1\r\n:2\r\n:3\r\n*3\r\n:1\r\n:2\r\n:3\r\n",
                         limits));

    CHECK_FALSE(error_of("+1234567\r\n", limits));
    CHECK(error_of("+12345678\r\n", limits) == ParseError::LineTooLong);
    // Too long is noticed before the CRLF, even across feeds.
    Parser parser{limits};
    std::vector<Reply> replies;
    CHECK_FALSE(parser.feed("+12345", replies));
    CHECK(parser.feed("6789", replies) == ParseError::LineTooLong);
}

TEST_CASE("a peer declaring a huge bulk costs nothing until it sends it", "[resp]") {
    Parser parser;
    std::vector<Reply> replies;
    REQUIRE_FALSE(parser.feed("$500000000\r\nabc", replies));   // 500 MB declared, 3 bytes sent
    CHECK(replies.empty());
    CHECK(parser.is_inside_reply());
}

TEST_CASE("encode_command writes an array of bulk strings, binary safe", "[resp]") {
    std::string wire;
    encode_command({"SET", "k", "v"}, wire);
    CHECK(wire == "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n");
    const std::vector<std::string> args{"ECHO", std::string{"a\r\nb\0c", 6}, ""};
    encode_command(std::span<const std::string>{args}, wire);   // appends
    CHECK(wire ==
          "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"
          "*3\r\n$4\r\nECHO\r\n$6\r\na\r\nb\0c\r\n$0\r\n\r\n"s);
}

TEST_CASE("encode_reply writes what parses back to the same reply", "[resp]") {
    for (const Reply& reply : every_type_expected()) {
        INFO(describe(reply));
        CHECK(parse_one(encode_reply(reply)) == reply);
    }
    CHECK(encode_reply(Reply::error("ERR x")) == "-ERR x\r\n");
    CHECK(encode_reply(Reply::error("ERR a\nb")) == "!7\r\nERR a\nb\r\n");   // cannot be a line
    CHECK(encode_reply(Reply::simple("a\r\nb")) == "$4\r\na\r\nb\r\n");
    CHECK(encode_reply(Reply::double_value(0.1)) == ",0.1\r\n");
    CHECK(encode_reply(Reply::null()) == "_\r\n");
}

TEST_CASE("describe shows a reply as redis-cli would", "[resp]") {
    CHECK(describe(Reply::simple("OK")) == "OK");
    CHECK(describe(Reply::error("ERR no")) == "(error) ERR no");
    CHECK(describe(Reply::integer_value(3)) == "(integer) 3");
    CHECK(describe(Reply::bulk("a\"b\n\x01")) == "\"a\\\"b\\n\\x01\"");
    CHECK(describe(Reply::null()) == "(nil)");
    CHECK(describe(Reply::array({Reply::bulk("a"), Reply::integer_value(1)})) ==
          "[\"a\", (integer) 1]");
    CHECK(describe(Reply::map({Reply::bulk("k"), Reply::bulk("v")})) == "{\"k\": \"v\"}");
    CHECK(describe(Reply::push({Reply::bulk("message")})) == "(push) [\"message\"]");
    CHECK(fmt::format("{}", Reply::boolean(true)) == "(true)");
    // find() works on maps and on RESP2's flat arrays.
    const Reply hello = Reply::map({Reply::bulk("proto"), Reply::integer_value(3)});
    REQUIRE(hello.find("proto"));
    CHECK(hello.find("proto")->integer == 3);
    CHECK(Reply::array({Reply::bulk("proto"), Reply::integer_value(2)}).find("proto")->integer ==
          2);
    CHECK(hello.find("nope") == nullptr);
}
