// looplab/socketio/disconnect_reason.hpp
//
// DisconnectReason — why a Socket.IO socket left its namespace. The words are the protocol's
// (socket.io's DisconnectReason type), so a student can compare our logs with a Node server's.
// Teaches: lesson 18 (why did my chat client disconnect?). Facts: PROTOCOLS.md §1.8, §2.
//
// The first five come from the Engine.IO session under the socket (engineio::CloseReason);
// the others are Socket.IO's own.
#pragma once

#include "looplab/engineio/session.hpp"

#include <optional>
#include <string_view>

namespace looplab::socketio {

enum class DisconnectReason {
    TransportError,       // "transport error": the connection broke (bad request, oversize)
    TransportClose,       // "transport close": the peer closed its connection
    ForcedClose,          // "forced close": the engine session was closed by our side
    PingTimeout,          // "ping timeout": no pong in time (peer gone or event loop blocked)
    ParseError,           // "parse error": the peer sent a packet that does not decode
    ServerShuttingDown,   // "server shutting down": Server::close()
    ForcedServerClose,    // "forced server close": socket.disconnect(true) closed the connection
    ClientNamespaceDisconnect,   // "client namespace disconnect": the peer sent DISCONNECT
    ServerNamespaceDisconnect,   // "server namespace disconnect": socket.disconnect() on our side
};

// The protocol's words, as listed above.
std::string_view to_string(DisconnectReason reason);
// The reverse of to_string(); nullopt for words that are not a reason.
std::optional<DisconnectReason> disconnect_reason_from(std::string_view words);

// Engine.IO's five reasons, as a socket sees them.
DisconnectReason disconnect_reason_for(engineio::CloseReason reason);

// The reasons after which connection state recovery keeps the socket's session (socket.io's
// RECOVERABLE_DISCONNECT_REASONS): everything except a deliberate leave and a parse error.
bool is_recoverable(DisconnectReason reason);

}   // namespace looplab::socketio
