// looplab/codec/json_write.cpp
//
// The writer: compact JSON, byte for byte what JavaScript's JSON.stringify produces for the
// same value, so a browser, a Node.js peer and looplab all put the same text on the wire.
//
// Strings: runs of plain bytes (json_scan.hpp) are appended whole; only '"', '\\' and control
// characters are escaped: \b \f \n \r \t by name, the others as \u00XX (lower-case hex, as
// JSON.stringify). Other UTF-8 goes out as it is.
//
// Doubles follow ECMAScript's Number::toString. std::to_chars gives the shortest digits that
// read back to the same double, in scientific form ("1.5e+00"); format_double() then places
// the decimal point as JavaScript does:
//
//     digits "15", point after n = 1 digit:   1.5       (0 < n <= 21: a plain decimal)
//     1e21 -> n = 22:                         1e+21     (n > 21: exponent form)
//     1e-7 -> n = -6:                         1e-7      (n <= -6: exponent form)
//     1.5e-6 -> n = -5:                       0.0000015 (-6 < n <= 0: leading zeros)
//     100.0 -> digits "1", n = 3:             100       (whole numbers: no ".0")
//
// and minus zero is "0", NaN and infinities are "null" (JSON has no word for them).
#include "looplab/codec/json.hpp"

#include "looplab/core/assert.hpp"
#include "json_scan.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace looplab::codec::json {

namespace {

// Below 2^53 every whole double is an exact integer and its shortest digits are all of its
// digits, so writing it as an integer is the same text, and much quicker.
constexpr double kExactIntegerLimit = 9007199254740992.0;   // 2^53

void append_int(std::string& out, std::int64_t number) {
    char digits[24];
    const auto written = std::to_chars(digits, digits + sizeof digits, number);
    out.append(digits, written.ptr);
}

void format_double(std::string& out, double number) {
    if (!std::isfinite(number)) {
        out.append("null");
        return;
    }
    if (std::trunc(number) == number && std::fabs(number) < kExactIntegerLimit) {
        append_int(out, static_cast<std::int64_t>(number));   // -0.0 becomes 0, as in JS
        return;
    }
    char scientific[32];   // "-d.dddddddddddddddde-308": at most 24 bytes
    const auto written = std::to_chars(scientific, scientific + sizeof scientific, number,
                                       std::chars_format::scientific);
    const char* at = scientific;
    if (*at == '-') out.push_back(*at++);
    char digits[20];   // the significant digits, without the point: at most 17
    int digit_count = 0;
    for (; *at != 'e'; ++at)
        if (*at != '.') digits[digit_count++] = *at;
    const bool negative_exponent = at[1] == '-';   // "e+21" or "e-07"
    int exponent = 0;
    std::from_chars(at + 2, written.ptr, exponent);
    if (negative_exponent) exponent = -exponent;
    const int point = exponent + 1;   // JavaScript's n: the decimal point after this many digits

    if (digit_count <= point && point <= 21) {   // a whole number: the digits, then zeros
        out.append(digits, static_cast<std::size_t>(digit_count));
        out.append(static_cast<std::size_t>(point - digit_count), '0');
    } else if (0 < point && point <= 21) {   // the point falls inside the digits
        out.append(digits, static_cast<std::size_t>(point));
        out.push_back('.');
        out.append(digits + point, static_cast<std::size_t>(digit_count - point));
    } else if (-6 < point && point <= 0) {   // 0.000ddd
        out.append("0.");
        out.append(static_cast<std::size_t>(-point), '0');
        out.append(digits, static_cast<std::size_t>(digit_count));
    } else {   // d.ddde+XX
        out.push_back(digits[0]);
        if (digit_count > 1) {
            out.push_back('.');
            out.append(digits + 1, static_cast<std::size_t>(digit_count - 1));
        }
        out.push_back('e');
        out.push_back(exponent < 0 ? '-' : '+');
        append_int(out, std::abs(exponent));
    }
}

void append_escape(std::string& out, unsigned char byte) {
    switch (byte) {
        case '"': out.append("\\\""); return;
        case '\\': out.append("\\\\"); return;
        case '\b': out.append("\\b"); return;
        case '\f': out.append("\\f"); return;
        case '\n': out.append("\\n"); return;
        case '\r': out.append("\\r"); return;
        case '\t': out.append("\\t"); return;
        default: {
            constexpr char kHex[] = "0123456789abcdef";
            const char escape[] = {'\\', 'u', '0', '0', kHex[byte >> 4], kHex[byte & 0xF]};
            out.append(escape, sizeof escape);
        }
    }
}

}   // namespace

void write_string_to(std::string& out, std::string_view text) {
    out.push_back('"');
    const char* run = text.data();
    const char* end = text.data() + text.size();
    for (;;) {
        bool saw_non_ascii = false;   // the writer passes UTF-8 through unchecked
        const char* stop = detail::find_special(run, end, saw_non_ascii);
        out.append(run, stop);
        if (stop == end) break;
        append_escape(out, static_cast<unsigned char>(*stop));
        run = stop + 1;
    }
    out.push_back('"');
}

void write_to(std::string& out, const Value& value) {
    switch (value.type()) {
        case Type::Null: out.append("null"); return;
        case Type::Bool: out.append(value.as_bool() ? "true" : "false"); return;
        case Type::Int: append_int(out, value.as_int()); return;
        case Type::Double: format_double(out, value.as_double()); return;
        case Type::String: write_string_to(out, value.as_string()); return;
        case Type::Array: {
            out.push_back('[');
            bool first = true;
            for (const Value& item : value.as_array()) {
                if (!first) out.push_back(',');
                first = false;
                write_to(out, item);
            }
            out.push_back(']');
            return;
        }
        case Type::Object: {
            out.push_back('{');
            bool first = true;
            for (const auto& [key, member] : value.as_object()) {
                if (!first) out.push_back(',');
                first = false;
                write_string_to(out, key);
                out.push_back(':');
                write_to(out, member);
            }
            out.push_back('}');
            return;
        }
        case Type::Bytes:
            LOOPLAB_ASSERT(false,
                           "write() of a value holding Bytes: binary attachments are not "
                           "JSON; replace them first (socketio does, with placeholders)");
    }
}

std::string write(const Value& value) {
    std::string out;
    out.reserve(64);   // most messages fit: one allocation instead of three or four
    write_to(out, value);
    return out;
}

}   // namespace looplab::codec::json
