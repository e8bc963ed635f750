// looplab/engineio/request_check.cpp — the query an Engine.IO request carries, and the
// reference server's refusals in the reference order.
#include "looplab/engineio/request_check.hpp"

#include "looplab/http/query.hpp"

namespace looplab::engineio {

EngineQuery read_engine_query(std::string_view target) {
    const http::QueryParams params = http::parse_query(http::query_string(target));
    const auto value_of = [&](std::string_view name) -> std::optional<std::string> {
        const auto found = http::find_query_value(params, name);
        if (!found) return std::nullopt;
        return std::string{*found};
    };
    return EngineQuery{value_of("EIO"), value_of("transport"), value_of("sid")};
}

std::optional<TransportKind> transport_from_name(std::string_view name) {
    if (name == "polling") return TransportKind::Polling;
    if (name == "websocket") return TransportKind::WebSocket;
    return std::nullopt;
}

bool has_invalid_header_char(std::string_view value) {
    for (const char c : value) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte != '\t' && (byte < 0x20 || byte == 0x7f)) return true;
    }
    return false;
}

std::optional<ErrorCode> check_request(const EngineQuery& query, std::string_view method,
                                       std::optional<std::string_view> origin,
                                       const RequestContext& context) {
    const std::optional<TransportKind> transport =
        query.transport ? transport_from_name(*query.transport) : std::nullopt;
    const bool is_enabled =
        transport &&
        (*transport == TransportKind::Polling ? context.allow_polling : context.allow_websocket);
    if (!is_enabled) return ErrorCode::UnknownTransport;
    if (origin && has_invalid_header_char(*origin)) return ErrorCode::BadRequest;

    if (query.sid) {
        if (!context.session_transport) return ErrorCode::UnknownSid;
        if (!context.is_upgrade && *context.session_transport != *transport)
            return ErrorCode::BadRequest;
        return std::nullopt;
    }
    if (method != "GET") return ErrorCode::BadHandshakeMethod;
    if (*transport == TransportKind::WebSocket && !context.is_upgrade) return ErrorCode::BadRequest;
    if (query.eio != "4") return ErrorCode::UnsupportedProtocolVersion;
    return std::nullopt;
}

}   // namespace looplab::engineio
