// looplab/codec/json_parse.cpp
//
// A recursive-descent parser: one function per rule of RFC 8259's grammar, each reading from
// the cursor and moving it past what it accepted.
//
//     value  = object / array / string / number / "true" / "false" / "null"
//     array  = "[" [ value *( "," value ) ] "]"
//     object = "{" [ string ":" value *( "," string ":" value ) ] "}"
//
// Nested arrays and objects call parse_value() again, so nesting is bounded (kJsonMaxDepth) to
// keep a hostile "[[[[..." from using up the C++ stack. Every function returns false on the
// first byte it cannot accept, after fail() recorded why and where; nothing is thrown.
// Strings and numbers have their own file (json_parse_scalars.cpp): they are where the speed is.
#include "json_parser.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <numeric>

namespace looplab::codec::json {

namespace detail {

// Below this many members, duplicate keys are looked for by comparing every pair (no memory,
// and fast for the small objects of real messages); above it, by sorting (n log n, so an object
// with 100,000 keys cannot make the parser quadratic).
constexpr std::size_t kLinearDuplicateCheck = 16;

namespace {

bool has_duplicate_keys_small(const Object& members) {
    for (std::size_t i = 1; i < members.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (members[i].first == members[j].first) return true;
    return false;
}

// What JSON.parse does with {"a":1,"b":2,"a":3}: one "a", where the first was, holding 3.
void merge_duplicate_keys(Object& members, std::vector<std::uint32_t>& order) {
    order.resize(members.size());
    std::iota(order.begin(), order.end(), 0u);
    std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
        return members[a].first < members[b].first;
    });
    std::vector<bool> dropped(members.size(), false);
    bool any_dropped = false;
    for (std::size_t run = 0; run < order.size();) {
        std::size_t run_end = run + 1;   // equal keys sit together, in text order (stable)
        while (run_end < order.size() && members[order[run_end]].first == members[order[run]].first)
            ++run_end;
        if (run_end - run > 1) {
            members[order[run]].second = std::move(members[order[run_end - 1]].second);
            for (std::size_t later = run + 1; later < run_end; ++later)
                dropped[order[later]] = true;
            any_dropped = true;
        }
        run = run_end;
    }
    if (!any_dropped) return;
    std::size_t kept = 0;
    for (std::size_t i = 0; i < members.size(); ++i)
        if (!dropped[i]) {
            if (kept != i) members[kept] = std::move(members[i]);
            ++kept;
        }
    members.erase(members.begin() + static_cast<std::ptrdiff_t>(kept), members.end());
}

// A byte as the error message shows it: 'x' when printable, else 0x1F.
std::string describe(char byte) {
    const auto value = static_cast<unsigned char>(byte);
    if (value >= 0x20 && value < 0x7F) return fmt::format("'{}'", byte);
    return fmt::format("byte 0x{:02X}", value);
}

}   // namespace

bool Parser::fail(const char* at, std::string_view what) {
    const auto position = static_cast<std::size_t>(at - begin_);
    error_ = ParseError{fmt::format("json: {} at byte {}", what, position), position};
    return false;
}

bool Parser::parse_text(Value& out) {
    skip_whitespace();
    if (!parse_value(out, 0)) return false;
    skip_whitespace();
    if (cursor_ != end_) return fail(cursor_, "unexpected data after the JSON text");
    return true;
}

void Parser::skip_whitespace() {
    while (cursor_ != end_ &&
           (*cursor_ == ' ' || *cursor_ == '\n' || *cursor_ == '\r' || *cursor_ == '\t'))
        ++cursor_;
}

bool Parser::parse_value(Value& out, std::size_t depth) {
    if (cursor_ == end_) return fail(cursor_, "unexpected end of input, expected a value");
    switch (*cursor_) {
        case '"': return parse_string_value(out);
        case '[': return parse_array(out, depth + 1);
        case '{': return parse_object(out, depth + 1);
        case 't': return parse_literal("true", out, true);
        case 'f': return parse_literal("false", out, false);
        case 'n': return parse_literal("null", out, nullptr);
        case '-':
        case '0':
        case '1':
        case '2':
        case '3':
        case '4':
        case '5':
        case '6':
        case '7':
        case '8':
        case '9': return parse_number(out);
        default:
            return fail(cursor_, fmt::format("expected a value, found {}", describe(*cursor_)));
    }
}

bool Parser::parse_literal(std::string_view word, Value& out, Value meaning) {
    if (static_cast<std::size_t>(end_ - cursor_) < word.size() ||
        std::memcmp(cursor_, word.data(), word.size()) != 0)
        return fail(cursor_, fmt::format("invalid literal (expected {})", word));
    cursor_ += word.size();
    out = std::move(meaning);
    return true;
}

bool Parser::enter(std::size_t depth) {
    if (depth > kJsonMaxDepth)
        return fail(cursor_, fmt::format("nesting deeper than kJsonMaxDepth ({})", kJsonMaxDepth));
    ++cursor_;   // past '[' or '{'
    skip_whitespace();
    return true;
}

bool Parser::parse_array(Value& out, std::size_t depth) {
    if (!enter(depth)) return false;
    Array& items = out.emplace_array();
    if (cursor_ != end_ && *cursor_ == ']') {
        ++cursor_;
        return true;
    }
    items.reserve(4);   // one allocation for the short arrays of most messages
    for (;;) {
        if (!parse_value(items.emplace_back(), depth)) return false;
        skip_whitespace();
        if (cursor_ == end_) return fail(cursor_, "unexpected end of input, expected ',' or ']'");
        if (*cursor_ == ']') break;
        if (*cursor_ != ',') return fail(cursor_, "expected ',' or ']'");
        ++cursor_;
        skip_whitespace();
    }
    ++cursor_;
    return true;
}

bool Parser::parse_object(Value& out, std::size_t depth) {
    if (!enter(depth)) return false;
    Object& members = out.emplace_object();
    if (cursor_ != end_ && *cursor_ == '}') {
        ++cursor_;
        return true;
    }
    members.reserve(4);
    for (;;) {
        if (cursor_ == end_) return fail(cursor_, "unexpected end of input, expected a string key");
        if (*cursor_ != '"') return fail(cursor_, "expected a string key");
        Member& member = members.emplace_back(std::string{}, Value{});
        if (!parse_string(member.first)) return false;
        skip_whitespace();
        if (cursor_ == end_ || *cursor_ != ':') return fail(cursor_, "expected ':' after a key");
        ++cursor_;
        skip_whitespace();
        if (!parse_value(member.second, depth)) return false;
        skip_whitespace();
        if (cursor_ == end_) return fail(cursor_, "unexpected end of input, expected ',' or '}'");
        if (*cursor_ == '}') break;
        if (*cursor_ != ',') return fail(cursor_, "expected ',' or '}'");
        ++cursor_;
        skip_whitespace();
    }
    ++cursor_;
    if (members.size() > kLinearDuplicateCheck || has_duplicate_keys_small(members))
        merge_duplicate_keys(members, scratch_order_);
    return true;
}

}   // namespace detail

namespace {

// Fills `out` or says why not; every entry point below is this with another way to report.
std::optional<ParseError> parse_text_into(std::string_view text, Value& out) {
    if (text.size() > kJsonMaxInputBytes)
        return ParseError{
            fmt::format("json: input larger than kJsonMaxInputBytes ({} bytes) at byte {}",
                        kJsonMaxInputBytes, kJsonMaxInputBytes),
            kJsonMaxInputBytes};
    detail::Parser parser{text};
    if (parser.parse_text(out)) return std::nullopt;
    out = Value{};
    return parser.take_error();
}

}   // namespace

ParseResult parse_detailed(std::string_view text) {
    ParseResult result;
    result.error = parse_text_into(text, result.value);
    return result;
}

Status parse_into(std::string_view text, Value& out) {
    if (auto error = parse_text_into(text, out)) return Error::because(std::move(error->what));
    return Ok{};
}

Result<Value> parse(std::string_view text) {
    Value value;
    if (auto error = parse_text_into(text, value)) return Error::because(std::move(error->what));
    return value;
}

}   // namespace looplab::codec::json
