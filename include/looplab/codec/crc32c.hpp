// looplab/codec/crc32c.hpp
//
// crc32c — the CRC-32C checksum (Castagnoli): any number of bytes in, 32 bits out.
// Teaches: how a log notices a damaged or half-written record (notes/16-database.md).
// Used by: looplab::store, which puts one CRC32C in front of every record it writes.
//
//     crc32c("123456789") == 0xE3069283                  // the published check value
//     crc32c_extend(crc32c("1234"), "56789") == 0xE3069283   // pieces give the same result
//
// The parameters (RFC 3720 B.4, also iSCSI, SCTP, ext4, btrfs, LevelDB): polynomial
// 0x1EDC6F41, processed bit-reversed as 0x82F63B78; input and output reflected; the register
// starts at 0xFFFFFFFF and the result is XORed with 0xFFFFFFFF. It is NOT zlib's CRC-32
// (polynomial 0x04C11DB7, check value 0xCBF43926): same length, different polynomial.
//
// What it promises: every error burst of up to 32 bits and every odd number of flipped bits
// is caught; any other damage slips through with a chance of about 1 in 4 billion. It is a
// checksum against accidents, not against an attacker (anyone can recompute it).
//
// Contract: pure functions, no allocation, no state; safe from any thread.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace looplab::codec {

// The CRC32C of `bytes`.
std::uint32_t crc32c(std::span<const std::uint8_t> bytes);
std::uint32_t crc32c(std::string_view text);

// Continues a checksum: crc32c_extend(crc32c(a), b) == crc32c(a followed by b), so a record
// can be checked in pieces without copying it into one buffer. crc32c_extend(0, x) == crc32c(x).
std::uint32_t crc32c_extend(std::uint32_t crc, std::span<const std::uint8_t> bytes);
std::uint32_t crc32c_extend(std::uint32_t crc, std::string_view text);

}   // namespace looplab::codec
