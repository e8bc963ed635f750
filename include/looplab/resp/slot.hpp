// looplab/resp/slot.hpp
//
// slot_of — which of Redis Cluster's 16384 hash slots a key lives in: CRC16 (XMODEM) of the
// key, or of its hash tag, modulo 16384. A cluster client sends each key's command to the
// node that owns its slot; sharded pub/sub (SSUBSCRIBE, SPUBLISH) routes channels the same way.
// Teaches: database (lesson 16): how one logical store is split over many servers.
// Read: PROTOCOLS-redis-store.md §4
//
// Hash tags: if the key holds a '{' and, after it, a '}' with at least one byte between
// them, only those bytes are hashed: "{user1000}.following" and "{user1000}.followers" share
// a slot. "foo{}{bar}" hashes the whole key; "foo{{bar}}zap" hashes "{bar".
//
// Contract: pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace looplab::resp {

// Redis Cluster has this many hash slots.
inline constexpr std::uint16_t kRespClusterSlots = 16384;

// CRC-16/XMODEM: polynomial 0x1021, initial value 0, no reflection, no final xor.
// crc16("123456789") == 0x31C3.
std::uint16_t crc16(std::string_view bytes);

// The part of `key` that is hashed (the hash tag, or the whole key).
std::string_view hash_tag(std::string_view key);

// 0 .. 16383. slot_of("foo") == 12182.
std::uint16_t slot_of(std::string_view key);

}   // namespace looplab::resp
