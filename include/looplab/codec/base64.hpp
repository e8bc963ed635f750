// looplab/codec/base64.hpp
//
// Base64 — bytes as printable text (RFC 4648 section 4: the standard alphabet A-Z a-z 0-9 + /,
// padded with '=' to a multiple of 4 characters).
// Teaches: packing 3 bytes (24 bits) into 4 characters of 6 bits each.
// Used by: the WebSocket handshake (Sec-WebSocket-Key / -Accept) and Engine.IO polling, which
// sends binary packets as "b" + base64; seen in lessons/17-websocket-framer.
//
//     bytes   'f'       'o'       'o'          3 bytes = 24 bits
//             01100110  01101111  01101111
//             011001 100110 111101 101111      4 groups of 6 bits
//     text      Z      m      9      v         "Zm9v"
//
// The last group of 1 or 2 bytes is filled with zero bits and '=': "f" -> "Zg==", "fo" -> "Zm8=".
//
// Contract: pure functions, no state. The decoder is strict: it accepts exactly the strings
// base64_encode() can produce, so every byte string has one spelling and decode(encode(x)) == x,
// encode(decode(s)) == s. No whitespace, no line breaks, no missing padding, no URL-safe
// alphabet ('-' and '_'), no stray bits in the last character.
#pragma once

#include "looplab/core/result.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace looplab::codec {

// Always succeeds; the text is 4 * ceil(n / 3) characters long.
std::string base64_encode(std::span<const std::uint8_t> bytes);
std::string base64_encode(std::string_view text);

// The bytes `text` spells, or an Error naming the first rule it breaks, one of:
//   "base64: length 6 is not a multiple of 4"
//   "base64: character 0x21 at offset 4 is not in the alphabet"
//   "base64: '=' at offset 1 is not padding at the end"
//   "base64: the last character before '=' has non-zero unused bits"
// The empty string decodes to no bytes.
[[nodiscard]] Result<std::vector<std::uint8_t>> base64_decode(std::string_view text);

}   // namespace looplab::codec
