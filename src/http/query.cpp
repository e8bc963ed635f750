#include "looplab/http/query.hpp"

#include "hex_digit.hpp"

namespace looplab::http {

using detail::hex_digit_value;

std::string_view query_string(std::string_view target) {
    const std::size_t question = target.find('?');
    if (question == std::string_view::npos) return {};
    std::string_view query = target.substr(question + 1);
    return query.substr(0, query.find('#'));
}

std::string decode_query_component(std::string_view text) {
    std::string decoded;
    decoded.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '+') {
            decoded += ' ';
            continue;
        }
        if (c == '%' && i + 2 < text.size()) {
            const auto high = hex_digit_value(text[i + 1]);
            const auto low = hex_digit_value(text[i + 2]);
            if (high && low) {
                decoded += static_cast<char>(*high * 16 + *low);
                i += 2;
                continue;
            }
        }
        decoded += c;   // a plain byte, or a malformed escape kept as written
    }
    return decoded;
}

QueryParams parse_query(std::string_view query) {
    QueryParams params;
    while (!query.empty() && params.size() < kHttpMaxQueryParams) {
        const std::size_t amp = query.find('&');
        const std::string_view piece = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (piece.empty()) continue;
        const std::size_t equals = piece.find('=');
        if (equals == std::string_view::npos)
            params.emplace_back(decode_query_component(piece), std::string{});
        else
            params.emplace_back(decode_query_component(piece.substr(0, equals)),
                                decode_query_component(piece.substr(equals + 1)));
    }
    return params;
}

std::optional<std::string_view> find_query_value(const QueryParams& params, std::string_view name) {
    for (const auto& [key, value] : params)
        if (key == name) return std::string_view{value};
    return std::nullopt;
}

}   // namespace looplab::http
