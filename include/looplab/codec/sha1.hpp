// looplab/codec/sha1.hpp
//
// Sha1 — the SHA-1 hash (FIPS 180-4): any number of bytes in, 20 bytes out.
// Teaches: how a hash eats a message in fixed 64-byte blocks, and why it can be fed in pieces.
// Used by: the WebSocket handshake, Sec-WebSocket-Accept = base64(SHA-1(key + GUID)) (RFC 6455
// section 4.2.2); seen in lessons/17-websocket-framer.
//
//     Sha1 hash;
//     hash.update("The quick brown fox ");   // pieces of any size, in order...
//     hash.update("jumps over the lazy dog");
//     to_hex(hash.finish());                  // ...give "2fd4e1c6...93eb12", same as one piece
//
// SECURITY: SHA-1 is broken for collision resistance (two different inputs with the same
// digest were published in 2017, "SHAttered"). Never use it to sign or to check that data
// was not tampered with. WebSocket uses it only as a fixed, public transformation that proves
// the server understood the handshake; no secret and no security rests on it there.
//
// Contract: a plain value, no threads, no allocation. A message may be at most 2^61 - 1 bytes
// long (its length in bits must fit the 64-bit field of the padding); nobody will get there.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace looplab::codec {

// The 160-bit result, most significant byte first, as printed by `sha1sum`.
using Sha1Digest = std::array<std::uint8_t, 20>;

class Sha1 final {
public:
    // Adds the next bytes of the message. Cutting the message into pieces anywhere never
    // changes the digest: bytes wait in a small buffer until a 64-byte block is full.
    void update(std::span<const std::uint8_t> bytes);
    void update(std::string_view text);

    // Pads the message, hashes the last block(s) and returns the digest. The object then
    // starts over, ready to hash a new message.
    Sha1Digest finish();

private:
    static constexpr std::size_t kBlockSize = 64;   // SHA-1 works on 512-bit blocks

    void compress(const std::uint8_t* block);   // mixes one full block into state_
    void start_over();

    // The five 32-bit words "H0..H4" of FIPS 180-4 section 5.3.1; the digest is their bytes.
    std::array<std::uint32_t, 5> state_ = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476,
                                           0xC3D2E1F0};
    std::array<std::uint8_t, kBlockSize> pending_{};   // bytes of a block not yet full
    std::size_t pending_size_ = 0;
    std::uint64_t message_size_ = 0;   // in bytes; padding writes it in bits
};

// One-shot form: sha1("abc") is Sha1 fed "abc" once.
Sha1Digest sha1(std::string_view text);
Sha1Digest sha1(std::span<const std::uint8_t> bytes);

// Lowercase hex, two digits per byte: to_hex(sha1("abc")) == "a9993e36...9cd0d89d".
std::string to_hex(std::span<const std::uint8_t> bytes);

}   // namespace looplab::codec
