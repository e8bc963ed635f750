// looplab/ws/frame.cpp
#include "looplab/ws/frame.hpp"

#include <bit>
#include <cstring>

namespace looplab::ws {

std::string_view to_string(Opcode opcode) {
    switch (opcode) {
        case Opcode::Continuation: return "continuation";
        case Opcode::Text: return "text";
        case Opcode::Binary: return "binary";
        case Opcode::Close: return "close";
        case Opcode::Ping: return "ping";
        case Opcode::Pong: return "pong";
    }
    return "reserved";
}

// Masking is the hot loop of every server (each byte a client sends passes through it), so it
// works on 8 bytes at a time: the 4-byte key, rotated to line up with `offset` and written
// twice, is one 64-bit word. memcpy (not a pointer cast) keeps unaligned loads legal; the
// compiler turns it into plain loads and stores. Byte order does not matter, since the key
// word and the data word are laid out the same way.
void apply_mask(std::span<std::uint8_t> bytes, MaskingKey key, std::size_t offset) {
    // The key as it lies in memory, turned so that its first byte is key[offset % 4]: a
    // rotation of the 32-bit word, whose direction depends on the byte order.
    std::uint32_t key32;
    std::memcpy(&key32, key.data(), sizeof key32);
    const int turn = static_cast<int>(offset % 4) * 8;
    key32 = std::endian::native == std::endian::little ? std::rotr(key32, turn)
                                                       : std::rotl(key32, turn);
    const std::uint64_t key_word = (std::uint64_t{key32} << 32) | key32;
    std::uint8_t rotated[8];
    std::memcpy(rotated, &key_word, sizeof rotated);

    std::uint8_t* data = bytes.data();
    const std::size_t size = bytes.size();
    std::size_t i = 0;
    for (; i + 8 <= size; i += 8) {
        std::uint64_t word;
        std::memcpy(&word, data + i, sizeof word);
        word ^= key_word;
        std::memcpy(data + i, &word, sizeof word);
    }
    for (; i < size; ++i) data[i] ^= rotated[i % 8];   // i is a multiple of 8 plus the tail
}

void apply_mask(std::span<char> bytes, MaskingKey key, std::size_t offset) {
    // char and uint8_t may alias each other, so viewing the text as bytes is allowed.
    apply_mask(std::span<std::uint8_t>{reinterpret_cast<std::uint8_t*>(bytes.data()), bytes.size()},
               key, offset);
}

}   // namespace looplab::ws
