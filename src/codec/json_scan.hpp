// src/codec/json_scan.hpp — the one speed trick shared by the JSON parser and writer (private).
//
// Most of a JSON string is "plain" bytes that go through unchanged: everything except '"',
// '\\' and the control characters below 0x20. find_special() skips a run of plain bytes eight
// at a time. It loads 8 bytes into one 64-bit word and asks, with a few integer operations on
// the whole word ("SIMD within a register"), whether any of the 8 is special:
//
//     has_zero(x) = (x - 0x0101...01) & ~x & 0x8080...80
//         a byte of x that is 0x00 borrows in the subtraction and sets its top bit; bytes of
//         x that are >= 0x80 are masked out by ~x.
//     x = word ^ 0x2222...22   -> a 0x00 byte where word had '"'
//     x = word ^ 0x5C5C...5C   -> a 0x00 byte where word had '\\'
//     (word - 0x2020...20) & ~word & 0x8080...80   -> top bit set where word had a byte < 0x20
//
// A borrow can also set a top bit in a *higher* byte than a true hit, never in a lower one, so
// the lowest set bit (the first byte in memory, on a little-endian machine) is always exact.
// On a big-endian machine the word is byte-swapped first so the same holds.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>

namespace looplab::codec::json::detail {

// True for '"', '\\' and bytes below 0x20: the bytes a JSON string cannot hold unescaped.
inline bool is_special(unsigned char byte) { return byte == '"' || byte == '\\' || byte < 0x20; }

// The first special byte in [at, end), or end. `saw_non_ascii` becomes true if a byte >= 0x80
// may be in the skipped run (it may also be set by bytes just after the special one: that only
// costs a UTF-8 check that was not needed).
inline const char* find_special(const char* at, const char* end, bool& saw_non_ascii) {
    constexpr std::uint64_t kOnes = 0x0101010101010101u;
    constexpr std::uint64_t kHighBits = 0x8080808080808080u;
    std::uint64_t high_bits_seen = 0;
    while (end - at >= 8) {
        std::uint64_t word;
        std::memcpy(&word, at, sizeof word);   // an unaligned load, without UB
        if constexpr (std::endian::native == std::endian::big) word = __builtin_bswap64(word);
        const std::uint64_t quote = word ^ (kOnes * '"');
        const std::uint64_t backslash = word ^ (kOnes * '\\');
        const std::uint64_t hits = ((quote - kOnes) & ~quote) | ((backslash - kOnes) & ~backslash) |
                                   ((word - kOnes * 0x20) & ~word);
        high_bits_seen |= word;
        if ((hits & kHighBits) != 0) {
            saw_non_ascii = saw_non_ascii || (high_bits_seen & kHighBits) != 0;
            return at + std::countr_zero(hits & kHighBits) / 8;
        }
        at += 8;
    }
    if ((high_bits_seen & kHighBits) != 0) saw_non_ascii = true;
    for (; at != end; ++at) {
        const auto byte = static_cast<unsigned char>(*at);
        if (is_special(byte)) return at;
        if (byte >= 0x80) saw_non_ascii = true;
    }
    return end;
}

}   // namespace looplab::codec::json::detail
