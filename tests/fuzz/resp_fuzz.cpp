// tests/fuzz/resp_fuzz.cpp — libFuzzer target for resp::Parser and resp::encode_reply.
//
// Checks, for any bytes:
//   1. fed in three pieces cut at points taken from the input, and (for short inputs) one
//      byte at a time, the parser gives exactly the replies and the error it gives when fed
//      everything at once (the "split anywhere" rule of parsers here);
//   2. once failed, it stays failed with the same error and hands out nothing more;
//   3. every reply it hands out, written back with encode_reply(), parses to an equal reply
//      (the encoder and parser agree on every type, attributes included);
//   4. with small limits, nothing exceeds them (no reply deeper than max_depth, no bulk longer
//      than max_bulk_bytes) — the limits are enforced, not only declared.
//
// Build and run: `make fuzz` (tests/fuzz/run), or by hand after `make fuzz` built the library:
//   clang++ -std=c++20 -g -O1 -Iinclude -fsanitize=fuzzer,address,undefined \
//       tests/fuzz/resp_fuzz.cpp build/fuzz/liblooplab.a -lfmt -o /tmp/resp_fuzz
//   /tmp/resp_fuzz -max_total_time=60 tests/fuzz/corpus/resp
#include "looplab/resp/encoder.hpp"
#include "looplab/resp/parser.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace {

using looplab::resp::ParseError;
using looplab::resp::Parser;
using looplab::resp::ParserLimits;
using looplab::resp::Reply;
using Bytes = std::span<const std::uint8_t>;

void expect(bool condition, const char* what) {
    if (condition) return;
    std::fprintf(stderr, "resp_fuzz: %s\n", what);
    std::abort();
}

struct Outcome {
    std::vector<Reply> replies;
    std::optional<ParseError> error;
    bool operator==(const Outcome&) const = default;
};

Outcome parse_in_pieces(Bytes bytes, std::span<const std::size_t> cuts,
                        const ParserLimits& limits) {
    Parser parser{limits};
    Outcome outcome;
    std::size_t from = 0;
    for (std::size_t cut : cuts) {
        // A copy of exactly this piece, so ASan sees any read past its end.
        const std::vector<std::uint8_t> piece(bytes.begin() + from, bytes.begin() + cut);
        outcome.error = parser.feed(piece, outcome.replies);
        from = cut;
        if (outcome.error) break;
    }
    if (outcome.error) {   // 2. failed for good
        const std::size_t before = outcome.replies.size();
        expect(parser.feed("+OK\r\n", outcome.replies) == outcome.error,
               "a failed parser recovered");
        expect(outcome.replies.size() == before, "a failed parser handed out a reply");
    }
    return outcome;
}

// `enclosing`: aggregates around this reply. An attribute is one level too (the parser
// counts it while it is open), so its elements sit one level below the value it annotates.
void check_within_limits(const Reply& reply, const ParserLimits& limits, std::size_t enclosing) {
    const std::size_t depth = enclosing + (reply.is_aggregate() ? 1 : 0);
    expect(depth <= limits.max_depth, "a reply deeper than max_depth");
    expect(reply.text.size() <= std::max(limits.max_bulk_bytes, limits.max_line_bytes),
           "a string longer than the limits");
    expect(reply.elements.size() <= limits.max_aggregate_length,
           "an aggregate longer than max_aggregate_length");
    expect(reply.attributes.size() <= limits.max_aggregate_length,
           "an attribute longer than max_aggregate_length");
    for (const Reply& e : reply.elements) check_within_limits(e, limits, depth);
    for (const Reply& a : reply.attributes) check_within_limits(a, limits, enclosing + 1);
}

}   // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const Bytes bytes{data, size};
    ParserLimits limits;   // small, so the fuzzer reaches them
    limits.max_bulk_bytes = 64;
    limits.max_depth = 6;
    limits.max_aggregate_length = 16;
    limits.max_reply_elements = 40;
    limits.max_line_bytes = 48;

    const std::size_t whole_cut[] = {size};
    const Outcome whole = parse_in_pieces(bytes, whole_cut, limits);

    // 1. Three pieces, cut where the input says.
    std::size_t cut1 = size == 0 ? 0 : data[0] % (size + 1);
    std::size_t cut2 = size == 0 ? 0 : data[size - 1] * 7u % (size + 1);
    if (cut1 > cut2) std::swap(cut1, cut2);
    const std::size_t three_cuts[] = {cut1, cut2, size};
    expect(parse_in_pieces(bytes, three_cuts, limits) == whole, "three pieces differ from one");
    if (size <= 256) {
        std::vector<std::size_t> every_byte;
        for (std::size_t i = 1; i <= size; ++i) every_byte.push_back(i);
        expect(parse_in_pieces(bytes, every_byte, limits) == whole,
               "byte by byte differs from one");
    }

    for (const Reply& reply : whole.replies) {
        check_within_limits(reply, limits, 0);
        // 3. Written back, it parses the same (default limits: a re-encoded simple string
        //    may have become a bulk string, with its own limit).
        const std::string wire = looplab::resp::encode_reply(reply);
        Parser again;
        std::vector<Reply> back;
        expect(!again.feed(wire, back), "encode_reply wrote bytes the parser refuses");
        expect(back.size() == 1 && back.front() == reply, "encode_reply + parse changed the reply");
    }
    return 0;
}
