// tests/unit/codec/utf8_test.cpp — the UTF-8 validator on every boundary of Unicode Table 3-7,
// Markus Kuhn's UTF-8 decoder stress cases, input cut anywhere, and failing at the first bad byte.
#include "looplab/codec/utf8.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

using looplab::codec::is_valid_utf8;
using looplab::codec::Utf8Validator;

namespace {

// "No byte is bad, the text is only cut short" (the last code point is missing bytes).
constexpr std::size_t kTruncated = std::string_view::npos;

struct BadText {
    std::string_view name;
    std::string_view bytes;
    std::size_t fail_at;   // index of the first byte no valid text could have, or kTruncated
};

// Careful with "\x80" "e": a hex escape eats every hex digit after it, hence the split literals.
constexpr BadText kBadTexts[] = {
    // Continuation bytes with no lead byte (Kuhn 3.1).
    {"first continuation byte alone", "\x80", 0},
    {"last continuation byte alone", "\xbf", 0},
    {"two continuation bytes", "\x80\xbf", 0},
    {"continuation after ASCII", "a\x80", 1},
    {"continuation after a complete 2-byte code point", "\xc3\xa9\xa9", 2},
    // Lead bytes followed by a space instead of a continuation (Kuhn 3.2).
    {"C2 then space", "\xc2 ", 1},
    {"E1 then space", "\xe1 ", 1},
    {"F1 then space", "\xf1 ", 1},
    {"euro sign cut by an ASCII letter",
     "\xe2\x82"
     "A",
     2},
    {"4-byte lead then a new lead", "\xf0\x9f\xf0\x9f\x98\x80", 2},
    // Sequences missing their last bytes (Kuhn 3.3): valid so far, never complete.
    {"2-byte sequence missing 1", "\xc2", kTruncated},
    {"3-byte sequence missing 1", "\xe2\x82", kTruncated},
    {"3-byte sequence missing 2", "\xe0", kTruncated},
    {"4-byte sequence missing 1", "\xf0\x9f\x98", kTruncated},
    {"4-byte sequence missing 3", "\xf4", kTruncated},
    {"highest 3-byte missing 1", "\xef\xbf", kTruncated},
    {"highest 4-byte missing 1", "\xf4\x8f\xbf", kTruncated},
    {"text then a cut 3-byte sequence", "ok \xe2\x82", kTruncated},
    {"cut sequence before a new one (Kuhn 3.4)", "\xc2\xe0\xa0\x80", 1},
    // Bytes that never appear in UTF-8 (Kuhn 3.5, and the old 5- and 6-byte forms).
    {"FE", "\xfe", 0},
    {"FF", "\xff", 0},
    {"FE FE FF FF", "\xfe\xfe\xff\xff", 0},
    {"old 5-byte form", "\xf8\x88\x80\x80\x80", 0},
    {"old 6-byte form", "\xfc\x84\x80\x80\x80\x80", 0},
    // Overlong forms (Kuhn 4.1-4.3): a code point spelled with more bytes than it needs.
    {"overlong '/' in 2 bytes", "\xc0\xaf", 0},
    {"overlong '/' in 3 bytes", "\xe0\x80\xaf", 1},
    {"overlong '/' in 4 bytes", "\xf0\x80\x80\xaf", 1},
    {"overlong U+007F in 2 bytes (C1)", "\xc1\xbf", 0},
    {"overlong U+07FF in 3 bytes", "\xe0\x9f\xbf", 1},
    {"overlong U+FFFF in 4 bytes", "\xf0\x8f\xbf\xbf", 1},
    {"overlong NUL in 2 bytes", "\xc0\x80", 0},
    {"overlong NUL in 3 bytes", "\xe0\x80\x80", 1},
    {"overlong NUL in 4 bytes", "\xf0\x80\x80\x80", 1},
    // UTF-16 surrogates, alone or paired (Kuhn 5.1, 5.2): not characters at all.
    {"surrogate U+D800", "\xed\xa0\x80", 1},
    {"surrogate U+DB7F", "\xed\xad\xbf", 1},
    {"surrogate U+DB80", "\xed\xae\x80", 1},
    {"surrogate U+DBFF", "\xed\xaf\xbf", 1},
    {"surrogate U+DC00", "\xed\xb0\x80", 1},
    {"surrogate U+DF80", "\xed\xbe\x80", 1},
    {"surrogate U+DFFF", "\xed\xbf\xbf", 1},
    {"surrogate pair U+D800 U+DC00", "\xed\xa0\x80\xed\xb0\x80", 1},
    // Above U+10FFFF.
    {"U+110000", "\xf4\x90\x80\x80", 1},
    {"F5 lead", "\xf5\x80\x80\x80", 0},
    {"U+1FFFFF in the old 4-byte form", "\xf7\xbf\xbf\xbf", 0},
    // Autobahn case 6.3.1 shape: valid Greek, then a surrogate in the middle of the message.
    {"kosme then a surrogate",
     "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80"
     "edited",
     12},
};

constexpr std::string_view kGoodTexts[] = {
    "",
    "hello, world",
    "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5",   // "κόσμε", Kuhn's first test
    {"\0", 1},                                        // U+0000 is a character like any other
    "\x7f",                                           // U+007F  last 1-byte
    "\xc2\x80",                                       // U+0080  first 2-byte
    "\xdf\xbf",                                       // U+07FF  last 2-byte
    "\xe0\xa0\x80",                                   // U+0800  first 3-byte
    "\xed\x9f\xbf",                                   // U+D7FF  just below the surrogates
    "\xee\x80\x80",                                   // U+E000  just above them
    "\xef\xbf\xbd",                                   // U+FFFD  replacement character
    "\xef\xbf\xbe",                                   // U+FFFE  a noncharacter, still valid
    "\xef\xbf\xbf",                                   // U+FFFF  last 3-byte
    "\xf0\x90\x80\x80",                               // U+10000 first 4-byte
    "\xf4\x8f\xbf\xbf",                               // U+10FFFF the last code point
    "a\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9ez",         // a é € 𝄞 z: 1, 2, 3, 4 bytes
    "The euro sign \xe2\x82\xac costs more than 8 bytes of ASCII around it",
};

std::span<const std::uint8_t> bytes_of(std::string_view text) {
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

// The standard encoder, for the exhaustive tests (it happily encodes surrogates too).
std::string utf8_of(char32_t code_point) {
    const auto byte = [](std::uint32_t value) { return static_cast<char>(value); };
    if (code_point < 0x80) return {byte(code_point)};
    if (code_point < 0x800) return {byte(0xC0 | code_point >> 6), byte(0x80 | (code_point & 0x3F))};
    if (code_point < 0x10000)
        return {byte(0xE0 | code_point >> 12), byte(0x80 | (code_point >> 6 & 0x3F)),
                byte(0x80 | (code_point & 0x3F))};
    return {byte(0xF0 | code_point >> 18), byte(0x80 | (code_point >> 12 & 0x3F)),
            byte(0x80 | (code_point >> 6 & 0x3F)), byte(0x80 | (code_point & 0x3F))};
}

// Feeds `text` in pieces cut at `cuts` (sorted); returns the final verdict and checks that
// each feed() answered as a validator that fails at `fail_at` must.
bool verdict_in_pieces(std::string_view text, std::vector<std::size_t> cuts, std::size_t fail_at) {
    cuts.push_back(text.size());
    Utf8Validator utf8;
    std::size_t from = 0;
    bool all_fed_ok = true;
    for (const std::size_t to : cuts) {
        const bool ok = utf8.feed(text.substr(from, to - from));
        const bool bad_byte_fed = fail_at != kTruncated && fail_at < to;
        CHECK(ok == !bad_byte_fed);
        all_fed_ok = all_fed_ok && ok;
        from = to;
    }
    return all_fed_ok && utf8.is_complete();
}

}   // namespace

TEST_CASE("every code point boundary of Table 3-7 is valid UTF-8", "[codec][utf8]") {
    for (const std::string_view text : kGoodTexts) {
        CAPTURE(text);
        CHECK(is_valid_utf8(text));
        CHECK(is_valid_utf8(bytes_of(text)));
        Utf8Validator utf8;
        CHECK(utf8.feed(text));
        CHECK(utf8.is_complete());
        CHECK(utf8.is_valid());
    }
}

TEST_CASE("Kuhn's malformed sequences are refused at the first impossible byte", "[codec][utf8]") {
    for (const BadText& bad : kBadTexts) {
        CAPTURE(bad.name);
        CHECK_FALSE(is_valid_utf8(bad.bytes));

        // Byte by byte: every feed before the bad byte says "fine so far", the bad one says no.
        Utf8Validator utf8;
        for (std::size_t i = 0; i < bad.bytes.size(); ++i) {
            CAPTURE(i);
            CHECK(utf8.feed(bad.bytes.substr(i, 1)) == (i < bad.fail_at));
        }
        CHECK_FALSE(utf8.is_complete());
        CHECK(utf8.is_valid() == (bad.fail_at == kTruncated));
    }
}

TEST_CASE("a truncated code point is valid so far but not complete", "[codec][utf8]") {
    Utf8Validator utf8;
    CHECK(utf8.feed("price: \xe2\x82"));   // the euro sign without its last byte
    CHECK(utf8.is_valid());
    CHECK_FALSE(utf8.is_complete());
    CHECK(utf8.state() == Utf8Validator::State::Tail1);
    CHECK(utf8.feed("\xac"));
    CHECK(utf8.is_complete());
}

TEST_CASE("once failed, the validator stays failed until reset()", "[codec][utf8]") {
    Utf8Validator utf8;
    CHECK_FALSE(utf8.feed("ab\xc0\xaf"));
    CHECK_FALSE(utf8.feed("perfectly good ASCII"));
    CHECK_FALSE(utf8.feed(""));
    CHECK_FALSE(utf8.is_complete());
    CHECK(utf8.state() == Utf8Validator::State::Invalid);

    utf8.reset();
    CHECK(utf8.is_complete());
    CHECK(utf8.feed("\xe2\x82\xac"));
    CHECK(utf8.is_complete());
}

TEST_CASE("reset() also forgets a code point left half-way", "[codec][utf8]") {
    Utf8Validator utf8;
    CHECK(utf8.feed("\xf0\x9f"));
    utf8.reset();
    CHECK_FALSE(utf8.feed("\x98\x80"));   // continuation bytes with nothing to continue
}

TEST_CASE("every Unicode scalar value is valid and every surrogate is refused at byte 1",
          "[codec][utf8]") {
    // Checked with plain counters rather than one CHECK per code point: 1.1 million of them.
    std::size_t wrong_verdicts = 0;
    std::size_t surrogates_refused_at_byte_1 = 0;
    for (char32_t code_point = 0; code_point <= 0x10FFFF; ++code_point) {
        const std::string text = utf8_of(code_point);
        const bool is_surrogate = code_point >= 0xD800 && code_point <= 0xDFFF;
        if (is_valid_utf8(text) == is_surrogate) ++wrong_verdicts;
        if (is_surrogate) {
            Utf8Validator utf8;
            if (utf8.feed(text.substr(0, 1)) && !utf8.feed(text.substr(1, 1)))
                ++surrogates_refused_at_byte_1;
        }
    }
    CHECK(wrong_verdicts == 0);
    CHECK(surrogates_refused_at_byte_1 == 0x800);
}

TEST_CASE("of all 65536 two-byte texts, exactly ASCII pairs and C2..DF 80..BF are valid",
          "[codec][utf8]") {
    std::size_t wrong_verdicts = 0;
    for (unsigned first = 0; first < 256; ++first) {
        for (unsigned second = 0; second < 256; ++second) {
            const std::string text{static_cast<char>(first), static_cast<char>(second)};
            const bool ascii_pair = first < 0x80 && second < 0x80;
            const bool two_byte_form =
                first >= 0xC2 && first <= 0xDF && second >= 0x80 && second <= 0xBF;
            if (is_valid_utf8(text) != (ascii_pair || two_byte_form)) ++wrong_verdicts;
        }
    }
    CHECK(wrong_verdicts == 0);
}

TEST_CASE("a text cut into two pieces anywhere gets the one-piece verdict", "[codec][utf8]") {
    for (const std::string_view text : kGoodTexts) {
        for (std::size_t cut = 0; cut <= text.size(); ++cut) {
            CAPTURE(text, cut);
            CHECK(verdict_in_pieces(text, {cut}, kTruncated));
        }
    }
    for (const BadText& bad : kBadTexts) {
        for (std::size_t cut = 0; cut <= bad.bytes.size(); ++cut) {
            CAPTURE(bad.name, cut);
            CHECK_FALSE(verdict_in_pieces(bad.bytes, {cut}, bad.fail_at));
        }
    }
}

TEST_CASE("a text cut into three pieces anywhere gets the one-piece verdict", "[codec][utf8]") {
    for (const std::string_view text : kGoodTexts) {
        for (std::size_t first = 0; first <= text.size(); ++first) {
            for (std::size_t second = first; second <= text.size(); ++second) {
                CAPTURE(text, first, second);
                CHECK(verdict_in_pieces(text, {first, second}, kTruncated));
            }
        }
    }
    for (const BadText& bad : kBadTexts) {
        for (std::size_t first = 0; first <= bad.bytes.size(); ++first) {
            for (std::size_t second = first; second <= bad.bytes.size(); ++second) {
                CAPTURE(bad.name, first, second);
                CHECK_FALSE(verdict_in_pieces(bad.bytes, {first, second}, bad.fail_at));
            }
        }
    }
}

TEST_CASE("a bad byte is caught at every position of a long ASCII run", "[codec][utf8]") {
    // The ASCII fast path reads 8 bytes at a time; the bad byte must be found wherever it
    // falls inside or between those words, and at either end of the run.
    const std::string ascii(40, 'x');
    for (const std::string_view bad : {"\x80", "\xff", "\xc0"}) {
        for (std::size_t at = 0; at <= ascii.size(); ++at) {
            const std::string text = ascii.substr(0, at) + std::string{bad} + ascii.substr(at);
            CAPTURE(at);
            CHECK_FALSE(is_valid_utf8(text));
            // Cut right before the bad byte: the first piece is fine, the second is not.
            Utf8Validator utf8;
            CHECK(utf8.feed(std::string_view{text}.substr(0, at)));
            CHECK_FALSE(utf8.feed(std::string_view{text}.substr(at)));
        }
    }
}

TEST_CASE("a good code point is accepted at every position of a long ASCII run", "[codec][utf8]") {
    const std::string ascii(40, 'x');
    for (const std::string_view good : {"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9d\x84\x9e"}) {
        for (std::size_t at = 0; at <= ascii.size(); ++at) {
            CAPTURE(good, at);
            CHECK(is_valid_utf8(ascii.substr(0, at) + std::string{good} + ascii.substr(at)));
            // Without its lead byte it is refused; without its last byte it is not complete.
            CHECK_FALSE(is_valid_utf8(ascii.substr(0, at) + std::string{good.substr(1)}));
            Utf8Validator utf8;
            CHECK(utf8.feed(ascii.substr(0, at) + std::string{good.substr(0, good.size() - 1)}));
            CHECK_FALSE(utf8.is_complete());
        }
    }
}

TEST_CASE("a fresh validator and an empty feed are complete", "[codec][utf8]") {
    Utf8Validator utf8;
    CHECK(utf8.is_complete());
    CHECK(utf8.feed(std::span<const std::uint8_t>{}));
    CHECK(utf8.is_complete());
}

TEST_CASE("a corrupted byte anywhere in multi-byte text is caught at that byte", "[codec][utf8]") {
    // Mostly 2-, 3- and 4-byte code points, so the "whole code point" fast path is the one
    // reading; it must hand over to the table walk and the walk must stop at the right byte.
    const std::string text =
        "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5 \xe4\xbd\xa0\xe5\xa5\xbd "
        "\xf0\x9f\x98\x80\xf0\x9d\x84\x9e\xc3\xa9\xe2\x82\xac";
    REQUIRE(is_valid_utf8(text));
    const auto is_lead = [&](std::size_t i) {
        return (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
    };

    for (std::size_t at = 0; at < text.size(); ++at) {
        CAPTURE(at);
        // 0xFF never appears in UTF-8: refused right there.
        std::string broken = text;
        broken[at] = '\xff';
        CHECK(verdict_in_pieces(broken, {}, at) == false);

        // 'A' where a continuation byte belongs is refused right there; 'A' in place of a
        // lead byte is fine itself, and the orphaned continuation byte after it is refused.
        broken[at] = 'A';
        const bool next_is_orphan = at + 1 < text.size() && !is_lead(at + 1);
        const std::size_t fail_at = !is_lead(at) ? at : next_is_orphan ? at + 1 : kTruncated;
        CHECK(verdict_in_pieces(broken, {}, fail_at) == (fail_at == kTruncated));
    }
}
