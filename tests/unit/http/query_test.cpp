// tests/unit/http/query_test.cpp — query strings as browsers and Engine.IO clients send them:
// splitting, percent-decoding, '+' as space, malformed escapes kept, the parameter limit.
#include "looplab/http/query.hpp"

#include <catch2/catch.hpp>

using namespace looplab::http;

TEST_CASE("query_string is what follows the first '?', without a fragment", "[http][query]") {
    CHECK(query_string("/socket.io/?EIO=4&transport=polling") == "EIO=4&transport=polling");
    CHECK(query_string("/a?b?c") == "b?c");
    CHECK(query_string("/a?x=1#top") == "x=1");
    CHECK(query_string("/a").empty());
    CHECK(query_string("/a?").empty());
}

TEST_CASE("percent_decode turns escapes and '+' into the bytes they stand for", "[http][query]") {
    CHECK(decode_query_component("a%20b") == "a b");
    CHECK(decode_query_component("a+b") == "a b");
    CHECK(decode_query_component("%2f%2F") == "//");
    CHECK(decode_query_component("%E2%82%AC") == "\xE2\x82\xAC");   // the euro sign, 3 UTF-8 bytes
    CHECK(decode_query_component("%00") == std::string(1, '\0'));
}

TEST_CASE("percent_decode keeps a malformed escape as written", "[http][query]") {
    CHECK(decode_query_component("100%") == "100%");
    CHECK(decode_query_component("%4") == "%4");
    CHECK(decode_query_component("%zz") == "%zz");
    CHECK(decode_query_component("%%41") == "%A");
}

TEST_CASE("parse_query splits an Engine.IO query in order, decoded", "[http][query]") {
    const QueryParams params = parse_query("EIO=4&transport=polling&t=Nx%2Bq&sid=ab-_c");
    REQUIRE(params.size() == 4);
    CHECK(params[0] == std::pair<std::string, std::string>{"EIO", "4"});
    CHECK(params[1] == std::pair<std::string, std::string>{"transport", "polling"});
    CHECK(params[2] == std::pair<std::string, std::string>{"t", "Nx+q"});
    CHECK(params[3] == std::pair<std::string, std::string>{"sid", "ab-_c"});
    CHECK(find_query_value(params, "sid") == "ab-_c");
    CHECK_FALSE(find_query_value(params, "SID"));   // names are compared exactly
}

TEST_CASE("parse_query: empty pieces are skipped, a bare name has an empty value",
          "[http][query]") {
    const QueryParams params = parse_query("&a&&b=&c=1=2&");
    REQUIRE(params.size() == 3);
    CHECK(params[0] == std::pair<std::string, std::string>{"a", ""});
    CHECK(params[1] == std::pair<std::string, std::string>{"b", ""});
    CHECK(params[2] == std::pair<std::string, std::string>{"c", "1=2"});   // first '=' splits
    CHECK(parse_query("").empty());
}

TEST_CASE("parse_query: a repeated name keeps every value; lookup finds the first",
          "[http][query]") {
    const QueryParams params = parse_query("x=1&x=2");
    REQUIRE(params.size() == 2);
    CHECK(find_query_value(params, "x") == "1");
}

TEST_CASE("parse_query returns at most kHttpMaxQueryParams parameters", "[http][query]") {
    std::string query;
    for (std::size_t i = 0; i < kHttpMaxQueryParams + 5; ++i) query += "p=1&";
    CHECK(parse_query(query).size() == kHttpMaxQueryParams);
}
