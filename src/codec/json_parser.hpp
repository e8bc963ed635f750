// src/codec/json_parser.hpp — the JSON parser's state, shared by its two files (private):
// json_parse.cpp (the grammar: values, arrays, objects) and json_parse_scalars.cpp (strings
// and numbers, the byte-level work).
#pragma once

#include "looplab/codec/json.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace looplab::codec::json::detail {

// One parse of one text. The cursor only moves forward; on failure, error_ says why.
class Parser final {
public:
    explicit Parser(std::string_view text)
        : begin_(text.data()), cursor_(text.data()), end_(text.data() + text.size()) {}

    // The whole text: one value, with only whitespace around it.
    bool parse_text(Value& out);
    ParseError take_error() { return std::move(*error_); }

private:
    bool parse_value(Value& out, std::size_t depth);
    bool parse_literal(std::string_view word, Value& out, Value meaning);
    bool enter(std::size_t depth);   // checks the depth and steps past '[' or '{'
    bool parse_array(Value& out, std::size_t depth);
    bool parse_object(Value& out, std::size_t depth);
    void skip_whitespace();

    // json_parse_scalars.cpp
    bool parse_string_value(Value& out);
    bool parse_string(std::string& out);   // the cursor is on the opening '"'
    bool parse_escape(std::string& out);   // the cursor is on the '\\'
    bool read_hex4(const char* at, std::uint32_t& code_unit);
    bool check_utf8(const char* run, const char* run_end);
    bool parse_number(Value& out);
    bool parse_double(const char* start, bool negative, Value& out);

    // Records why the text is refused; always returns false, so `return fail(...)` reads well.
    bool fail(const char* at, std::string_view what);

    const char* begin_;
    const char* cursor_;
    const char* end_;
    std::optional<ParseError> error_;
    std::vector<std::uint32_t> scratch_order_;   // reused by the duplicate-key check
};

}   // namespace looplab::codec::json::detail
