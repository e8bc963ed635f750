// tests/fuzz/json_fuzz.cpp — libFuzzer target for codec/json.
//
// Checks, for any bytes:
//   1. parse() never crashes, and parse() and parse_detailed() agree on accept/refuse;
//      a refusal names a position inside the input (or just past its end);
//   2. what parse() accepts, write() turns into text that parses again, and writing that
//      second value gives the same text (write is a fixed point after one round);
//   3. every accepted text is valid UTF-8 (the parser refuses invalid UTF-8, so it can never
//      accept bytes that a browser's JSON.parse would read differently), and the output too.
//
// Run: `make fuzz SECONDS_EACH=600` (all targets), seeds in tests/fuzz/corpus/json/.
#include "looplab/codec/json.hpp"
#include "looplab/codec/utf8.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

namespace json = looplab::codec::json;

void expect(bool condition, const char* what) {
    if (condition) return;
    std::fprintf(stderr, "json_fuzz: %s\n", what);
    std::abort();
}

}   // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text{reinterpret_cast<const char*>(data), size};

    auto parsed = json::parse(text);
    const json::ParseResult detailed = json::parse_detailed(text);
    expect(parsed.has_value() == !detailed.error.has_value(), "parse and parse_detailed disagree");
    if (!parsed) {
        expect(detailed.error->position <= size, "error position past the end of the input");
        expect(!detailed.error->what.empty(), "an error without a message");
        return 0;
    }
    expect(looplab::codec::is_valid_utf8(text), "accepted invalid UTF-8");

    const std::string first = json::write(*parsed);
    expect(looplab::codec::is_valid_utf8(first), "wrote invalid UTF-8");
    auto reparsed = json::parse(first);
    expect(reparsed.has_value(), "our own output does not parse");
    expect(json::write(*reparsed) == first, "write is not stable after one round trip");
    return 0;
}
