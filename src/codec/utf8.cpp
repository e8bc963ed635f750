// looplab/codec/utf8.cpp
//
// The validator is a DFA: a state (where we are inside a code point) and, for every state and
// every byte value, the next state. The rules are written out below in the shape of the table
// in utf8.hpp; at compile time they are turned into one lookup table, kNext[state][byte], so
// checking a byte costs one memory read. Two rules:
//
//   In Ground, the byte picks how the code point goes on (after_lead):
//       00..7F -> Ground   C2..DF -> Tail1   E0 -> AfterE0   E1..EC, EE..EF -> Tail2
//       ED -> AfterED      F0 -> AfterF0     F1..F3 -> Tail3   F4 -> AfterF4
//       80..C1, F5..FF -> Invalid
//
//   In any other state, the byte must be in that state's range (continuation_for), else Invalid:
//       Tail3   80..BF -> Tail2      AfterE0 A0..BF -> Tail1     AfterF0 90..BF -> Tail2
//       Tail2   80..BF -> Tail1      AfterED 80..9F -> Tail1     AfterF4 80..8F -> Tail2
//       Tail1   80..BF -> Ground
//
// Every state only narrows *which* continuation byte may come next, so the first byte that
// no valid text could have at that spot sends the machine to Invalid at once: that is the
// "fail early" a WebSocket server needs to close a bad message before it has all arrived.
//
// Speed. The table walk is slow-ish for a reason worth seeing: each lookup needs the state the
// previous lookup produced, so the CPU cannot overlap them. Two fast paths,
// both taken only in Ground, skip the walk when the answer is easy:
//   1. ASCII, 8 bytes at a time: if no byte of a 64-bit word has its top bit set, all 8 are
//      ASCII and the state stays Ground. Most WebSocket text (JSON, chat) is mostly ASCII.
//   2. A whole multi-byte code point whose bytes have all arrived is checked at once, with the
//      same two rules; no state is carried from one code point to the next, so the CPU can
//      work on several at a time (about 3x faster than the walk on Greek or Chinese text;
//      path 1 is about 20x faster on ASCII).
// When a fast path is not sure (a bad byte, a code point cut by the end of the piece), it
// does nothing and the table walk takes over, so the exact failing byte is still found.
#include "looplab/codec/utf8.hpp"

#include <array>
#include <cstring>

namespace looplab::codec {

namespace {

using State = Utf8Validator::State;

constexpr std::size_t kStateCount = static_cast<std::size_t>(State::Invalid) + 1;

constexpr std::size_t index_of(State state) { return static_cast<std::size_t>(state); }

// Rule 1: the state after a byte read in Ground.
constexpr State after_lead(std::uint8_t byte) {
    if (byte <= 0x7F) return State::Ground;    // ASCII: a whole code point in one byte
    if (byte <= 0xC1) return State::Invalid;   // 80..BF continuation with no lead; C0 C1 overlong
    if (byte <= 0xDF) return State::Tail1;
    if (byte == 0xE0) return State::AfterE0;
    if (byte == 0xED) return State::AfterED;
    if (byte <= 0xEF) return State::Tail2;
    if (byte == 0xF0) return State::AfterF0;
    if (byte <= 0xF3) return State::Tail3;
    if (byte == 0xF4) return State::AfterF4;
    return State::Invalid;   // F5..FF: would encode more than U+10FFFF
}

// Rule 2: the bytes each mid-code-point state accepts, and where they lead.
struct Continuation {
    std::uint8_t low;
    std::uint8_t high;
    State next;
};

constexpr Continuation continuation_for(State state) {
    switch (state) {
        case State::Tail1: return {0x80, 0xBF, State::Ground};
        case State::Tail2: return {0x80, 0xBF, State::Tail1};
        case State::Tail3: return {0x80, 0xBF, State::Tail2};
        case State::AfterE0: return {0xA0, 0xBF, State::Tail1};
        case State::AfterED: return {0x80, 0x9F, State::Tail1};
        case State::AfterF0: return {0x90, 0xBF, State::Tail2};
        case State::AfterF4: return {0x80, 0x8F, State::Tail2};
        default: return {0x01, 0x00, State::Invalid};   // empty range: nothing fits
    }
}

constexpr State next_state(State state, std::uint8_t byte) {
    if (state == State::Ground) return after_lead(byte);
    if (state == State::Invalid) return State::Invalid;
    const Continuation rule = continuation_for(state);
    return byte >= rule.low && byte <= rule.high ? rule.next : State::Invalid;
}

// The two rules, expanded into a 9 x 256 table (2.3 KB) when the program is compiled.
using Row = std::array<State, 256>;
constexpr std::array<Row, kStateCount> kNext = [] {
    std::array<Row, kStateCount> table{};
    for (std::size_t state = 0; state < kStateCount; ++state)
        for (std::size_t byte = 0; byte < 256; ++byte)
            table[state][byte] =
                next_state(static_cast<State>(state), static_cast<std::uint8_t>(byte));
    return table;
}();

// A few spot checks that the table says what the header promises.
static_assert(kNext[index_of(State::Ground)][0xE2] == State::Tail2);
static_assert(kNext[index_of(State::AfterED)][0xA0] == State::Invalid);   // surrogate
static_assert(kNext[index_of(State::AfterF4)][0x90] == State::Invalid);   // > U+10FFFF
static_assert(kNext[index_of(State::Tail1)][0x41] == State::Invalid);     // 'A' mid-code-point

// Fast path 1: returns the first byte at or after `p` that is not ASCII (or `end`).
const std::uint8_t* skip_ascii(const std::uint8_t* p, const std::uint8_t* end) {
    constexpr std::uint64_t kTopBits = 0x8080808080808080;   // bit 7 of each of the 8 bytes
    while (end - p >= 8) {
        std::uint64_t word;
        std::memcpy(&word, p, sizeof word);   // memcpy: p need not be 8-byte aligned
        if ((word & kTopBits) != 0) break;
        p += 8;
    }
    while (p != end && *p <= 0x7F) ++p;
    return p;
}

// How many bytes a code point has, from the state its lead byte leads to (0: not a lead byte).
constexpr int length_after_lead(State state) {
    switch (state) {
        case State::Tail1: return 2;
        case State::Tail2:
        case State::AfterE0:
        case State::AfterED: return 3;
        case State::Tail3:
        case State::AfterF0:
        case State::AfterF4: return 4;
        default: return 0;
    }
}

constexpr bool is_continuation(std::uint8_t byte) { return byte >= 0x80 && byte <= 0xBF; }

// Fast path 2: the length of the valid multi-byte code point starting at `p`, or 0 when it is
// bad or not all here (the table walk then handles it byte by byte). Same rules as kNext: the
// lead byte picks the range of the second byte; any further bytes are plain 80..BF.
int whole_code_point_length(const std::uint8_t* p, const std::uint8_t* end) {
    const State after = kNext[index_of(State::Ground)][p[0]];
    const int length = length_after_lead(after);
    if (length == 0 || end - p < length) return 0;

    const Continuation second = continuation_for(after);
    if (p[1] < second.low || p[1] > second.high) return 0;
    if (length >= 3 && !is_continuation(p[2])) return 0;
    if (length == 4 && !is_continuation(p[3])) return 0;
    return length;
}

}   // namespace

bool Utf8Validator::feed(std::span<const std::uint8_t> bytes) {
    State state = state_;   // a local copy the compiler can keep in a register
    const std::uint8_t* p = bytes.data();
    const std::uint8_t* const end = p + bytes.size();

    while (p != end) {
        if (state == State::Ground) {
            if (*p <= 0x7F) {   // fast path 1
                p = skip_ascii(p, end);
                continue;
            }
            if (const int length = whole_code_point_length(p, end); length > 0) {
                p += length;   // fast path 2
                continue;
            }
        }
        state = kNext[index_of(state)][*p++];   // the DFA, one byte
        if (state == State::Invalid) break;     // no later byte can make it valid again
    }

    state_ = state;
    return state != State::Invalid;
}

bool Utf8Validator::feed(std::string_view text) {
    return feed(std::span{reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
}

bool is_valid_utf8(std::span<const std::uint8_t> bytes) {
    Utf8Validator utf8;
    return utf8.feed(bytes) && utf8.is_complete();
}

bool is_valid_utf8(std::string_view text) {
    Utf8Validator utf8;
    return utf8.feed(text) && utf8.is_complete();
}

}   // namespace looplab::codec
