// tests/unit/codec/base64_test.cpp — RFC 4648 vectors both ways, every way a strict decoder
// must refuse, and round trips over all byte values.
#include "looplab/codec/base64.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

using looplab::codec::base64_decode;
using looplab::codec::base64_encode;

namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes bytes_of(std::string_view text) { return Bytes(text.begin(), text.end()); }

// The error message of a decode that must fail ("" if it unexpectedly succeeded).
std::string rejection(std::string_view text) {
    const auto decoded = base64_decode(text);
    return decoded ? std::string{} : decoded.error().message();
}

struct Vector {
    std::string_view bytes;
    std::string_view text;
};

// RFC 4648 section 10.
constexpr Vector kRfc4648Vectors[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

}   // namespace

TEST_CASE("base64 encodes the RFC 4648 test vectors", "[codec][base64]") {
    for (const Vector& v : kRfc4648Vectors) {
        CAPTURE(v.bytes);
        CHECK(base64_encode(v.bytes) == v.text);
        CHECK(base64_encode(bytes_of(v.bytes)) == v.text);
    }
}

TEST_CASE("base64 decodes the RFC 4648 test vectors", "[codec][base64]") {
    for (const Vector& v : kRfc4648Vectors) {
        CAPTURE(v.text);
        const auto decoded = base64_decode(v.text);
        REQUIRE(decoded);
        CHECK(*decoded == bytes_of(v.bytes));
    }
}

TEST_CASE("base64 of all 256 byte values uses every character of the alphabet", "[codec][base64]") {
    Bytes all_bytes(256);
    for (std::size_t i = 0; i < all_bytes.size(); ++i) all_bytes[i] = static_cast<std::uint8_t>(i);
    // python3: base64.b64encode(bytes(range(256)))
    const std::string expected =
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4"
        "OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3Bx"
        "cnN0dXZ3eHl6e3x9fn+AgYKDhIWGh4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmq"
        "q6ytrq+wsbKztLW2t7i5uru8vb6/wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t/g4eLj"
        "5OXm5+jp6uvs7e7v8PHy8/T19vf4+fr7/P3+/w==";
    CHECK(base64_encode(all_bytes) == expected);
    const auto decoded = base64_decode(expected);
    REQUIRE(decoded);
    CHECK(*decoded == all_bytes);
}

TEST_CASE("base64 round-trips every one- and two-byte input", "[codec][base64]") {
    for (unsigned first = 0; first < 256; ++first) {
        const Bytes one{static_cast<std::uint8_t>(first)};
        const auto decoded_one = base64_decode(base64_encode(one));
        REQUIRE(decoded_one);
        REQUIRE(*decoded_one == one);
        for (unsigned second = 0; second < 256; ++second) {
            const Bytes two{static_cast<std::uint8_t>(first), static_cast<std::uint8_t>(second)};
            const auto decoded_two = base64_decode(base64_encode(two));
            REQUIRE(decoded_two);
            REQUIRE(*decoded_two == two);
        }
    }
}

TEST_CASE("base64 round-trips inputs of every length up to 100 bytes", "[codec][base64]") {
    Bytes bytes;
    for (std::size_t length = 0; length <= 100; ++length) {
        CAPTURE(length);
        const std::string text = base64_encode(bytes);
        CHECK(text.size() == (length + 2) / 3 * 4);
        const auto decoded = base64_decode(text);
        REQUIRE(decoded);
        CHECK(*decoded == bytes);
        bytes.push_back(static_cast<std::uint8_t>(length * 37 + 11));
    }
}

TEST_CASE("base64_decode refuses text whose length is not a multiple of 4", "[codec][base64]") {
    CHECK(rejection("Z") == "base64: length 1 is not a multiple of 4");
    CHECK(rejection("Zg") == "base64: length 2 is not a multiple of 4");    // padding left off
    CHECK(rejection("Zg=") == "base64: length 3 is not a multiple of 4");   // half the padding
    CHECK(rejection("Zm9vY") == "base64: length 5 is not a multiple of 4");
    CHECK(rejection("==") == "base64: length 2 is not a multiple of 4");
}

TEST_CASE("base64_decode refuses characters outside the standard alphabet", "[codec][base64]") {
    CHECK(rejection("Zm9v!A==") == "base64: character 0x21 at offset 4 is not in the alphabet");
    // The URL-safe alphabet of RFC 4648 section 5 spells 62 and 63 as '-' and '_'.
    CHECK(rejection("-_-_") == "base64: character 0x2d at offset 0 is not in the alphabet");
    CHECK(rejection("ab_c") == "base64: character 0x5f at offset 2 is not in the alphabet");
    CHECK(rejection(std::string_view{"Zm9\0", 4}) ==
          "base64: character 0x00 at offset 3 is not in the alphabet");
    CHECK(rejection("Zm9\xff") == "base64: character 0xff at offset 3 is not in the alphabet");
}

TEST_CASE("base64_decode refuses whitespace anywhere, line breaks included", "[codec][base64]") {
    CHECK(rejection(" Zg=") == "base64: character 0x20 at offset 0 is not in the alphabet");
    CHECK(rejection("Zm9v\r\nYg==\r\n") ==
          "base64: character 0x0d at offset 4 is not in the alphabet");
    CHECK(rejection("Zm9v\nYg=") == "base64: character 0x0a at offset 4 is not in the alphabet");
    CHECK(rejection("Zm9\tYmFy") == "base64: character 0x09 at offset 3 is not in the alphabet");
    CHECK(rejection("Zm9vYg= ") == "base64: '=' at offset 6 is not padding at the end");
}

TEST_CASE("base64_decode refuses '=' anywhere but the last one or two places", "[codec][base64]") {
    CHECK(rejection("Z===") == "base64: '=' at offset 1 is not padding at the end");
    CHECK(rejection("====") == "base64: '=' at offset 0 is not padding at the end");
    CHECK(rejection("Zm=v") == "base64: '=' at offset 2 is not padding at the end");
    CHECK(rejection("Zg==Zg==") == "base64: '=' at offset 2 is not padding at the end");
    CHECK(rejection("=Zm9") == "base64: '=' at offset 0 is not padding at the end");
    CHECK(rejection("Zm9vYmE=Zm8=") == "base64: '=' at offset 7 is not padding at the end");
}

TEST_CASE("base64_decode refuses non-zero bits after the last whole byte", "[codec][base64]") {
    // "Zg==" is "f". 'h' differs from 'g' only in the 4 bits that fall off the end, so "Zh=="
    // would be a second spelling of "f".
    CHECK(rejection("Zh==") == "base64: the last character before '=' has non-zero unused bits");
    CHECK(rejection("Zv==") == "base64: the last character before '=' has non-zero unused bits");
    // "Zm8=" is "fo"; '9' sets one of the 2 unused bits.
    CHECK(rejection("Zm9=") == "base64: the last character before '=' has non-zero unused bits");
    CHECK(rejection("Zm9vZm/=") ==
          "base64: the last character before '=' has non-zero unused bits");
}

TEST_CASE("base64_decode accepts exactly one spelling of every short tail", "[codec][base64]") {
    // Exhaustively: of the 64 * 64 texts "xy==", one per byte value decodes (256), and of the
    // 64^3 texts "xyz=", one per two-byte value (65536).
    constexpr std::string_view alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    int one_byte_accepted = 0;
    int two_bytes_accepted = 0;
    std::string text = "xy==";
    for (const char x : alphabet) {
        for (const char y : alphabet) {
            text = {x, y, '=', '='};
            if (base64_decode(text)) ++one_byte_accepted;
            for (const char z : alphabet) {
                text = {x, y, z, '='};
                if (const auto decoded = base64_decode(text)) {
                    ++two_bytes_accepted;
                    REQUIRE(base64_encode(*decoded) == text);
                }
            }
        }
    }
    CHECK(one_byte_accepted == 256);
    CHECK(two_bytes_accepted == 65536);
}

TEST_CASE("the empty text decodes to no bytes", "[codec][base64]") {
    const auto decoded = base64_decode("");
    REQUIRE(decoded);
    CHECK(decoded->empty());
}
