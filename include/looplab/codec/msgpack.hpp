// looplab/codec/msgpack.hpp
//
// msgpack — MessagePack values, an encoder and a strict decoder, written here because the
// project takes no library for it. The Redis adapter (rooms across servers, lesson 19) sends
// Socket.IO packets between servers as msgpack, the way socket.io's own Redis adapter does
// (`[uid, packet, {rooms, except, flags}]`).
// Teaches: a binary format where every value starts with one byte that says its type and,
// for small values, the value itself; and how to decode untrusted lengths without trusting them.
// Read: PROTOCOLS-redis-store.md §5, and the spec (msgpack/msgpack spec.md).
//
//     using namespace looplab::codec;
//     msgpack::Value packet = msgpack::Value::array({"uid", 2, msgpack::Value::map({{"rooms",
//     msgpack::Value::array({"lobby"})}})}); std::string wire = msgpack::encode(packet);     // 93
//     a3 75 69 64 02 81 a5 72 6f ... auto back = msgpack::decode(wire);              //
//     Result<Value>: the same value
//
// The first byte (big-endian lengths and numbers after it):
//
//   00-7f positive fixint   80-8f fixmap     90-9f fixarray   a0-bf fixstr   c0 nil
//   c1 never used           c2/c3 false/true c4-c6 bin 8/16/32                c7-c9 ext 8/16/32
//   ca/cb float 32/64       cc-cf uint 8..64 d0-d3 int 8..64  d4-d8 fixext   d9-db str 8/16/32
//   dc/dd array 16/32       de/df map 16/32  e0-ff negative fixint (-32..-1)
//
// Encoding always picks the shortest form (5 is `05`, 200 is `cc c8`, -33 is `d0 df`); a
// Float32 stays 4 bytes, a Float64 8. Decoding accepts any form (`cc 05` is 5 too).
//
// Integers: one value type for each side of 2^63. An Int holds every integer from -2^63 to
// 2^63 - 1 however it was encoded (`cc 05`, `d0 05` and `05` all decode to Int 5); a UInt
// holds only those from 2^63 to 2^64 - 1. So two equal numbers are always equal Values.
// Strings: their bytes are kept as they are, not checked as UTF-8 (the spec leaves that to
// the implementation, and JavaScript peers can send lone surrogates).
// Ext (c7-c9, d4-d8, including the timestamp, ext -1): refused with an error naming the ext
// type; nothing in looplab sends one.
//
// Strict decoding: 0xc1, ext, a value cut short, and (for decode()) bytes after the value are
// errors, as are the limits below. Every length is checked against the bytes actually there
// before anything is read or allocated, so a 5-byte input that claims a 4 GiB string costs
// nothing. For a stream, decode_prefix() says "need more" rather than "error" for a value cut
// short: call it again with more bytes.
//
// Contract: pure functions and a plain value type; no I/O, no global state.
#pragma once

#include "looplab/codec/json.hpp"
#include "looplab/core/result.hpp"

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace looplab::codec::msgpack {

// Deepest nesting of arrays and maps accepted; deeper is an error (each level is one C++
// stack frame of the decoder). The encoder has the same limit, and asserts it.
inline constexpr std::size_t kMsgpackMaxDepth = 128;
// Most elements in one array, or pairs in one map: a larger declared count is an error
// before any element is read.
inline constexpr std::size_t kMsgpackMaxContainerLength = 16 * 1024 * 1024;
// Longest str or bin, in bytes: a larger declared length is an error before any byte of it
// is copied (Redis' own proto-max-bulk-len is 512 MB; one Socket.IO packet is far less).
inline constexpr std::size_t kMsgpackMaxStringBytes = 64 * 1024 * 1024;
// Most values in one decoded value, counting every element at every level: each 1-byte
// fixint or nil becomes a whole Value in memory (~40x its size), so the total is bounded.
inline constexpr std::size_t kMsgpackMaxValues = 4 * 1024 * 1024;

struct DecodeLimits {
    std::size_t max_depth = kMsgpackMaxDepth;
    std::size_t max_container_length = kMsgpackMaxContainerLength;
    std::size_t max_string_bytes = kMsgpackMaxStringBytes;
    std::size_t max_values = kMsgpackMaxValues;
};

enum class Type { Nil, Bool, Int, UInt, Float32, Float64, String, Binary, Array, Map };

// "nil", "bool", "int", "uint", "float32", "float64", "str", "bin", "array", "map".
std::string_view type_name(Type type);

class Value;
using Array = std::vector<Value>;
using Map = std::vector<std::pair<Value, Value>>;   // in order; keys may be any value
// Raw bytes (msgpack's bin): its own type so that a str and a bin never mix up.
struct Binary {
    std::string data;
    bool operator==(const Binary&) const = default;
};

class Value {
public:
    Value() = default;                                            // nil
    Value(std::nullptr_t) {}                                      // NOLINT: nil
    Value(bool b) : data_(b) {}                                   // NOLINT
    Value(int i) : data_(static_cast<std::int64_t>(i)) {}         // NOLINT
    Value(long i) : data_(static_cast<std::int64_t>(i)) {}        // NOLINT
    Value(long long i) : data_(static_cast<std::int64_t>(i)) {}   // NOLINT
    Value(unsigned i) : data_(static_cast<std::int64_t>(i)) {}    // NOLINT
    // Above 2^63 - 1 a UInt, else an Int (see "Integers" above).
    Value(unsigned long i) : data_(from_unsigned(i)) {}        // NOLINT
    Value(unsigned long long i) : data_(from_unsigned(i)) {}   // NOLINT
    Value(float f) : data_(f) {}                               // NOLINT: Float32
    Value(double d) : data_(d) {}                              // NOLINT: Float64
    Value(const char* s) : data_(std::string{s}) {}            // NOLINT
    Value(std::string s) : data_(std::move(s)) {}              // NOLINT
    Value(std::string_view s) : data_(std::string{s}) {}       // NOLINT
    Value(Binary b) : data_(std::move(b)) {}                   // NOLINT
    Value(Array a) : data_(std::move(a)) {}                    // NOLINT
    Value(Map m) : data_(std::move(m)) {}                      // NOLINT

    static Value array(std::initializer_list<Value> items = {}) { return Value{Array(items)}; }
    static Value map(std::initializer_list<std::pair<Value, Value>> pairs = {}) {
        return Value{Map(pairs)};
    }
    static Value binary(std::string bytes) { return Value{Binary{std::move(bytes)}}; }

    Type type() const { return static_cast<Type>(data_.index()); }
    bool is_nil() const { return type() == Type::Nil; }

    // The as_...() accessors assert the type: check type() first when input is not trusted.
    bool as_bool() const;
    std::int64_t as_int() const;
    std::uint64_t as_uint() const;
    float as_float32() const;
    double as_float64() const;
    const std::string& as_string() const;   // a str
    const std::string& as_binary() const;   // the bytes of a bin
    const Array& as_array() const;
    const Map& as_map() const;

    // Map lookup by str key: nullptr when this is not a map or has no such key.
    const Value* find(std::string_view key) const;

    // Deep equality, type included (Float32 1 and Float64 1 differ; a NaN equals no NaN,
    // as for doubles).
    bool operator==(const Value& other) const = default;

private:
    using Storage = std::variant<std::nullptr_t, bool, std::int64_t, std::uint64_t, float, double,
                                 std::string, Binary, Array, Map>;

    static Storage from_unsigned(unsigned long long i) {
        if (i > static_cast<unsigned long long>(INT64_MAX)) return static_cast<std::uint64_t>(i);
        return static_cast<std::int64_t>(i);
    }

    Storage data_{nullptr};
};

// ---- encoding ------------------------------------------------------------------------------

// Appends the shortest msgpack form of `value` to `out`. Asserts kMsgpackMaxDepth and that
// every length fits in 32 bits (the format's own limit).
void encode_to(std::string& out, const Value& value);
std::string encode(const Value& value);

// ---- decoding ------------------------------------------------------------------------------

// Every way decoding can stop, named once.
enum class DecodeStatus : std::uint8_t {
    Done,                   // a whole value was read
    NeedMore,               // the bytes end inside a value (decode(): an error, "truncated")
    NeverUsedByte,          // 0xc1, which the spec reserves forever
    ExtensionUnsupported,   // an ext / fixext value (its type is in DecodeResult::ext_type)
    TooDeep,                // arrays / maps nested deeper than max_depth
    ContainerTooLong,       // an array or map declaring more than max_container_length
    StringTooLong,          // a str or bin declaring more than max_string_bytes
    TooManyValues,          // more than max_values values in all
    TrailingBytes,          // decode() only: bytes left after the one value
};

// "the bytes end inside a value", "0xc1 (never used)", ...
std::string_view describe(DecodeStatus status);

struct DecodeResult {
    DecodeStatus status = DecodeStatus::NeedMore;
    Value value;                // Done: the value
    std::size_t position = 0;   // Done: bytes the value took; otherwise the offset of the
                                // byte where decoding stopped (the size, for NeedMore)
    std::int8_t ext_type = 0;   // ExtensionUnsupported: the application's ext type
};

// Reads one value from the start of `bytes`; what follows it is left alone (position says
// where it ends). Never reads past `bytes`.
DecodeResult decode_prefix(std::span<const std::uint8_t> bytes, const DecodeLimits& limits = {});
DecodeResult decode_prefix(std::string_view bytes, const DecodeLimits& limits = {});

// Exactly one value, nothing after it. The error reads like
// "msgpack: ext type 1 is not supported (at byte 10)".
[[nodiscard]] Result<Value> decode(std::span<const std::uint8_t> bytes,
                                   const DecodeLimits& limits = {});
[[nodiscard]] Result<Value> decode(std::string_view bytes, const DecodeLimits& limits = {});

// ---- JSON values (Socket.IO packets) -------------------------------------------------------

// A json::Value as msgpack, the way JavaScript's encoders (notepack.io) write a parsed JSON
// value: null -> nil, a Double with a whole value within +-2^53 -> Int (JavaScript has one
// number type), other Doubles -> Float64, object -> map with str keys, Bytes -> bin.
Value from_json(const json::Value& value);
// Back to a json::Value: Float32 and UInt become Double (json's rule for numbers), bin
// becomes Bytes, a map becomes an object; an Int or UInt key becomes its decimal text (as in
// JavaScript); any other non-str key is an error ("msgpack: a map key of type array has no
// JSON form").
[[nodiscard]] Result<json::Value> to_json(const Value& value);

}   // namespace looplab::codec::msgpack
