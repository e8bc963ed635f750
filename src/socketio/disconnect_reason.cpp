// looplab/socketio/disconnect_reason.cpp — the protocol's words for each reason.
#include "looplab/socketio/disconnect_reason.hpp"

#include <array>
#include <utility>

namespace looplab::socketio {

namespace {

constexpr std::array<std::pair<DisconnectReason, std::string_view>, 9> kWords{{
    {DisconnectReason::TransportError, "transport error"},
    {DisconnectReason::TransportClose, "transport close"},
    {DisconnectReason::ForcedClose, "forced close"},
    {DisconnectReason::PingTimeout, "ping timeout"},
    {DisconnectReason::ParseError, "parse error"},
    {DisconnectReason::ServerShuttingDown, "server shutting down"},
    {DisconnectReason::ForcedServerClose, "forced server close"},
    {DisconnectReason::ClientNamespaceDisconnect, "client namespace disconnect"},
    {DisconnectReason::ServerNamespaceDisconnect, "server namespace disconnect"},
}};

}   // namespace

std::string_view to_string(DisconnectReason reason) {
    for (const auto& [each, words] : kWords)
        if (each == reason) return words;
    return "unknown";
}

std::optional<DisconnectReason> disconnect_reason_from(std::string_view words) {
    for (const auto& [each, text] : kWords)
        if (text == words) return each;
    return std::nullopt;
}

DisconnectReason disconnect_reason_for(engineio::CloseReason reason) {
    switch (reason) {
        case engineio::CloseReason::TransportError: return DisconnectReason::TransportError;
        case engineio::CloseReason::TransportClose: return DisconnectReason::TransportClose;
        case engineio::CloseReason::ForcedClose: return DisconnectReason::ForcedClose;
        case engineio::CloseReason::PingTimeout: return DisconnectReason::PingTimeout;
        case engineio::CloseReason::ParseError: return DisconnectReason::ParseError;
    }
    return DisconnectReason::TransportError;
}

bool is_recoverable(DisconnectReason reason) {
    switch (reason) {
        case DisconnectReason::TransportError:
        case DisconnectReason::TransportClose:
        case DisconnectReason::ForcedClose:
        case DisconnectReason::PingTimeout:
        case DisconnectReason::ServerShuttingDown:
        case DisconnectReason::ForcedServerClose: return true;
        case DisconnectReason::ParseError:
        case DisconnectReason::ClientNamespaceDisconnect:
        case DisconnectReason::ServerNamespaceDisconnect: return false;
    }
    return false;
}

}   // namespace looplab::socketio
