// src/http/hex_digit.hpp — the value of one hexadecimal digit, for %XX escapes (paths in
// static_files.cpp, query strings in query.cpp). Internal to src/http.
#pragma once

#include <optional>

namespace looplab::http::detail {

inline std::optional<int> hex_digit_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return std::nullopt;
}

}   // namespace looplab::http::detail
