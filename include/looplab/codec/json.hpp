// looplab/codec/json.hpp
//
// json — JSON (RFC 8259) values, a strict parser and a compact writer, written here because
// the project takes no JSON library. Every Socket.IO event is a JSON array on the wire
// (`42["chat","hi"]`), so this sits on the hot path of every message.
// Teaches: a recursive-descent parser over bytes, and why "a number" in JSON is not one type.
//
//     auto value = json::parse(R"(["chat",{"text":"hi","n":3}])");
//     if (!value) fmt::print("{}\n", value.error());          // "json: ... at byte 12"
//     const json::Value& args = *value;
//     args[0].as_string();                                     // "chat"
//     args[1]["n"].as_int();                                   // 3
//     json::write(args);                                       // the same text, compact
//
// Numbers: an integer literal (no '.', no exponent) that fits in int64 stays an exact Int;
// everything else is a Double ("-0" too: an Int has no minus zero). A Double is written as
// JavaScript's JSON.stringify writes it: the fewest digits that read back to the same double
// ("0.1" stays "0.1"), no ".0" on whole numbers (1.0 -> "1", 1e21 -> "1e+21"), minus zero as
// "0", NaN and infinities as "null". So integers are exact up to 2^63 - 1, and a whole Double
// read back after write() may come back as an Int with the same value.
// A number too large for a double ("1e400") is an error; one too small for it ("1e-400") is 0.
// Strings: stored as UTF-8; `\uXXXX` escapes (with surrogate pairs) are decoded; invalid UTF-8,
// a lone surrogate, raw control characters below 0x20 are errors. The writer escapes '"', '\\'
// and control characters only (other text goes out as UTF-8, as JSON.stringify does).
// Objects: keep their keys in the order they were read or added (Socket.IO peers and students
// both expect to see what they sent). A duplicate key in a text is allowed and read as
// JavaScript's JSON.parse reads it: one member, at the place of the first occurrence, with the
// value of the last ({"a":1,"b":2,"a":3} reads as {"a":3,"b":2}).
// Bytes: a Value may also hold raw bytes. That is NOT JSON: it is how a Socket.IO argument
// carries a binary attachment (socketio replaces it by a placeholder before writing).
// write() of a value that holds Bytes is a programming error (it asserts).
//
// Strict: exactly RFC 8259's grammar. No comments, no trailing commas, no single quotes, no
// leading '+' or zeros ("01"), no NaN/Infinity, no byte order mark; whitespace is only space,
// tab, CR and LF.
// Limits (named, checked, an error not a crash): kJsonMaxDepth nesting levels,
// kJsonMaxInputBytes per parse.
//
// Contract: pure functions and a plain value type; no I/O, no global state.
#pragma once

#include "looplab/core/result.hpp"

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace looplab::codec::json {

// Deeper nesting than this is refused: each level is one C++ stack frame of the parser.
// 128 arrays/objects inside each other parse; the 129th opening bracket is an error.
inline constexpr std::size_t kJsonMaxDepth = 128;
// A larger text is refused before it is read (Engine.IO's maxPayload is 1,000,000).
inline constexpr std::size_t kJsonMaxInputBytes = 16 * 1024 * 1024;

enum class Type { Null, Bool, Int, Double, String, Array, Object, Bytes };

// "null", "bool", "int", "double", "string", "array", "object", "bytes".
std::string_view type_name(Type type);

namespace detail {
// The integer types that count things; bool and the character types are not numbers here.
template <typename T>
concept CountingInteger =
    std::is_integral_v<T> && !std::is_same_v<T, bool> && !std::is_same_v<T, char> &&
    !std::is_same_v<T, signed char> && !std::is_same_v<T, unsigned char> &&
    !std::is_same_v<T, wchar_t> && !std::is_same_v<T, char8_t> && !std::is_same_v<T, char16_t> &&
    !std::is_same_v<T, char32_t>;
}   // namespace detail

class Value;
using Array = std::vector<Value>;
using Member = std::pair<std::string, Value>;
using Object = std::vector<Member>;   // in order; lookups are linear (objects here are small)

// Raw bytes inside a Value (a Socket.IO binary attachment). Its own type so that a string
// and a buffer never mix up.
struct Bytes {
    std::string data;
    bool operator==(const Bytes&) const = default;
};

class Value {
public:
    Value() = default;                                                // null
    Value(std::nullptr_t) {}                                          // NOLINT: null
    Value(bool b) : data_(b) {}                                       // NOLINT
    Value(int i) : data_(static_cast<std::int64_t>(i)) {}             // NOLINT
    Value(std::int64_t i) : data_(i) {}                               // NOLINT
    Value(std::uint32_t i) : data_(static_cast<std::int64_t>(i)) {}   // NOLINT
    // Any other integer type (std::size_t, long long, short...): an Int, or a Double for an
    // unsigned value above 2^63 - 1. Characters and bool are not numbers here.
    template <detail::CountingInteger Integer>
    Value(Integer i) : data_(from_integer(i)) {}           // NOLINT
    Value(double d) : data_(d) {}                          // NOLINT
    Value(const char* s) : data_(std::string{s}) {}        // NOLINT
    Value(std::string s) : data_(std::move(s)) {}          // NOLINT
    Value(std::string_view s) : data_(std::string{s}) {}   // NOLINT
    Value(Array a) : data_(std::move(a)) {}                // NOLINT
    Value(Object o) : data_(std::move(o)) {}               // NOLINT
    Value(Bytes b) : data_(std::move(b)) {}                // NOLINT

    // Builders that read like the JSON they make:
    //     json::Value::object({{"room", "lobby"}, {"count", 3}})
    static Value array(std::initializer_list<Value> items = {}) { return Value{Array(items)}; }
    static Value object(std::initializer_list<Member> members = {}) {
        return Value{Object(members)};
    }
    static Value bytes(std::string data) { return Value{Bytes{std::move(data)}}; }

    Type type() const { return static_cast<Type>(data_.index()); }
    bool is_null() const { return type() == Type::Null; }
    bool is_bool() const { return type() == Type::Bool; }
    bool is_int() const { return type() == Type::Int; }
    bool is_double() const { return type() == Type::Double; }
    bool is_number() const { return is_int() || is_double(); }
    bool is_string() const { return type() == Type::String; }
    bool is_array() const { return type() == Type::Array; }
    bool is_object() const { return type() == Type::Object; }
    bool is_bytes() const { return type() == Type::Bytes; }

    // The as_...() accessors assert the type: check it first with is_...() when input is not
    // trusted. as_double() also accepts an Int.
    bool as_bool() const;
    std::int64_t as_int() const;
    double as_double() const;
    const std::string& as_string() const;
    std::string& as_string();
    const Array& as_array() const;
    Array& as_array();
    const Object& as_object() const;
    Object& as_object();
    const std::string& as_bytes() const;   // the raw bytes of a Bytes value

    // Make this value an empty string, array or object and return it, to be filled where it
    // stays: the parser builds every value in place instead of moving it there when done.
    std::string& emplace_string() { return data_.emplace<std::string>(); }
    Array& emplace_array() { return data_.emplace<Array>(); }
    Object& emplace_object() { return data_.emplace<Object>(); }

    // Object lookup: nullptr when this is not an object or has no such key. A parsed object has
    // no duplicate keys; in one built by hand with duplicates, the last one wins.
    const Value* find(std::string_view key) const;
    Value* find(std::string_view key);
    // Object member access that must exist (asserts), and array element access (asserts).
    const Value& operator[](std::string_view key) const;
    const Value& operator[](std::size_t index) const;
    const Value& operator[](int index) const { return (*this)[static_cast<std::size_t>(index)]; }
    // Sets `key`: replaces the value find(key) would return, in place, else appends a member.
    // Asserts an object.
    void set(std::string key, Value value);
    // Appends to an array (asserts an array).
    void push_back(Value value);
    // Number of elements of an array or members of an object; 0 otherwise.
    std::size_t size() const;

    // True if this value or anything inside it holds Bytes.
    bool has_bytes() const;

    // Deep equality, type included: Int 1 and Double 1.0 are different values here (although
    // both are written "1"), and object members must be in the same order.
    bool operator==(const Value& other) const = default;

private:
    using Storage =
        std::variant<std::nullptr_t, bool, std::int64_t, double, std::string, Array, Object, Bytes>;

    template <typename Integer>
    static Storage from_integer(Integer i) {
        if constexpr (std::is_unsigned_v<Integer> && sizeof(Integer) >= sizeof(std::int64_t)) {
            if (i > static_cast<Integer>(std::numeric_limits<std::int64_t>::max()))
                return static_cast<double>(i);
        }
        return static_cast<std::int64_t>(i);
    }

    Storage data_{nullptr};
};

// Why a text is not JSON, and where: "json: expected ',' or ']' at byte 12".
struct ParseError {
    std::string what;           // the whole message, position included (as above)
    std::size_t position = 0;   // byte offset of the first byte that could not be accepted
                                // (text.size() when the text ended too early)
};

// Parses exactly one JSON text (whitespace around it allowed, nothing else after it).
[[nodiscard]] Result<Value> parse(std::string_view text);
// The same, into `out` (null after an error): the caller's Value is built in place, not
// moved there (the Socket.IO decoder parses every event's payload straight into its packet).
[[nodiscard]] Status parse_into(std::string_view text, Value& out);

// Like parse(), with the error's position kept apart (tests, the fuzzer, error messages).
struct ParseResult {
    Value value;
    std::optional<ParseError> error;
};
ParseResult parse_detailed(std::string_view text);

// Compact JSON (no spaces), keys in order. Asserts that the value holds no Bytes.
std::string write(const Value& value);
// Appends to `out` instead of returning a new string (the hot path reuses one buffer).
void write_to(std::string& out, const Value& value);
// Appends `text` as a JSON string literal, quotes included.
void write_string_to(std::string& out, std::string_view text);

}   // namespace looplab::codec::json
