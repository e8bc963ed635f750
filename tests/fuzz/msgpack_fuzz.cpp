// tests/fuzz/msgpack_fuzz.cpp — libFuzzer target for the msgpack codec.
//
// Checks, for any bytes:
//   1. decode_prefix() of every prefix (all of them for short inputs, else cut points taken
//      from the input), each copied to a buffer of exactly its size so ASan sees any overread,
//      says "need more" or gives exactly what the whole input gives (the same value or the
//      same error at the same byte): truncation is never mistaken for something else;
//   2. a decoded value encodes to at most the bytes it was read from (the encoder picks the
//      shortest forms), and those bytes decode to a value that encodes to the same bytes
//      (one canonical form);
//   3. decode() agrees with decode_prefix(): Done exactly when the value ends the input;
//   4. to_json() never crashes, and after one trip through JSON a second changes nothing.
//
// Build and run: `make fuzz` (tests/fuzz/run), or by hand after `make fuzz` built the library:
//   clang++ -std=c++20 -g -O1 -Iinclude -fsanitize=fuzzer,address,undefined \
//       tests/fuzz/msgpack_fuzz.cpp build/fuzz/liblooplab.a -lfmt -o /tmp/msgpack_fuzz
//   /tmp/msgpack_fuzz -max_total_time=60 tests/fuzz/corpus/msgpack
#include "looplab/codec/msgpack.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

namespace {

namespace msgpack = looplab::codec::msgpack;
using msgpack::DecodeStatus;
using Bytes = std::span<const std::uint8_t>;

void expect(bool condition, const char* what) {
    if (condition) return;
    std::fprintf(stderr, "msgpack_fuzz: %s\n", what);
    std::abort();
}

msgpack::DecodeLimits small_limits() {
    msgpack::DecodeLimits limits;   // small, so the fuzzer reaches them
    limits.max_depth = 8;
    limits.max_container_length = 64;
    limits.max_string_bytes = 256;
    return limits;
}

bool same(const msgpack::DecodeResult& a, const msgpack::DecodeResult& b) {
    if (a.status != b.status || a.position != b.position) return false;
    if (a.status == DecodeStatus::ExtensionUnsupported) return a.ext_type == b.ext_type;
    // Values compare by their encoding: a NaN is not == itself, but its bytes are.
    return a.status != DecodeStatus::Done || msgpack::encode(a.value) == msgpack::encode(b.value);
}

void check_prefix(Bytes bytes, std::size_t length, const msgpack::DecodeResult& whole) {
    const std::vector<std::uint8_t> piece(bytes.begin(), bytes.begin() + length);
    const auto result = msgpack::decode_prefix(Bytes{piece.data(), piece.size()}, small_limits());
    if (result.status == DecodeStatus::NeedMore) {
        expect(result.position == length, "need more, but not at the end of the bytes");
        expect(!(whole.status == DecodeStatus::Done && whole.position <= length),
               "need more although the value is complete");
        // An error is reported at its value's first byte, and known at most a 5-byte header
        // and an ext type byte later: with that much in hand, "need more" is wrong.
        const bool is_error =
            whole.status != DecodeStatus::Done && whole.status != DecodeStatus::NeedMore;
        expect(!(is_error && length >= whole.position + 6),
               "need more where the error was already known");
        return;
    }
    expect(same(result, whole), "a prefix decodes differently from the whole input");
}

}   // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const Bytes bytes{data, size};
    const auto whole = msgpack::decode_prefix(bytes, small_limits());

    // 1. Prefixes.
    if (size <= 128) {
        for (std::size_t length = 0; length < size; ++length) check_prefix(bytes, length, whole);
    } else {
        check_prefix(bytes, data[0] * 131u % size, whole);
        check_prefix(bytes, data[size - 1] * 257u % size, whole);
        check_prefix(bytes, size - 1, whole);
    }

    // 3. decode() of exactly one value.
    auto exact = msgpack::decode(bytes, small_limits());
    expect(exact.has_value() == (whole.status == DecodeStatus::Done && whole.position == size),
           "decode() and decode_prefix() disagree");

    if (whole.status != DecodeStatus::Done) return 0;
    // 2. Shortest form, one canonical form.
    const std::string encoded = msgpack::encode(whole.value);
    expect(encoded.size() <= whole.position, "the encoder wrote a longer form than it read");
    const auto again = msgpack::decode_prefix(encoded, small_limits());
    expect(again.status == DecodeStatus::Done && again.position == encoded.size(),
           "the encoder wrote bytes the decoder refuses");
    expect(msgpack::encode(again.value) == encoded, "encode(decode(encode(v))) != encode(v)");

    // 4. JSON conversion: after one trip through JSON, a second trip changes nothing
    //    (compared as bytes: a NaN is not == itself, and 3.0 comes back as the Int 3).
    auto as_json = msgpack::to_json(whole.value);
    if (as_json) {
        const msgpack::Value once = msgpack::from_json(*as_json);
        auto back = msgpack::to_json(once);
        expect(back.has_value(), "to_json refused what from_json made");
        expect(msgpack::encode(msgpack::from_json(*back)) == msgpack::encode(once),
               "a second trip through JSON changed the value");
    }
    return 0;
}
