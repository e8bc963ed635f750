// looplab/socketio_client/disconnect_reason.hpp
//
// Why a client socket left its namespace, in the reference client's words (socket.io-client's
// Socket.DisconnectReason), so our logs read like a browser's. Facts: PROTOCOLS.md §1.8, §2.
//
//     "io server disconnect"   the server sent DISCONNECT (socket.disconnect() there)  no retry
//     "io client disconnect"   we called disconnect()                                 no retry
//     "forced close"           we closed the whole Manager                            no retry
//     "ping timeout"           no ping from the server for pingInterval + pingTimeout retry
//     "transport close"        the connection was closed (server gone, network cut)   retry
//     "transport error"        the connection failed                                  retry
//     "parse error"            the server sent a packet that does not decode          retry
#pragma once

#include <optional>
#include <string_view>

namespace looplab::socketio_client {

enum class DisconnectReason {
    IoServerDisconnect,
    IoClientDisconnect,
    ForcedClose,
    PingTimeout,
    TransportClose,
    TransportError,
    ParseError,
};

std::string_view to_string(DisconnectReason reason);
std::optional<DisconnectReason> disconnect_reason_from(std::string_view words);

// True when the manager reconnects by itself after this reason (the socket then connects
// again, and the server may recover its session).
bool reconnects_after(DisconnectReason reason);

}   // namespace looplab::socketio_client
