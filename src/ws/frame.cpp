// looplab/ws/frame.cpp
#include "looplab/ws/frame.hpp"

#include <cstring>

namespace looplab::ws {

std::string_view to_string(Opcode opcode) {
    switch (opcode) {
        case Opcode::Continuation:
            return "continuation";
        case Opcode::Text:
            return "text";
        case Opcode::Binary:
            return "binary";
        case Opcode::Close:
            return "close";
        case Opcode::Ping:
            return "ping";
        case Opcode::Pong:
            return "pong";
    }
    return "reserved";
}

// Masking is the hot loop of every server (each byte a client sends passes through it), so it
// works on 8 bytes at a time: the 4-byte key, rotated to line up with `offset` and written
// twice, is one 64-bit word. memcpy (not a pointer cast) keeps unaligned loads legal; the
// compiler turns it into plain loads and stores. Byte order does not matter, since the key
// word and the data word are laid out the same way.
void apply_mask(std::span<std::uint8_t> bytes, MaskingKey key, std::size_t offset) {
    std::uint8_t rotated[8];
    for (std::size_t i = 0; i < 8; ++i)
        rotated[i] = key[(offset + i) % 4];
    std::uint64_t key_word;
    std::memcpy(&key_word, rotated, sizeof key_word);

    std::uint8_t* data = bytes.data();
    const std::size_t size = bytes.size();
    std::size_t i = 0;
    for (; i + 8 <= size; i += 8) {
        std::uint64_t word;
        std::memcpy(&word, data + i, sizeof word);
        word ^= key_word;
        std::memcpy(data + i, &word, sizeof word);
    }
    for (; i < size; ++i)
        data[i] ^= rotated[i % 8];   // i is a multiple of 8 plus the tail
}

void apply_mask(std::span<char> bytes, MaskingKey key, std::size_t offset) {
    // char and uint8_t may alias each other, so viewing the text as bytes is allowed.
    apply_mask(std::span<std::uint8_t>{reinterpret_cast<std::uint8_t*>(bytes.data()), bytes.size()},
               key, offset);
}

}   // namespace looplab::ws
