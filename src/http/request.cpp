#include "looplab/http/request.hpp"

#include <algorithm>
#include <cstring>

namespace looplab::http {

namespace {

// ASCII only on purpose: std::tolower depends on the C locale, and HTTP does not.
char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view trim_spaces_and_tabs(std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    const auto last = text.find_last_not_of(" \t");
    return text.substr(first, last - first + 1);
}

// True when the comma-separated `list` holds `token`: "keep-alive, Upgrade" holds "upgrade".
bool list_has_token(std::string_view list, std::string_view token) {
    while (!list.empty()) {
        const auto comma = list.find(',');
        if (equals_ignoring_case(trim_spaces_and_tabs(list.substr(0, comma)), token)) return true;
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    return false;
}

}   // namespace

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return to_lower(x) == to_lower(y);
           });
}

bool is_token(std::string_view text) {
    const auto is_token_char = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               (c != '\0' && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr);
    };
    return !text.empty() && std::all_of(text.begin(), text.end(), is_token_char);
}

std::optional<std::string_view> Headers::find(std::string_view name) const {
    for (const auto& [field_name, value] : fields_)
        if (equals_ignoring_case(field_name, name)) return std::string_view{value};
    return std::nullopt;
}

// A list-valued header may also be split over several lines ("Connection: keep-alive" then
// "Connection: Upgrade"); RFC 9110 §5.3 says that means the same as one joined line.
bool Headers::has_token(std::string_view name, std::string_view token) const {
    for (const auto& [field_name, value] : fields_)
        if (equals_ignoring_case(field_name, name) && list_has_token(value, token)) return true;
    return false;
}

void Headers::set(std::string name, std::string value) {
    remove(name);
    add(std::move(name), std::move(value));
}

std::size_t Headers::remove(std::string_view name) {
    return std::erase_if(
        fields_, [&](const auto& field) { return equals_ignoring_case(field.first, name); });
}

}   // namespace looplab::http
