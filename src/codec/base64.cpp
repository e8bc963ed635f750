// looplab/codec/base64.cpp
//
// Encoding walks the input 3 bytes at a time and writes 4 characters; decoding does the
// reverse with a 256-entry table from character to 6-bit value ("sextet"). The only subtle
// part is the end of the text, where '=' says how many bytes the last group really holds:
//
//     "xxxx"  4 sextets = 24 bits -> 3 bytes
//     "xxx="  3 sextets = 18 bits -> 2 bytes, and the last 2 bits must be zero
//     "xx=="  2 sextets = 12 bits -> 1 byte,  and the last 4 bits must be zero
//
// A decoder that ignored those leftover bits would accept "Zh==" as well as "Zg==" for "f":
// two spellings of the same bytes, which is exactly what a strict decoder must refuse.
#include "looplab/codec/base64.hpp"

#include <fmt/format.h>

#include <array>

namespace looplab::codec {

namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::uint8_t kNotInAlphabet = 0xFF;

// kSextetOf['A'] == 0 ... kSextetOf['/'] == 63; every other character, '=' included, maps to
// kNotInAlphabet. Built at compile time from kAlphabet, so the two can never disagree.
constexpr std::array<std::uint8_t, 256> kSextetOf = [] {
    std::array<std::uint8_t, 256> table{};
    table.fill(kNotInAlphabet);
    for (std::size_t i = 0; i < kAlphabet.size(); ++i)
        table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::uint8_t>(i);
    return table;
}();

char character_of(std::uint32_t sextet) { return kAlphabet[sextet & 0x3F]; }

// How many '=' end the text: 0, 1 or 2. A third '=' is left in the data, where the decoder
// reports it as misplaced padding.
std::size_t padding_size(std::string_view text) {
    if (text.ends_with("==")) return 2;
    if (text.ends_with('=')) return 1;
    return 0;
}

Error bad_character(std::string_view text, std::size_t offset) {
    if (text[offset] == '=')
        return Error::because(
            fmt::format("base64: '=' at offset {} is not padding at the end", offset));
    return Error::because(
        fmt::format("base64: character 0x{:02x} at offset {} is not in the "
                    "alphabet",
                    static_cast<unsigned char>(text[offset]), offset));
}

}   // namespace

std::string base64_encode(std::span<const std::uint8_t> bytes) {
    std::string text;
    text.reserve((bytes.size() + 2) / 3 * 4);

    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const std::uint32_t group =
            std::uint32_t{bytes[i]} << 16 | std::uint32_t{bytes[i + 1]} << 8 | bytes[i + 2];
        text += character_of(group >> 18);
        text += character_of(group >> 12);
        text += character_of(group >> 6);
        text += character_of(group);
    }

    // 1 or 2 bytes left: pad them with zero bits to whole sextets, then with '='.
    const std::size_t left = bytes.size() - i;
    if (left == 1) {
        const std::uint32_t group = std::uint32_t{bytes[i]} << 16;
        text += character_of(group >> 18);
        text += character_of(group >> 12);
        text += "==";
    } else if (left == 2) {
        const std::uint32_t group = std::uint32_t{bytes[i]} << 16 | std::uint32_t{bytes[i + 1]}
                                                                        << 8;
        text += character_of(group >> 18);
        text += character_of(group >> 12);
        text += character_of(group >> 6);
        text += '=';
    }
    return text;
}

std::string base64_encode(std::string_view text) {
    return base64_encode(
        std::span{reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
}

Result<std::vector<std::uint8_t>> base64_decode(std::string_view text) {
    if (text.size() % 4 != 0)
        return Error::because(fmt::format("base64: length {} is not a multiple of 4", text.size()));

    const std::size_t padding = padding_size(text);
    const std::size_t data_size = text.size() - padding;   // the characters that carry bits

    std::vector<std::uint8_t> bytes;
    bytes.reserve(data_size / 4 * 3 + 2);

    // Collect sextets into `bits`; every time 8 or more are waiting, the top 8 form a byte.
    std::uint32_t bits = 0;
    int bit_count = 0;
    for (std::size_t offset = 0; offset < data_size; ++offset) {
        const std::uint8_t sextet = kSextetOf[static_cast<unsigned char>(text[offset])];
        if (sextet == kNotInAlphabet) return bad_character(text, offset);

        bits = (bits << 6 | sextet) & 0xFFFFFF;   // at most 14 bits are ever still needed
        bit_count += 6;
        if (bit_count >= 8) {
            bit_count -= 8;
            bytes.push_back(static_cast<std::uint8_t>(bits >> bit_count));
        }
    }

    // 2 bits (after "xxx=") or 4 bits (after "xx==") are left over; they must be zero, or
    // the same bytes would have a second spelling. With no padding nothing is left over.
    const std::uint32_t unused_bits = bits & ((1u << bit_count) - 1);
    if (unused_bits != 0)
        return Error::because("base64: the last character before '=' has non-zero unused bits");
    return bytes;
}

}   // namespace looplab::codec
