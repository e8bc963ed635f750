// tests/fuzz/utf8_fuzz.cpp — libFuzzer target for codec::Utf8Validator.
//
// Checks, for any bytes:
//   1. the one-shot verdict equals a slow reference decoder written here from the definition
//      (decode each code point with shifts and masks, then reject overlong forms, surrogates
//      and anything above U+10FFFF), which shares no table with the DFA;
//   2. fed in three pieces cut at points taken from the input, the validator gives the same
//      verdict, and the first feed() to say false is the one holding the first bad byte;
//   3. it fails as early as possible: fed byte by byte, it first says false at byte k exactly
//      when bytes [0, k) can still be completed into valid UTF-8 and bytes [0, k] cannot.
//
// Build and run (about 30 s):
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude \
//       tests/fuzz/utf8_fuzz.cpp src/codec/utf8.cpp -o /tmp/utf8_fuzz
//   /tmp/utf8_fuzz -max_total_time=30 tests/fuzz/corpus/utf8
#include "looplab/codec/utf8.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <utility>

namespace {

using looplab::codec::is_valid_utf8;
using looplab::codec::Utf8Validator;
using Bytes = std::span<const std::uint8_t>;

void expect(bool condition, const char* what) {
    if (condition) return;
    std::fprintf(stderr, "utf8_fuzz: %s\n", what);
    std::abort();
}

// ---- The reference: slow, obvious, straight from RFC 3629 ---------------------------------

struct Reference {
    enum class Verdict { Valid, Invalid, Truncated } verdict;
    // When Truncated: the last code point's expected length, the bytes it has, and the bits
    // those bytes carried so far.
    int length = 0;
    int have = 0;
    std::uint32_t bits = 0;
};

bool is_scalar_value(std::uint32_t code_point, int length) {
    static constexpr std::uint32_t kSmallestFor[] = {0, 0, 0x80, 0x800, 0x10000};
    const bool overlong = code_point < kSmallestFor[length];
    const bool surrogate = code_point >= 0xD800 && code_point <= 0xDFFF;
    return !overlong && !surrogate && code_point <= 0x10FFFF;
}

Reference reference_decode(Bytes bytes) {
    std::size_t i = 0;
    while (i < bytes.size()) {
        const std::uint8_t lead = bytes[i];
        int length = 0;
        std::uint32_t code_point = 0;
        if (lead < 0x80) {
            length = 1;
            code_point = lead;
        } else if ((lead & 0xE0) == 0xC0) {
            length = 2;
            code_point = lead & 0x1F;
        } else if ((lead & 0xF0) == 0xE0) {
            length = 3;
            code_point = lead & 0x0F;
        } else if ((lead & 0xF8) == 0xF0) {
            length = 4;
            code_point = lead & 0x07;
        } else return {Reference::Verdict::Invalid};

        for (int k = 1; k < length; ++k) {
            if (i + k >= bytes.size())
                return {Reference::Verdict::Truncated, length, k, code_point};
            const std::uint8_t next = bytes[i + k];
            if ((next & 0xC0) != 0x80) return {Reference::Verdict::Invalid};
            code_point = code_point << 6 | (next & 0x3F);
        }
        if (!is_scalar_value(code_point, length)) return {Reference::Verdict::Invalid};
        i += length;
    }
    return {Reference::Verdict::Valid};
}

// Can some continuation bytes turn `bytes` into valid UTF-8? For a truncated last code point
// the missing bits are free, so the reachable code points are one interval [low, high]; it
// must meet the scalar values [smallest for the length, U+10FFFF] outside the surrogates.
bool can_be_completed(Bytes bytes) {
    const Reference r = reference_decode(bytes);
    if (r.verdict != Reference::Verdict::Truncated) return r.verdict == Reference::Verdict::Valid;

    static constexpr std::uint32_t kSmallestFor[] = {0, 0, 0x80, 0x800, 0x10000};
    const int missing_bits = 6 * (r.length - r.have);
    std::uint32_t low = r.bits << missing_bits;
    std::uint32_t high = low | ((1u << missing_bits) - 1);
    if (low < kSmallestFor[r.length]) low = kSmallestFor[r.length];
    if (high > 0x10FFFF) high = 0x10FFFF;
    if (low > high) return false;
    return !(low >= 0xD800 && high <= 0xDFFF);   // not only surrogates
}

// ---- The checks --------------------------------------------------------------------------

// Index of the first byte at which a byte-by-byte feed says false, or size() if none.
std::size_t first_failure_byte_by_byte(Bytes bytes, bool& complete_at_end) {
    Utf8Validator utf8;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (!utf8.feed(bytes.subspan(i, 1))) {
            complete_at_end = false;
            return i;
        }
    }
    complete_at_end = utf8.is_complete();
    return bytes.size();
}

void check_three_pieces(Bytes bytes, std::size_t fail_at, bool expected) {
    // Cut points derived from the data itself, so the fuzzer can steer them.
    const std::size_t n = bytes.size();
    std::size_t cut1 = n == 0 ? 0 : bytes[0] % (n + 1);
    std::size_t cut2 = n == 0 ? 0 : bytes[n - 1] * 7u % (n + 1);
    if (cut1 > cut2) std::swap(cut1, cut2);

    Utf8Validator utf8;
    const bool first = utf8.feed(bytes.first(cut1));
    const bool second = utf8.feed(bytes.subspan(cut1, cut2 - cut1));
    const bool third = utf8.feed(bytes.subspan(cut2));
    expect(first == (fail_at >= cut1), "first piece verdict is wrong");
    expect(second == (fail_at >= cut2), "second piece verdict is wrong");
    expect(third == (fail_at >= n), "third piece verdict is wrong");
    expect((third && utf8.is_complete()) == expected, "three pieces disagree with one piece");
}

}   // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const Bytes bytes{data, size};
    const bool expected = reference_decode(bytes).verdict == Reference::Verdict::Valid;

    // 1. One shot vs the reference.
    expect(is_valid_utf8(bytes) == expected, "is_valid_utf8 disagrees with the reference");

    // 3. Fails exactly at the first byte that makes the text impossible to complete.
    bool complete_at_end = false;
    const std::size_t fail_at = first_failure_byte_by_byte(bytes, complete_at_end);
    expect(can_be_completed(bytes.first(fail_at)), "failed at a byte that could still be valid");
    if (fail_at < size)
        expect(!can_be_completed(bytes.first(fail_at + 1)), "failed later than the first bad byte");
    expect(complete_at_end == expected, "byte-by-byte verdict disagrees with the reference");

    // 2. Three pieces vs one.
    check_three_pieces(bytes, fail_at, expected);
    return 0;
}
