// tests/unit/codec/sha1_test.cpp — SHA-1 against the published vectors (FIPS 180 / RFC 3174),
// the padding boundaries, and the promise that pieces of any size give the same digest.
#include "looplab/codec/base64.hpp"
#include "looplab/codec/sha1.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

using looplab::codec::base64_encode;
using looplab::codec::sha1;
using looplab::codec::Sha1;
using looplab::codec::to_hex;

namespace {

// The 448-bit message of FIPS 180 example 2 / RFC 3174 test 2: 56 bytes, so the padding
// needs a second block.
constexpr std::string_view kTwoBlockMessage =
    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

// Hashes `text` fed in pieces of `piece_size` bytes (the last piece may be shorter).
std::string hex_in_pieces(std::string_view text, std::size_t piece_size) {
    Sha1 hash;
    for (std::size_t at = 0; at < text.size(); at += piece_size)
        hash.update(text.substr(at, piece_size));
    return to_hex(hash.finish());
}

}   // namespace

TEST_CASE("sha1 of the published test messages matches FIPS 180 and RFC 3174", "[codec][sha1]") {
    CHECK(to_hex(sha1("abc")) == "a9993e364706816aba3e25717850c26c9cd0d89d");
    CHECK(to_hex(sha1(kTwoBlockMessage)) == "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    CHECK(to_hex(sha1(std::string(1'000'000, 'a'))) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f");

    std::string test4;   // RFC 3174 test 4: this 64-byte string, 10 times
    for (int i = 0; i < 10; ++i)
        test4 += "0123456701234567012345670123456701234567012345670123456701234567";
    CHECK(to_hex(sha1(test4)) == "dea356a2cddd90c7a7ecedc5ebb563934f460452");
}

TEST_CASE("sha1 of the empty message is the padding block alone", "[codec][sha1]") {
    CHECK(to_hex(sha1("")) == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    CHECK(to_hex(Sha1{}.finish()) == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
}

TEST_CASE("sha1 is right on both sides of every padding boundary", "[codec][sha1]") {
    // 55 bytes: 0x80 and the 8-byte length just fit in one block. 56: they spill into a
    // second. 64: the message fills a block and the padding gets one of its own.
    // Expected values from coreutils `sha1sum`.
    struct Case {
        std::size_t length;
        std::string_view hex;
    };
    const Case c = GENERATE(Case{55, "c1c8bbdc22796e28c0e15163d20899b65621d65a"},
                            Case{56, "c2db330f6083854c99d4b5bfb6e8f29f201be699"},
                            Case{63, "03f09f5b158a7a8cdad920bddc29b81c18a551f5"},
                            Case{64, "0098ba824b5c16427bd7a1122a5a442a25ec644d"},
                            Case{65, "11655326c708d70319be2610e8a57d9a5b959d3b"},
                            Case{119, "ee971065aaa017e0632a8ca6c77bb3bf8b1dfc56"},
                            Case{120, "f34c1488385346a55709ba056ddd08280dd4c6d6"},
                            Case{128, "ad5b3fdbcb526778c2839d2f151ea753995e26a0"});
    CAPTURE(c.length);
    CHECK(to_hex(sha1(std::string(c.length, 'a'))) == c.hex);
}

TEST_CASE("sha1 hashes every byte value, not only text", "[codec][sha1]") {
    std::vector<std::uint8_t> all_bytes(256);
    for (std::size_t i = 0; i < all_bytes.size(); ++i) all_bytes[i] = static_cast<std::uint8_t>(i);
    // python3: hashlib.sha1(bytes(range(256))).hexdigest()
    CHECK(to_hex(sha1(all_bytes)) == "4916d6bdb7f78e6803698cab32d1586ea457dfc8");
}

TEST_CASE("sha1 fed in pieces of every size gives the one-shot digest", "[codec][sha1]") {
    const std::string long_message =   // 3 blocks and a bit, so pieces straddle block edges
        std::string{kTwoBlockMessage} + std::string{kTwoBlockMessage} +
        std::string{kTwoBlockMessage} + std::string{kTwoBlockMessage} + "The quick brown fox";
    for (const std::string_view message : {kTwoBlockMessage, std::string_view{long_message}}) {
        const std::string expected = to_hex(sha1(message));
        for (std::size_t piece_size = 1; piece_size <= message.size(); ++piece_size) {
            CAPTURE(message.size(), piece_size);
            REQUIRE(hex_in_pieces(message, piece_size) == expected);
        }
    }
}

TEST_CASE("sha1 split at any two cuts gives the one-shot digest", "[codec][sha1]") {
    const std::string message = std::string{kTwoBlockMessage} + std::string{kTwoBlockMessage};
    const std::string expected = to_hex(sha1(message));
    for (std::size_t first = 0; first <= message.size(); ++first) {
        for (std::size_t second = first; second <= message.size(); ++second) {
            Sha1 hash;
            hash.update(std::string_view{message}.substr(0, first));
            hash.update(std::string_view{message}.substr(first, second - first));
            hash.update(std::string_view{message}.substr(second));
            CAPTURE(first, second);
            REQUIRE(to_hex(hash.finish()) == expected);
        }
    }
}

TEST_CASE("empty updates change nothing", "[codec][sha1]") {
    Sha1 hash;
    hash.update("");
    hash.update("ab");
    hash.update(std::span<const std::uint8_t>{});
    hash.update("c");
    CHECK(to_hex(hash.finish()) == "a9993e364706816aba3e25717850c26c9cd0d89d");
}

TEST_CASE("after finish() the same Sha1 hashes a new message from scratch", "[codec][sha1]") {
    Sha1 hash;
    hash.update(kTwoBlockMessage);
    (void)hash.finish();
    hash.update("abc");
    CHECK(to_hex(hash.finish()) == "a9993e364706816aba3e25717850c26c9cd0d89d");
}

TEST_CASE("the quick brown fox digest is the same from text and from bytes", "[codec][sha1]") {
    constexpr std::string_view fox = "The quick brown fox jumps over the lazy dog";
    const std::vector<std::uint8_t> bytes(fox.begin(), fox.end());
    CHECK(to_hex(sha1(fox)) == "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12");
    CHECK(sha1(bytes) == sha1(fox));
}

TEST_CASE("to_hex writes two lowercase digits per byte", "[codec][sha1]") {
    const std::vector<std::uint8_t> bytes{0x00, 0x0f, 0xa0, 0xff};
    CHECK(to_hex(bytes) == "000fa0ff");
    CHECK(to_hex(std::span<const std::uint8_t>{}) == "");
}

TEST_CASE("the RFC 6455 handshake sample key gives the sample Sec-WebSocket-Accept",
          "[codec][sha1][base64]") {
    // RFC 6455 section 1.3: accept = base64(SHA-1(key + the fixed GUID)).
    const std::string key = "dGhlIHNhbXBsZSBub25jZQ==";
    const auto digest = sha1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    CHECK(base64_encode(digest) == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}
