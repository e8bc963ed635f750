// looplab/codec/utf8.hpp
//
// Utf8Validator — checks that bytes are well-formed UTF-8 while they arrive, in pieces.
// Teaches: a parser as a small state machine (a DFA) that remembers only "where am I inside
// the current character", so input may be cut at any byte.
// Used by: WebSocket text messages and close reasons (RFC 6455 section 8.1: invalid UTF-8
// closes with 1007); seen in lessons/17-websocket-framer.
//
// Well-formed UTF-8 (Unicode Table 3-7, RFC 3629 section 4) is exactly these byte sequences:
//
//     code points          1st     2nd     3rd     4th
//     U+0000..U+007F       00..7F
//     U+0080..U+07FF       C2..DF  80..BF
//     U+0800..U+0FFF       E0      A0..BF  80..BF          E0 80..9F would be overlong
//     U+1000..U+CFFF       E1..EC  80..BF  80..BF
//     U+D000..U+D7FF       ED      80..9F  80..BF          ED A0..BF would be a surrogate
//     U+E000..U+FFFF       EE..EF  80..BF  80..BF
//     U+10000..U+3FFFF     F0      90..BF  80..BF  80..BF  F0 80..8F would be overlong
//     U+40000..U+FFFFF     F1..F3  80..BF  80..BF  80..BF
//     U+100000..U+10FFFF   F4      80..8F  80..BF  80..BF  F4 90..BF would be > U+10FFFF
//
// Everything else is rejected: C0 and C1 (they could only start overlong 2-byte forms),
// F5..FF (past U+10FFFF), a continuation byte 80..BF with no lead byte before it, and a lead
// byte not followed by enough continuation bytes.
//
//     Utf8Validator utf8;
//     utf8.feed(first_fragment);     // true: "\xE2\x82" is a good start of U+20AC, the euro sign
//     utf8.feed(last_fragment);      // true: "\xAC" finishes it
//     utf8.is_complete();            // true: the message does not stop in mid-character
//
// Contract: a plain value, no threads, no allocation. Fails as early as possible: feed()
// returns false for the piece holding the first byte that no valid text could have there, and
// the validator stays failed until reset().
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace looplab::codec {

class Utf8Validator final {
public:
    // Checks the next bytes; true while everything fed since the last reset() can still be
    // the start of valid UTF-8. A code point may be cut across calls.
    bool feed(std::span<const std::uint8_t> bytes);
    bool feed(std::string_view text);

    // False once any byte was invalid (feed() returned false).
    bool is_valid() const { return state_ != State::Invalid; }

    // True when everything fed so far is valid and ends on a code point boundary: the check
    // for the end of a message. "\xE2\x82" is valid so far but not complete.
    bool is_complete() const { return state_ == State::Ground; }

    // Forgets everything; the next feed() starts a new text.
    void reset() { state_ = State::Ground; }

    // Where the machine is. Each state between lead byte and last continuation byte names the
    // range the next byte must fall in; the table in utf8.cpp lists them.
    enum class State : std::uint8_t {
        Ground,    // between code points: the next byte is ASCII or a lead byte
        Tail1,     // 1 more continuation byte 80..BF, then done
        Tail2,     // 2 more, each 80..BF
        Tail3,     // 3 more, each 80..BF
        AfterE0,   // next byte A0..BF (lower would be an overlong 3-byte form), then Tail1
        AfterED,   // next byte 80..9F (higher would be a surrogate D800..DFFF), then Tail1
        AfterF0,   // next byte 90..BF (lower would be an overlong 4-byte form), then Tail2
        AfterF4,   // next byte 80..8F (higher would be above U+10FFFF), then Tail2
        Invalid,   // a byte broke the rules; stays here until reset()
    };
    State state() const { return state_; }

private:
    State state_ = State::Ground;
};

// One-shot form: the whole text is valid UTF-8 and does not end in mid-character.
bool is_valid_utf8(std::span<const std::uint8_t> bytes);
bool is_valid_utf8(std::string_view text);

}   // namespace looplab::codec
