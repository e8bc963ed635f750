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

std::string_view Handshake::query_value(std::string_view name) const {
    for (const auto& [key, value] : query)
        if (key == name) return value;
    return {};
}

}   // namespace looplab::engineio
