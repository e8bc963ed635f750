// tests/fuzz/ws_frame_fuzz.cpp — libFuzzer target for ws::FrameParser.
//
// The first input byte chooses how to cut the rest; the rest is what a peer sent. Checks:
//   1. no crash, no UB, no unbounded memory (ASan/UBSan; the size limit is kept small),
//   2. cutting the input anywhere changes nothing: same events, same frames seen by the
//      inspector, same error, as when the input is fed in one piece,
//   3. every message that comes out encodes and parses back to itself.
// Byte 0, bit 0 picks the role: 0 = server (masked frames expected, the usual case), 1 = client.
//
// Build and run (about 30 s):
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude \
//       tests/fuzz/ws_frame_fuzz.cpp src/ws/{frame,close_code,frame_parser,frame_encoder}.cpp \
//       src/codec/utf8.cpp -lfmt -o build/ws_frame_fuzz
//   build/ws_frame_fuzz -max_total_time=30 tests/fuzz/corpus/ws_frame
#include "looplab/ws/frame_encoder.hpp"
#include "looplab/ws/frame_parser.hpp"

#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace {

using namespace looplab::ws;

constexpr std::size_t kFuzzMaxMessage = 64 * 1024;   // small, so big declared lengths fail fast

struct Outcome {
    std::vector<Event> events;
    std::vector<std::string> frames;   // the inspector's view: header line + payload
    std::optional<FrameError> error;
    bool operator==(const Outcome&) const = default;
};

struct Recorder final : EventCollector {
    explicit Recorder(Outcome& into) : EventCollector(into.events), outcome(into) {}
    void on_frame(const FrameInfo& frame) override {
        outcome.frames.push_back(fmt::format("{} {}", frame.header, frame.payload));
    }
    Outcome& outcome;
};

// Feeds `wire` in pieces whose lengths come from `seed` (1..16 bytes, varying), or whole.
Outcome parse(Role role, std::span<const std::uint8_t> wire, std::optional<std::uint8_t> seed) {
    FrameParser parser{role, kFuzzMaxMessage};
    Outcome outcome;
    Recorder recorder{outcome};
    if (!seed) {
        outcome.error = parser.feed(wire, recorder);
        return outcome;
    }
    std::uint32_t state = *seed | 0x100u;
    std::size_t at = 0;
    while (at < wire.size()) {
        state = state * 1103515245u + 12345u;   // a tiny LCG: cuts depend on the seed only
        const std::size_t piece = std::min<std::size_t>(1 + ((state >> 16) % 16), wire.size() - at);
        outcome.error = parser.feed(wire.subspan(at, piece), recorder);
        at += piece;
    }
    if (wire.empty()) outcome.error = parser.feed(wire, recorder);
    return outcome;
}

void check_round_trip(const Message& message) {
    const Opcode opcode = message.kind == MessageKind::Text ? Opcode::Text : Opcode::Binary;
    FrameParser parser{Role::Client, kFuzzMaxMessage};
    std::vector<Event> events;
    if (parser.feed(encode_frame(opcode, message.payload), events) || events.size() != 1 ||
        !(std::get<Message>(events[0]) == message))
        __builtin_trap();
}

}   // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::uint8_t seed = data[0];
    const Role role = (seed & 1) ? Role::Client : Role::Server;
    const std::span<const std::uint8_t> wire{data + 1, size - 1};

    const Outcome whole = parse(role, wire, std::nullopt);
    const Outcome pieces = parse(role, wire, seed);
    if (!(whole == pieces)) __builtin_trap();

    for (const Event& event : whole.events)
        if (const auto* message = std::get_if<Message>(&event)) check_round_trip(*message);
    return 0;
}
