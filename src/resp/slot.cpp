// looplab/resp/slot.cpp — CRC-16/XMODEM bit by bit (a table would be faster; a cluster
// client hashes one short key per command, and the loop below is the definition itself).
#include "looplab/resp/slot.hpp"

namespace looplab::resp {

std::uint16_t crc16(std::string_view bytes) {
    std::uint16_t crc = 0;
    for (const char c : bytes) {
        crc ^= static_cast<std::uint16_t>(static_cast<unsigned char>(c) << 8);
        for (int bit = 0; bit < 8; ++bit)
            crc = (crc & 0x8000) ? static_cast<std::uint16_t>((crc << 1) ^ 0x1021)
                                 : static_cast<std::uint16_t>(crc << 1);
    }
    return crc;
}

std::string_view hash_tag(std::string_view key) {
    const std::size_t open = key.find('{');
    if (open == std::string_view::npos) return key;
    const std::size_t close = key.find('}', open + 1);
    if (close == std::string_view::npos || close == open + 1) return key;   // none, or "{}"
    return key.substr(open + 1, close - open - 1);
}

std::uint16_t slot_of(std::string_view key) {
    return static_cast<std::uint16_t>(crc16(hash_tag(key)) % kRespClusterSlots);
}

}   // namespace looplab::resp
