// tests/unit/codec/crc32c_test.cpp — CRC32C against the published vectors (the check value,
// RFC 3720 B.4), against the bit-by-bit definition at every length around the 8-byte slices,
// and the promise that pieces give the same checksum as the whole.
#include "looplab/codec/crc32c.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

using looplab::codec::crc32c;
using looplab::codec::crc32c_extend;

namespace {

// The definition, one bit at a time: what the slice-by-8 tables must reproduce.
std::uint32_t crc32c_bit_by_bit(const std::vector<std::uint8_t>& bytes) {
    std::uint32_t crc = 0xFFFFFFFF;
    for (std::uint8_t byte : bytes) {
        crc ^= byte;
        for (int bit = 0; bit < 8; ++bit) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78 : crc >> 1;
    }
    return ~crc;
}

std::vector<std::uint8_t> pattern(std::size_t size) {
    std::vector<std::uint8_t> bytes(size);
    for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<std::uint8_t>(i * 37 + 11);
    return bytes;
}

}   // namespace

TEST_CASE("crc32c of \"123456789\" is the published check value 0xE3069283", "[codec][crc32c]") {
    CHECK(crc32c("123456789") == 0xE3069283);
    CHECK(crc32c("123456789") != 0xCBF43926);   // zlib's CRC-32: another polynomial
}

TEST_CASE("crc32c matches RFC 3720 B.4 and the other known vectors", "[codec][crc32c]") {
    CHECK(crc32c(std::vector<std::uint8_t>(32, 0x00)) == 0x8A9136AA);
    CHECK(crc32c(std::vector<std::uint8_t>(32, 0xFF)) == 0x62A8AB43);
    std::vector<std::uint8_t> ascending(32), descending(32);
    for (std::uint8_t i = 0; i < 32; ++i) {
        ascending[i] = i;
        descending[i] = static_cast<std::uint8_t>(31 - i);
    }
    CHECK(crc32c(ascending) == 0x46DD794E);
    CHECK(crc32c(descending) == 0x113FDB5C);
    CHECK(crc32c("Hello world!") == 0x7B98E751);
    CHECK(crc32c("") == 0);
}

TEST_CASE("crc32c agrees with the bit-by-bit definition at every length up to 70",
          "[codec][crc32c]") {
    const std::size_t size = GENERATE(range<std::size_t>(0, 71));
    CAPTURE(size);
    const auto bytes = pattern(size);
    CHECK(crc32c(bytes) == crc32c_bit_by_bit(bytes));
}

TEST_CASE("crc32c fed in two pieces, cut anywhere, equals crc32c of the whole", "[codec][crc32c]") {
    const auto bytes = pattern(41);
    const std::size_t cut = GENERATE(range<std::size_t>(0, 42));
    CAPTURE(cut);
    const std::span<const std::uint8_t> all{bytes};
    CHECK(crc32c_extend(crc32c(all.first(cut)), all.subspan(cut)) == crc32c(all));
}

TEST_CASE("crc32c changes when any single bit of the input flips", "[codec][crc32c]") {
    auto bytes = pattern(24);
    const std::uint32_t intact = crc32c(bytes);
    for (std::size_t bit = 0; bit < bytes.size() * 8; ++bit) {
        bytes[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
        CHECK(crc32c(bytes) != intact);
        bytes[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    }
    CHECK(crc32c(bytes) == intact);
}
