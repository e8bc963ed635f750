// tests/fuzz/http_fuzz.cpp — libFuzzer target for http::RequestParser.
//
// The first two input bytes pick a cut; the rest is the stream a client sends. We parse it in
// one piece and again in two pieces cut there: both must give the same requests and the
// same error (a parser that depends on how TCP cut the bytes is broken). Sanitizers catch
// the rest: no crash, no UB, no read past the input.
//
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude
//       tests/fuzz/http_fuzz.cpp src/http/request.cpp src/http/request_parser.cpp
//       src/core/*.cpp -lfmt -o http_fuzz                                  (all on one line)
//   ./http_fuzz tests/fuzz/corpus/http -max_total_time=30
#include "looplab/core/assert.hpp"
#include "looplab/http/limits.hpp"
#include "looplab/http/request_parser.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace {

using looplab::http::ParserState;
using looplab::http::Request;
using looplab::http::RequestError;
using looplab::http::RequestParser;

struct Outcome {
    std::vector<Request> requests;
    std::optional<RequestError> error;
    bool operator==(const Outcome&) const = default;
};

// feed() one request at a time, as a server that may switch protocols does.
void feed_piece(RequestParser& parser, std::string_view piece, Outcome& outcome) {
    while (!outcome.error) {
        const auto step = parser.feed(piece);
        LOOPLAB_ASSERT(step.consumed <= piece.size(), "feed() consumed more than it was given");
        outcome.error = step.error;
        if (step.error) return;
        if (step.request) {
            LOOPLAB_ASSERT(step.request->body.size() <= looplab::http::kHttpMaxBodyBytes,
                           "a body above kHttpMaxBodyBytes got through");
            outcome.requests.push_back(*step.request);
        } else {
            LOOPLAB_ASSERT(step.consumed == piece.size(), "no request, yet bytes were left");
        }
        piece.remove_prefix(step.consumed);
        if (piece.empty()) return;
    }
}

}   // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const std::string_view stream{reinterpret_cast<const char*>(data + 2), size - 2};
    const std::size_t cut = (data[0] | (std::size_t{data[1]} << 8)) % (stream.size() + 1);

    RequestParser whole_parser;
    Outcome whole;
    whole.error = whole_parser.feed_all(stream, whole.requests);

    RequestParser split_parser;
    Outcome split;
    feed_piece(split_parser, stream.substr(0, cut), split);
    feed_piece(split_parser, stream.substr(cut), split);

    LOOPLAB_ASSERT(whole == split, "cutting the input changed what the parser saw");
    LOOPLAB_ASSERT(whole_parser.state() == split_parser.state(), "same bytes, different state");
    LOOPLAB_ASSERT(!whole.error || whole_parser.state() == ParserState::Failed,
                   "an error must leave the parser failed");
    return 0;
}
