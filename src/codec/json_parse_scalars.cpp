// looplab/codec/json_parse_scalars.cpp
//
// The parser's byte-level half: strings and numbers.
//
// Strings. A string is runs of plain bytes between escapes. find_special() (json_scan.hpp)
// skips a run 8 bytes at a time, and the run is appended in one go, so a string without
// escapes is copied once, straight into its final std::string. A run that held a byte >= 0x80
// is checked as UTF-8 as a whole (codec::is_valid_utf8); the byte-by-byte search for the
// exact bad byte only happens when the check fails.
//
// Numbers. The grammar is checked here, by hand, because std::from_chars accepts more than
// JSON does ("01", "1.", ".5", "inf"). While checking, the integer digits are added up: up to
// 19 digits cannot overflow 64 bits, so "fits in an int64?" is a comparison. Anything else (a
// fraction, an exponent, a bigger integer) is handed to std::from_chars, which rounds
// correctly: the double nearest to the decimal text.
#include "json_parser.hpp"

#include "looplab/codec/utf8.hpp"
#include "looplab/core/assert.hpp"
#include "json_scan.hpp"

#include <fmt/format.h>

#include <charconv>
#include <limits>
#include <system_error>

namespace looplab::codec::json::detail {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

constexpr std::size_t kMaxExactDigits = 19;   // 9,999,999,999,999,999,999 < 2^64

// UTF-8 for one code point (at most U+10FFFF; surrogates never get here).
void append_utf8(std::string& out, std::uint32_t code_point) {
    if (code_point < 0x80) {
        out.push_back(static_cast<char>(code_point));
    } else if (code_point < 0x800) {
        const char bytes[] = {static_cast<char>(0xC0 | (code_point >> 6)),
                              static_cast<char>(0x80 | (code_point & 0x3F))};
        out.append(bytes, sizeof bytes);
    } else if (code_point < 0x10000) {
        const char bytes[] = {static_cast<char>(0xE0 | (code_point >> 12)),
                              static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)),
                              static_cast<char>(0x80 | (code_point & 0x3F))};
        out.append(bytes, sizeof bytes);
    } else {
        const char bytes[] = {static_cast<char>(0xF0 | (code_point >> 18)),
                              static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)),
                              static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)),
                              static_cast<char>(0x80 | (code_point & 0x3F))};
        out.append(bytes, sizeof bytes);
    }
}

bool is_high_surrogate(std::uint32_t unit) { return unit >= 0xD800 && unit <= 0xDBFF; }
bool is_low_surrogate(std::uint32_t unit) { return unit >= 0xDC00 && unit <= 0xDFFF; }

// from_chars said "out of range": too big (an error) or too small (it reads as zero, as in
// JavaScript)? The decimal exponent of the first significant digit tells: 1e400 and 10e399
// are too big, 1e-400 and 0.001e-397 too small. ERANGE only happens hundreds of powers of ten
// away from 10^0, so this rough measure cannot be wrong.
bool is_too_big(const char* at, const char* end) {
    if (*at == '-') ++at;
    while (at != end && *at == '0') ++at;   // leading zeros say nothing
    long magnitude = 0;                     // the power of ten of the first non-zero digit
    const char* significant = at;
    while (at != end && is_digit(*at)) ++at;
    if (at != significant) {
        magnitude = (at - significant) - 1;
    } else if (at != end && *at == '.') {
        const char* zeros = ++at;
        while (at != end && *at == '0') ++at;
        magnitude = -((at - zeros) + 1);
    }
    while (at != end && (is_digit(*at) || *at == '.')) ++at;
    long exponent = 0;
    if (at != end && (*at == 'e' || *at == 'E')) {
        ++at;
        const bool negative = *at == '-';
        if (*at == '-' || *at == '+') ++at;
        for (; at != end; ++at)   // saturate: only the sign of the total matters
            if (exponent < 1'000'000'000) exponent = exponent * 10 + (*at - '0');
        if (negative) exponent = -exponent;
    }
    return magnitude + exponent > 0;
}

}   // namespace

bool Parser::parse_string_value(Value& out) { return parse_string(out.emplace_string()); }

bool Parser::parse_string(std::string& out) {
    const char* opening = cursor_;
    const char* run = cursor_ + 1;
    for (;;) {
        bool saw_non_ascii = false;
        const char* stop = find_special(run, end_, saw_non_ascii);
        if (stop == end_)
            return fail(end_,
                        fmt::format("unterminated string (opened at byte {})", opening - begin_));
        if (saw_non_ascii && !check_utf8(run, stop)) return false;
        out.append(run, stop);
        if (*stop == '"') {
            cursor_ = stop + 1;
            return true;
        }
        if (*stop != '\\')
            return fail(stop, fmt::format("raw control character 0x{:02X} in a string (write it "
                                          "as an escape such as \\n or \\u00XX)",
                                          static_cast<unsigned char>(*stop)));
        cursor_ = stop;
        if (!parse_escape(out)) return false;
        run = cursor_;
    }
}

bool Parser::parse_escape(std::string& out) {
    const char* escape = cursor_;
    if (end_ - escape < 2) return fail(end_, "unterminated string (input ends inside an escape)");
    cursor_ += 2;
    switch (escape[1]) {
        case '"': out.push_back('"'); return true;
        case '\\': out.push_back('\\'); return true;
        case '/': out.push_back('/'); return true;
        case 'b': out.push_back('\b'); return true;
        case 'f': out.push_back('\f'); return true;
        case 'n': out.push_back('\n'); return true;
        case 'r': out.push_back('\r'); return true;
        case 't': out.push_back('\t'); return true;
        case 'u': break;
        default:
            return fail(escape + 1, fmt::format("invalid escape '\\{}' in a string (only "
                                                "\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)",
                                                escape[1]));
    }
    std::uint32_t unit = 0;
    if (!read_hex4(cursor_, unit)) return false;
    cursor_ += 4;
    if (is_low_surrogate(unit))
        return fail(escape, fmt::format("lone surrogate \\u{:04X} (a low surrogate must follow "
                                        "a high one \\uD800-\\uDBFF)",
                                        unit));
    if (is_high_surrogate(unit)) {
        std::uint32_t low = 0;
        if (end_ - cursor_ < 6 || cursor_[0] != '\\' || cursor_[1] != 'u' ||
            !read_hex4(cursor_ + 2, low) || !is_low_surrogate(low))
            return fail(escape, fmt::format("lone surrogate \\u{:04X} (a high surrogate must be "
                                            "followed by a low one \\uDC00-\\uDFFF)",
                                            unit));
        cursor_ += 6;
        unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
    }
    append_utf8(out, unit);
    return true;
}

// Four hex digits at `at`, either case. Fails (and says so) only when there are not four.
bool Parser::read_hex4(const char* at, std::uint32_t& code_unit) {
    code_unit = 0;
    for (int i = 0; i < 4; ++i, ++at) {
        if (at == end_) return fail(at, "unexpected end of input in a \\u escape");
        const char c = *at;
        std::uint32_t digit = 0;
        if (c >= '0' && c <= '9') digit = static_cast<std::uint32_t>(c - '0');
        else if (c >= 'a' && c <= 'f') digit = static_cast<std::uint32_t>(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') digit = static_cast<std::uint32_t>(c - 'A' + 10);
        else return fail(at, "expected 4 hex digits after \\u");
        code_unit = code_unit << 4 | digit;
    }
    return true;
}

bool Parser::check_utf8(const char* run, const char* run_end) {
    const std::string_view text{run, static_cast<std::size_t>(run_end - run)};
    if (is_valid_utf8(text)) return true;
    Utf8Validator validator;   // find the first bad byte, for the message
    for (const char* at = run; at != run_end; ++at)
        if (!validator.feed(std::string_view{at, 1})) return fail(at, "invalid UTF-8 in a string");
    return fail(run_end, "invalid UTF-8 in a string (a character cut short)");
}

bool Parser::parse_number(Value& out) {
    const char* start = cursor_;
    const bool negative = *cursor_ == '-';
    if (negative) ++cursor_;
    if (cursor_ == end_ || !is_digit(*cursor_)) return fail(cursor_, "expected a digit after '-'");

    const char* integer_digits = cursor_;
    std::uint64_t magnitude = 0;   // wraps past 19 digits; then it is not used
    if (*cursor_ == '0') {
        ++cursor_;
        if (cursor_ != end_ && is_digit(*cursor_)) return fail(cursor_, "leading zero in a number");
    } else {
        for (; cursor_ != end_ && is_digit(*cursor_); ++cursor_)
            magnitude = magnitude * 10 + static_cast<std::uint64_t>(*cursor_ - '0');
    }
    const auto digit_count = static_cast<std::size_t>(cursor_ - integer_digits);

    bool is_integer = true;
    if (cursor_ != end_ && *cursor_ == '.') {
        ++cursor_;
        if (cursor_ == end_ || !is_digit(*cursor_))
            return fail(cursor_, "expected a digit after '.'");
        while (cursor_ != end_ && is_digit(*cursor_)) ++cursor_;
        is_integer = false;
    }
    if (cursor_ != end_ && (*cursor_ == 'e' || *cursor_ == 'E')) {
        ++cursor_;
        if (cursor_ != end_ && (*cursor_ == '+' || *cursor_ == '-')) ++cursor_;
        if (cursor_ == end_ || !is_digit(*cursor_))
            return fail(cursor_, "expected a digit in the exponent");
        while (cursor_ != end_ && is_digit(*cursor_)) ++cursor_;
        is_integer = false;
    }

    if (is_integer && digit_count <= kMaxExactDigits) {
        constexpr auto kMaxInt =
            static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
        if (!negative && magnitude <= kMaxInt) {
            out = static_cast<std::int64_t>(magnitude);
            return true;
        }
        if (negative && magnitude != 0 && magnitude <= kMaxInt + 1) {   // -0 is a Double
            out = static_cast<std::int64_t>(0 - magnitude);             // modular: -2^63 included
            return true;
        }
    }
    return parse_double(start, negative, out);
}

bool Parser::parse_double(const char* start, bool negative, Value& out) {
    double number = 0;
    const auto [end, error] = std::from_chars(start, cursor_, number);
    if (error == std::errc::result_out_of_range) {
        if (is_too_big(start, cursor_)) return fail(start, "number too large for a double");
        number = negative ? -0.0 : 0.0;
    } else {
        LOOPLAB_ASSERT(error == std::errc{} && end == cursor_,
                       "from_chars refused a number the JSON grammar accepted");
    }
    out = number;
    return true;
}

}   // namespace looplab::codec::json::detail
