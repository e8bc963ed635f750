// looplab/codec/sha1.cpp
//
// SHA-1 in three steps, named as in FIPS 180-4:
//
//   1. Padding (section 5.1.1). The message is made a multiple of 64 bytes:
//
//        | message bytes ... | 0x80 | 0x00 ... 0x00 | message length in bits, 8 bytes, big-endian |
//                                                  ^ the last block ends here, at a multiple of 64
//
//      The 0x80 is a single 1 bit that marks where the message ends, so "abc" and "abc\0"
//      pad differently. If fewer than 9 bytes are left in the last block, the padding spills
//      into one more block.
//
//   2. Message schedule (section 6.1.2, step 1). Each 64-byte block is read as 16 big-endian
//      32-bit words W[0..15], then stretched to 80 words:
//          W[t] = rotl1(W[t-3] ^ W[t-8] ^ W[t-14] ^ W[t-16])        for t = 16..79
//      so every input bit influences many of the 80 steps.
//
//   3. Compression (steps 2-4). Five working words a..e start as the current state. Each of
//      80 steps mixes in one schedule word; the steps come in four rounds of 20, and each
//      round has its own boolean function f and constant K:
//
//        steps   f(b, c, d)                          K            reads as
//        0-19    (b & c) | (~b & d)                  0x5A827999   "choose": b picks c or d
//        20-39   b ^ c ^ d                           0x6ED9EBA1   "parity"
//        40-59   (b & c) | (b & d) | (c & d)         0x8F1BBCDC   "majority" of the three bits
//        60-79   b ^ c ^ d                           0xCA62C1D6   "parity" again
//
//      (The constants are 2^30 times the square roots of 2, 3, 5 and 10: "nothing up my
//      sleeve" numbers.) After the 80 steps, a..e are added to the state, word by word, mod 2^32.
//
// The state after the last block is the digest. Because only the state and a partial block
// carry over between blocks, the hash can be fed in pieces of any size.
#include "looplab/codec/sha1.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

namespace looplab::codec {

namespace {

std::uint32_t read_big_endian_32(const std::uint8_t* p) {
    return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 |
           std::uint32_t{p[3]};
}

void write_big_endian_32(std::uint32_t word, std::uint8_t* out) {
    out[0] = static_cast<std::uint8_t>(word >> 24);
    out[1] = static_cast<std::uint8_t>(word >> 16);
    out[2] = static_cast<std::uint8_t>(word >> 8);
    out[3] = static_cast<std::uint8_t>(word);
}

// Step 2: 16 words from the block, 64 more computed from them.
std::array<std::uint32_t, 80> message_schedule(const std::uint8_t* block) {
    std::array<std::uint32_t, 80> w;
    for (std::size_t t = 0; t < 16; ++t) w[t] = read_big_endian_32(block + 4 * t);
    for (std::size_t t = 16; t < 80; ++t)
        w[t] = std::rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
    return w;
}

// The round function and constant of step t (the table at the top of this file).
struct RoundMix {
    std::uint32_t f;
    std::uint32_t k;
};

RoundMix round_mix(std::size_t t, std::uint32_t b, std::uint32_t c, std::uint32_t d) {
    if (t < 20) return {(b & c) | (~b & d), 0x5A827999};
    if (t < 40) return {b ^ c ^ d, 0x6ED9EBA1};
    if (t < 60) return {(b & c) | (b & d) | (c & d), 0x8F1BBCDC};
    return {b ^ c ^ d, 0xCA62C1D6};
}

}   // namespace

// Step 3: 80 steps over the working words, then add them into the state.
void Sha1::compress(const std::uint8_t* block) {
    const auto w = message_schedule(block);
    auto [a, b, c, d, e] = state_;

    for (std::size_t t = 0; t < 80; ++t) {
        const auto [f, k] = round_mix(t, b, c, d);
        // All additions are mod 2^32, which is what unsigned 32-bit arithmetic does anyway.
        const std::uint32_t next_a = std::rotl(a, 5) + f + e + k + w[t];
        e = d;
        d = c;
        c = std::rotl(b, 30);
        b = a;
        a = next_a;
    }

    state_[0] += a;
    state_[1] += b;
    state_[2] += c;
    state_[3] += d;
    state_[4] += e;
}

void Sha1::update(std::span<const std::uint8_t> bytes) {
    if (bytes.empty()) return;   // an empty span may hold a null pointer, which memcpy forbids
    message_size_ += bytes.size();

    // First top up a block left over from an earlier update().
    if (pending_size_ > 0) {
        const std::size_t take = std::min(kBlockSize - pending_size_, bytes.size());
        std::memcpy(pending_.data() + pending_size_, bytes.data(), take);
        pending_size_ += take;
        bytes = bytes.subspan(take);
        if (pending_size_ < kBlockSize) return;   // still not full: wait for more
        compress(pending_.data());
        pending_size_ = 0;
    }

    // Whole blocks straight from the caller's memory, no copy.
    while (bytes.size() >= kBlockSize) {
        compress(bytes.data());
        bytes = bytes.subspan(kBlockSize);
    }

    // Keep the tail for next time (or for finish()).
    if (!bytes.empty()) std::memcpy(pending_.data(), bytes.data(), bytes.size());
    pending_size_ = bytes.size();
}

void Sha1::update(std::string_view text) {
    update(std::span{reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
}

// Step 1, then the digest.
Sha1Digest Sha1::finish() {
    const std::uint64_t message_bits = message_size_ * 8;

    // The 0x80 marker always fits: pending_ is never full between calls.
    pending_[pending_size_++] = 0x80;

    // No room for the 8-byte length in this block: zero-fill it, hash it, use one more.
    if (pending_size_ > kBlockSize - 8) {
        std::memset(pending_.data() + pending_size_, 0, kBlockSize - pending_size_);
        compress(pending_.data());
        pending_size_ = 0;
    }
    std::memset(pending_.data() + pending_size_, 0, kBlockSize - 8 - pending_size_);
    for (std::size_t i = 0; i < 8; ++i)   // big-endian: most significant byte first
        pending_[kBlockSize - 8 + i] = static_cast<std::uint8_t>(message_bits >> (56 - 8 * i));
    compress(pending_.data());

    Sha1Digest digest{};
    for (std::size_t i = 0; i < state_.size(); ++i) write_big_endian_32(state_[i], &digest[4 * i]);
    start_over();
    return digest;
}

void Sha1::start_over() { *this = Sha1{}; }

Sha1Digest sha1(std::span<const std::uint8_t> bytes) {
    Sha1 hash;
    hash.update(bytes);
    return hash.finish();
}

Sha1Digest sha1(std::string_view text) {
    Sha1 hash;
    hash.update(text);
    return hash.finish();
}

std::string to_hex(std::span<const std::uint8_t> bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(2 * bytes.size());
    for (const std::uint8_t byte : bytes) {
        hex += kDigits[byte >> 4];
        hex += kDigits[byte & 0x0F];
    }
    return hex;
}

}   // namespace looplab::codec
