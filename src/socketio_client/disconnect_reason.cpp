// looplab/socketio_client/disconnect_reason.cpp — the reference client's words.
#include "looplab/socketio_client/disconnect_reason.hpp"

#include <array>
#include <utility>

namespace looplab::socketio_client {

namespace {

constexpr std::array<std::pair<DisconnectReason, std::string_view>, 7> kWords{{
    {DisconnectReason::IoServerDisconnect, "io server disconnect"},
    {DisconnectReason::IoClientDisconnect, "io client disconnect"},
    {DisconnectReason::ForcedClose, "forced close"},
    {DisconnectReason::PingTimeout, "ping timeout"},
    {DisconnectReason::TransportClose, "transport close"},
    {DisconnectReason::TransportError, "transport error"},
    {DisconnectReason::ParseError, "parse error"},
}};

}   // namespace

std::string_view to_string(DisconnectReason reason) {
    for (const auto& [value, words] : kWords)
        if (value == reason) return words;
    return "transport close";
}

std::optional<DisconnectReason> disconnect_reason_from(std::string_view words) {
    for (const auto& [value, text] : kWords)
        if (text == words) return value;
    return std::nullopt;
}

bool reconnects_after(DisconnectReason reason) {
    return reason != DisconnectReason::IoServerDisconnect &&
           reason != DisconnectReason::IoClientDisconnect &&
           reason != DisconnectReason::ForcedClose;
}

}   // namespace looplab::socketio_client
