// looplab/resp/reply.hpp
//
// Reply — one value a Redis server sends back, in either protocol version: RESP2's five
// types and RESP3's richer ones, as one plain tree of values.
// Teaches: database (lesson 16): what "a reply" is on the wire of a real database.
// Run: lessons/16-database   Read: notes/16-database.md, PROTOCOLS-redis-store.md §1-§2
//
//   type        wire          fields used
//   SimpleString  +OK           text
//   Error         -ERR ...  !n  text (the whole line: code first, "ERR unknown command ...")
//   Integer       :1000         integer
//   Bulk          $5 hello      text (binary safe)
//   Array         *2 ...        elements
//   Null          $-1 *-1 _     (nothing: a GET miss, a BLPOP timeout, RESP3's null)
//   Bool          #t #f         integer (1 or 0)
//   Double        ,3.14         number (inf, -inf and nan included)
//   BigNumber     (1234...      text (the digits, with their sign)
//   Verbatim      =15 txt:...   text (without the prefix), format ("txt", "mkd")
//   Map           %2 ...        elements: key, value, key, value... (2 x pairs)
//   Set           ~3 ...        elements
//   Push          >3 ...        elements; element 0 names the kind ("message", ...)
//
// Attributes (RESP3 `|`): a map the server puts before a value to annotate it. The parser
// keeps it: the value that follows carries it in `attributes` (key, value, key, value...);
// it is never a value of its own, so a reply with attributes matches the same command.
//
// Contract: a plain value (copy or move it freely). Equality compares every field; a Double
// holding nan equals another nan (so a reply parsed twice compares equal).
#pragma once

#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace looplab::resp {

enum class ReplyType : std::uint8_t {
    SimpleString,
    Error,
    Integer,
    Bulk,
    Array,
    Null,
    Bool,
    Double,
    BigNumber,
    Verbatim,
    Map,
    Set,
    Push,
};

// "simple string", "error", "integer", "bulk string", "array", "null", "boolean", "double",
// "big number", "verbatim string", "map", "set", "push".
std::string_view type_name(ReplyType type);

struct Reply {
    ReplyType type = ReplyType::Null;
    std::string text;                // SimpleString, Error, Bulk, BigNumber, Verbatim
    std::int64_t integer = 0;        // Integer; Bool as 1 or 0
    double number = 0;               // Double
    std::string format;              // Verbatim only: "txt", "mkd"
    std::vector<Reply> elements;     // Array, Set, Push; Map as key, value, key, value...
    std::vector<Reply> attributes;   // RESP3 attributes that preceded this value, as pairs

    // ---- builders (tests, fake servers, the encoder's round trips) ---------------------------
    static Reply simple(std::string text) {
        return with_text(ReplyType::SimpleString, std::move(text));
    }
    static Reply error(std::string text) { return with_text(ReplyType::Error, std::move(text)); }
    static Reply bulk(std::string text) { return with_text(ReplyType::Bulk, std::move(text)); }
    static Reply big_number(std::string digits) {
        return with_text(ReplyType::BigNumber, std::move(digits));
    }
    static Reply verbatim(std::string format, std::string text);
    static Reply integer_value(std::int64_t value);
    static Reply boolean(bool value);
    static Reply double_value(double value);
    static Reply null() { return Reply{}; }
    static Reply array(std::vector<Reply> elements) {
        return aggregate(ReplyType::Array, std::move(elements));
    }
    static Reply set(std::vector<Reply> elements) {
        return aggregate(ReplyType::Set, std::move(elements));
    }
    static Reply push(std::vector<Reply> elements) {
        return aggregate(ReplyType::Push, std::move(elements));
    }
    // `pairs` holds key, value, key, value... (an even number of replies).
    static Reply map(std::vector<Reply> pairs) {
        return aggregate(ReplyType::Map, std::move(pairs));
    }

    // ---- questions --------------------------------------------------------------------------
    bool is_error() const { return type == ReplyType::Error; }
    bool is_null() const { return type == ReplyType::Null; }
    // Simple strings, bulk strings, verbatim strings and big numbers carry text.
    bool is_string() const {
        return type == ReplyType::SimpleString || type == ReplyType::Bulk ||
               type == ReplyType::Verbatim;
    }
    // Array, Set, Push and Map have elements.
    bool is_aggregate() const {
        return type == ReplyType::Array || type == ReplyType::Set || type == ReplyType::Push ||
               type == ReplyType::Map;
    }
    // A Map's value for a string key (RESP2 servers send maps as flat arrays: those work too);
    // nullptr when there is none.
    const Reply* find(std::string_view key) const;

    bool operator==(const Reply& other) const;

private:
    static Reply with_text(ReplyType type, std::string text) {
        Reply reply;
        reply.type = type;
        reply.text = std::move(text);
        return reply;
    }
    static Reply aggregate(ReplyType type, std::vector<Reply> elements) {
        Reply reply;
        reply.type = type;
        reply.elements = std::move(elements);
        return reply;
    }
};

// How redis-cli shows a reply, on one line: "OK", "(error) ERR ...", "(integer) 3",
// "\"hello\"", "(nil)", "[\"a\", (integer) 1]", "{\"k\": \"v\"}", "(push) [...]". For logs,
// lessons and test failures.
std::string describe(const Reply& reply);

}   // namespace looplab::resp

template <>
struct fmt::formatter<looplab::resp::Reply> : fmt::formatter<std::string> {
    template <typename FormatContext>
    auto format(const looplab::resp::Reply& reply, FormatContext& ctx) const {
        return fmt::formatter<std::string>::format(looplab::resp::describe(reply), ctx);
    }
};
