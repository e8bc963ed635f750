// tests/fuzz/base64_fuzz.cpp — libFuzzer target for codec::base64_encode / base64_decode.
//
// Checks, for any bytes:
//   1. as data: decode(encode(x)) == x, and the text has the promised length and characters;
//   2. as text: decoding never crashes, and when it succeeds, encoding the result gives back
//      exactly the same text (the decoder accepts one spelling per byte string, no more).
// Together, 1 and 2 say the decoder accepts exactly the strings the encoder can produce.
//
// Build and run (about 30 s):
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude \
//       tests/fuzz/base64_fuzz.cpp src/codec/base64.cpp src/core/*.cpp -lfmt -o /tmp/base64_fuzz
//   /tmp/base64_fuzz -max_total_time=30 tests/fuzz/corpus/base64
#include "looplab/codec/base64.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>

namespace {

using looplab::codec::base64_decode;
using looplab::codec::base64_encode;

void expect(bool condition, const char* what) {
    if (condition) return;
    std::fprintf(stderr, "base64_fuzz: %s\n", what);
    std::abort();
}

bool is_base64_character(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/' || c == '=';
}

void check_as_data(std::span<const std::uint8_t> bytes) {
    const std::string text = base64_encode(bytes);
    expect(text.size() == (bytes.size() + 2) / 3 * 4, "encoded length is not 4 * ceil(n / 3)");
    for (const char c : text) expect(is_base64_character(c), "encoder wrote a foreign character");

    const auto decoded = base64_decode(text);
    expect(decoded.has_value(), "decoder refused the encoder's output");
    expect(
        decoded->size() == bytes.size() && std::equal(bytes.begin(), bytes.end(), decoded->begin()),
        "decode(encode(x)) != x");
}

void check_as_text(std::string_view text) {
    const auto decoded = base64_decode(text);
    if (!decoded) {
        expect(!decoded.error().message().empty(), "a refusal without a reason");
        return;
    }
    expect(base64_encode(*decoded) == text, "accepted a text that is not encode() of its bytes");
}

}   // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    check_as_data({data, size});
    check_as_text({reinterpret_cast<const char*>(data), size});
    return 0;
}
