// tests/unit/resp/slot_test.cpp — CRC16/XMODEM and Redis Cluster hash slots, with the
// vectors of PROTOCOLS-redis-store.md §4 (checked there with CLUSTER KEYSLOT on Redis 7.0.15).
#include "looplab/resp/slot.hpp"

#include <catch2/catch.hpp>

using namespace looplab::resp;

TEST_CASE("crc16 is XMODEM", "[resp]") {
    CHECK(crc16("123456789") == 0x31C3);   // not CCITT-FALSE (0x29B1) nor KERMIT (0x2189)
    CHECK(crc16("") == 0);
}

TEST_CASE("slot_of matches CLUSTER KEYSLOT, hash tags included", "[resp]") {
    CHECK(slot_of("123456789") == 12739);
    CHECK(slot_of("foo") == 12182);
    CHECK(slot_of("bar") == 5061);
    CHECK(slot_of("orders") == 105);
    CHECK(slot_of("{user1000}.following") == 3443);
    CHECK(slot_of("{user1000}.following") == slot_of("user1000"));
    CHECK(slot_of("foo{}{bar}") == 8363);      // empty tag: the whole key
    CHECK(slot_of("foo{{bar}}zap") == 4015);   // hashes "{bar"
    CHECK(hash_tag("foo{{bar}}zap") == "{bar");
    CHECK(hash_tag("a{b") == "a{b");
}
