// tests/unit/store/record_format_test.cpp — the bytes of one record and of the file header:
// exact layout, round trips, and the three answers decode_record() gives (whole, cut short,
// wrong) for every prefix and every damaged byte.
#include "looplab/store/record_format.hpp"

#include "looplab/codec/crc32c.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace looplab::store;

namespace {

std::vector<std::uint8_t> encoded(Offset offset, std::int64_t unix_ms, std::string_view key,
                                  std::string_view value) {
    std::vector<std::uint8_t> out;
    encode_record(RecordView{offset, unix_ms, key, value}, out);
    return out;
}

}   // namespace

TEST_CASE("a record's bytes are crc, length, offset, time, key length, key, value", "[store]") {
    const auto bytes = encoded(7, 0x0102030405060708, "ab", "xyz");
    REQUIRE(bytes.size() == encoded_size("ab", "xyz"));
    REQUIRE(bytes.size() == 8 + 20 + 2 + 3);
    //                                 body length 25, little-endian
    CHECK(std::vector<std::uint8_t>(bytes.begin() + 4, bytes.begin() + 8) ==
          std::vector<std::uint8_t>{25, 0, 0, 0});
    CHECK(bytes[8] == 7);       // offset 7, little-endian
    CHECK(bytes[16] == 0x08);   // unix_ms, lowest byte first
    CHECK(bytes[23] == 0x01);
    CHECK(bytes[24] == 2);   // key length
    CHECK(std::string(bytes.begin() + 28, bytes.end()) == "abxyz");
    // The CRC covers everything after it: the length and the body.
    const std::uint32_t crc =
        looplab::codec::crc32c(std::span<const std::uint8_t>{bytes}.subspan(4));
    CHECK(bytes[0] == (crc & 0xFF));
    CHECK(bytes[3] == (crc >> 24));
}

TEST_CASE("records round-trip, empty keys and values included", "[store]") {
    const std::string big(70'000, 'v');
    struct Case {
        std::string key;
        std::string value;
    };
    const Case c = GENERATE_COPY(Case{"", ""}, Case{"room:lobby", "ada: hello"}, Case{"k", big},
                                 Case{std::string(kStoreMaxKeyBytes, 'k'), "v"},
                                 Case{"bin", std::string("\0\xff\r\n", 4)});
    const auto bytes = encoded(123456789012, -5, c.key, c.value);
    const Decoded decoded = decode_record(bytes);
    REQUIRE(decoded.status == DecodeStatus::Complete);
    CHECK(decoded.size == bytes.size());
    CHECK(decoded.record.offset == 123456789012);
    CHECK(decoded.record.unix_ms == -5);
    CHECK(decoded.record.key == c.key);
    CHECK(decoded.record.value == c.value);
}

TEST_CASE("two records back to back decode one at a time", "[store]") {
    auto bytes = encoded(0, 1, "a", "first");
    encode_record(RecordView{1, 2, "b", "second"}, bytes);
    const Decoded first = decode_record(bytes);
    REQUIRE(first.status == DecodeStatus::Complete);
    CHECK(first.record.value == "first");
    const Decoded second = decode_record(std::span<const std::uint8_t>{bytes}.subspan(first.size));
    REQUIRE(second.status == DecodeStatus::Complete);
    CHECK(second.record.value == "second");
    CHECK(first.size + second.size == bytes.size());
}

TEST_CASE("every prefix of a record is 'need more', never a record or corruption", "[store]") {
    const auto bytes = encoded(3, 4, "key", "a value of some length");
    for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
        CAPTURE(cut);
        const Decoded decoded = decode_record(std::span<const std::uint8_t>{bytes}.first(cut));
        CHECK(decoded.status == DecodeStatus::NeedMore);
        CHECK(decoded.size ==
              (cut < kStoreRecordHeaderBytes ? kStoreRecordHeaderBytes : bytes.size()));
    }
}

TEST_CASE("every damaged byte of a record is caught", "[store]") {
    const auto good = encoded(3, 4, "key", "value");
    for (std::size_t at = 0; at < good.size(); ++at) {
        for (const std::uint8_t flip :
             {std::uint8_t{0x01}, std::uint8_t{0x80}, std::uint8_t{0xff}}) {
            CAPTURE(at, flip);
            auto bytes = good;
            bytes[at] ^= flip;
            const Decoded decoded = decode_record(bytes);
            // A damaged length may also claim more bytes than there are: that reads as a
            // record cut short (recovery then treats it as the end). Never as a good record.
            CHECK(decoded.status != DecodeStatus::Complete);
        }
    }
}

TEST_CASE("impossible lengths are refused before anything is read or allocated", "[store]") {
    std::vector<std::uint8_t> zeros(64, 0);
    Decoded decoded = decode_record(zeros);
    CHECK(decoded.status == DecodeStatus::Corrupt);
    CHECK(decoded.problem == RecordProblem::LengthTooSmall);

    std::vector<std::uint8_t> huge = {0, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f};
    decoded = decode_record(huge);
    CHECK(decoded.status == DecodeStatus::Corrupt);
    CHECK(decoded.problem == RecordProblem::LengthTooLarge);
}

TEST_CASE("a key length past the body is corruption even with a good checksum", "[store]") {
    auto bytes = encoded(0, 0, "ab", "cd");
    bytes[24] = 9;   // key length 9, body has only 4 bytes of key + value
    const std::uint32_t crc =
        looplab::codec::crc32c(std::span<const std::uint8_t>{bytes}.subspan(4));
    for (int i = 0; i < 4; ++i)
        bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(crc >> (8 * i));
    const Decoded decoded = decode_record(bytes);
    CHECK(decoded.status == DecodeStatus::Corrupt);
    CHECK(decoded.problem == RecordProblem::KeyLongerThanBody);
}

TEST_CASE("the file header carries magic, base offset and version, all checksummed", "[store]") {
    const auto header = encode_file_header(42);
    CHECK(std::string(header.begin(), header.begin() + 8) == "LOOPLOG1");
    const DecodedHeader decoded = decode_file_header(header);
    REQUIRE(decoded.problem == HeaderProblem::None);
    CHECK(decoded.base == 42);
    CHECK(decoded.version == kStoreFormatVersion);

    for (std::size_t at = 0; at < header.size(); ++at) {
        CAPTURE(at);
        auto damaged = header;
        damaged[at] ^= 0x10;
        CHECK(decode_file_header(damaged).problem == HeaderProblem::NotALog);
    }
    CHECK(decode_file_header(std::span<const std::uint8_t>{header}.first(23)).problem ==
          HeaderProblem::NotALog);
}
