// looplab/engineio/session.cpp — the words a session's reasons and transports go by.
#include "looplab/engineio/session.hpp"

namespace looplab::engineio {

std::string_view to_string(CloseReason reason) {
    switch (reason) {
        case CloseReason::TransportError: return "transport error";
        case CloseReason::TransportClose: return "transport close";
        case CloseReason::ForcedClose: return "forced close";
        case CloseReason::PingTimeout: return "ping timeout";
        case CloseReason::ParseError: return "parse error";
    }
    return "transport error";
}

std::string_view to_string(TransportKind kind) {
    return kind == TransportKind::Polling ? "polling" : "websocket";
}

Handshake::Handshake(std::string_view target, const http::Headers& headers, net::Address address,
                     std::int64_t issued_ms)
    : issued_ms_(issued_ms), address_(std::move(address)) {
    std::size_t size = target.size();
    for (const auto& [name, value] : headers.all()) size += name.size() + value.size() + 2;
    packed_.reserve(size);
    packed_.append(target);
    url_size_ = static_cast<std::uint32_t>(target.size());
    // The HTTP parser refuses CR and LF inside names and values: '\n' can separate them.
    for (const auto& [name, value] : headers.all()) {
        packed_.append(name).push_back('\n');
        packed_.append(value).push_back('\n');
    }
}

template <typename Visit>
void Handshake::for_each_header(Visit&& visit) const {
    std::string_view rest = std::string_view{packed_}.substr(url_size_);
    while (!rest.empty()) {
        const std::size_t name_end = rest.find('\n');
        const std::size_t value_end = rest.find('\n', name_end + 1);
        if (visit(rest.substr(0, name_end), rest.substr(name_end + 1, value_end - name_end - 1)))
            return;
        rest.remove_prefix(value_end + 1);
    }
}

std::optional<std::string_view> Handshake::header(std::string_view name) const {
    std::optional<std::string_view> found;
    for_each_header([&](std::string_view field, std::string_view value) {
        if (!http::equals_ignoring_case(field, name)) return false;
        found = value;
        return true;
    });
    return found;
}

http::Headers Handshake::headers() const {
    http::Headers all;
    for_each_header([&](std::string_view name, std::string_view value) {
        all.add(std::string{name}, std::string{value});
        return false;
    });
    return all;
}

http::QueryParams Handshake::query() const { return http::parse_query(http::query_string(url())); }

std::string Handshake::query_value(std::string_view name) const {
    const http::QueryParams params = query();
    const auto found = http::find_query_value(params, name);
    return found ? std::string{*found} : std::string{};
}

}   // namespace looplab::engineio
