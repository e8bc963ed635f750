// looplab/socketio_redis/socket_description.hpp
//
// A socket as one server describes it to another (fetch_sockets across servers), in the
// shape socket.io's RemoteSocket has, so Node servers read ours and we read theirs:
//
//     { "id": "Xy2...", "rooms": ["Xy2...", "lobby"], "data": {...},
//       "handshake": { "headers": {...}, "time": "Mon Dec 07 2026 03:00:00 GMT+0000 (UTC)",
//                      "address": "127.0.0.1", "xdomain": false, "secure": false,
//                      "issued": 1796612400000, "url": "/socket.io/?EIO=4&transport=websocket",
//                      "query": {"EIO": "4", ...}, "auth": {...} } }
//
// Contract: pure functions (the socket is only read).
#pragma once

#include "looplab/codec/json.hpp"
#include "looplab/socketio/adapter.hpp"

#include <optional>

namespace looplab::socketio {
class Socket;
}

namespace looplab::socketio_redis {

namespace json = codec::json;

// The handshake of a socket of ours, as socket.io writes socket.handshake.
json::Value describe_handshake(const socketio::Socket& socket);
// {id, handshake, rooms, data}. `rooms` includes the socket's own id, as in socket.io.
json::Value describe_socket(const socketio::Socket& socket);
// Another server's description; nullopt when it is not one (no string id).
std::optional<socketio::SocketInfo> read_socket_description(const json::Value& description);

}   // namespace looplab::socketio_redis
