// looplab/codec/msgpack_encode.cpp
//
// The encoder: one function per kind of value, each choosing the shortest form, every number
// written big-endian by one helper (put_be).
#include "looplab/codec/msgpack.hpp"

#include "looplab/core/assert.hpp"

#include <bit>
#include <cstring>
#include <limits>

namespace looplab::codec::msgpack {

namespace {

// `byte` then the low `width` bytes of `number`, most significant first.
void put_be(std::string& out, std::uint8_t byte, std::uint64_t number, int width) {
    out += static_cast<char>(byte);
    for (int shift = (width - 1) * 8; shift >= 0; shift -= 8)
        out += static_cast<char>((number >> shift) & 0xff);
}

void put_unsigned(std::string& out, std::uint64_t n) {
    if (n <= 0x7f) out += static_cast<char>(n);   // positive fixint: the byte is the value
    else if (n <= 0xff) put_be(out, 0xcc, n, 1);
    else if (n <= 0xffff) put_be(out, 0xcd, n, 2);
    else if (n <= 0xffffffff) put_be(out, 0xce, n, 4);
    else put_be(out, 0xcf, n, 8);
}

void put_signed(std::string& out, std::int64_t n) {
    if (n >= 0) return put_unsigned(out, static_cast<std::uint64_t>(n));
    const auto bits = static_cast<std::uint64_t>(n);       // two's complement, cut to width below
    if (n >= -32) out += static_cast<char>(bits & 0xff);   // negative fixint: e0..ff
    else if (n >= std::numeric_limits<std::int8_t>::min()) put_be(out, 0xd0, bits, 1);
    else if (n >= std::numeric_limits<std::int16_t>::min()) put_be(out, 0xd1, bits, 2);
    else if (n >= std::numeric_limits<std::int32_t>::min()) put_be(out, 0xd2, bits, 4);
    else put_be(out, 0xd3, bits, 8);
}

// A length for a family of three forms (8/16/32-bit length), or the fix form when `fix_max`
// allows it. `fix_max` is 0 for bin, which has no fix form.
void put_length(std::string& out, std::size_t n, std::uint8_t fix_base, std::size_t fix_max,
                std::uint8_t first_of_three, bool has_8bit_form) {
    LOOPLAB_ASSERT(n <= 0xffffffff, "msgpack cannot hold a str, bin, array or map of 2^32 or more");
    if (fix_max > 0 && n <= fix_max) out += static_cast<char>(fix_base | n);
    else if (has_8bit_form && n <= 0xff) put_be(out, first_of_three, n, 1);
    else if (n <= 0xffff) put_be(out, first_of_three + (has_8bit_form ? 1 : 0), n, 2);
    else put_be(out, first_of_three + (has_8bit_form ? 2 : 1), n, 4);
}

void encode_at(std::string& out, const Value& value, std::size_t depth) {
    switch (value.type()) {
        case Type::Nil: out += '\xc0'; return;
        case Type::Bool: out += value.as_bool() ? '\xc3' : '\xc2'; return;
        case Type::Int: return put_signed(out, value.as_int());
        case Type::UInt: return put_unsigned(out, value.as_uint());
        case Type::Float32:
            return put_be(out, 0xca, std::bit_cast<std::uint32_t>(value.as_float32()), 4);
        case Type::Float64:
            return put_be(out, 0xcb, std::bit_cast<std::uint64_t>(value.as_float64()), 8);
        case Type::String: {
            const std::string& text = value.as_string();
            put_length(out, text.size(), 0xa0, 31, 0xd9, true);   // fixstr, str 8/16/32
            out += text;
            return;
        }
        case Type::Binary: {
            const std::string& bytes = value.as_binary();
            put_length(out, bytes.size(), 0, 0, 0xc4, true);   // bin 8/16/32
            out += bytes;
            return;
        }
        case Type::Array:
        case Type::Map: break;
    }
    LOOPLAB_ASSERT(depth < kMsgpackMaxDepth, "msgpack value nested deeper than kMsgpackMaxDepth");
    if (value.type() == Type::Array) {
        const Array& items = value.as_array();
        put_length(out, items.size(), 0x90, 15, 0xdc, false);   // fixarray, array 16/32
        for (const Value& item : items) encode_at(out, item, depth + 1);
        return;
    }
    const Map& pairs = value.as_map();
    put_length(out, pairs.size(), 0x80, 15, 0xde, false);   // fixmap, map 16/32
    for (const auto& [key, item] : pairs) {
        encode_at(out, key, depth + 1);
        encode_at(out, item, depth + 1);
    }
}

}   // namespace

void encode_to(std::string& out, const Value& value) { encode_at(out, value, 0); }

std::string encode(const Value& value) {
    std::string out;
    encode_to(out, value);
    return out;
}

}   // namespace looplab::codec::msgpack
