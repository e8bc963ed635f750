// looplab/socketio_client/server_url.hpp
//
// ServerUrl — where a Socket.IO client connects, read from what a user writes:
//
//     "http://127.0.0.1:3000/chat"   address 127.0.0.1:3000, namespace "/chat"
//     "ws://localhost:3000"          "localhost" is 127.0.0.1; namespace "/"
//     "127.0.0.1:3000"               no scheme: the same as http://
//
// As in socket.io-client, the URL's path is the NAMESPACE, not the HTTP path (that one is
// ManagerOptions::path, "/socket.io/"). Numeric addresses only (net::Address does no DNS);
// "localhost" is the one name we know. TLS (https://, wss://) is not supported.
//
// Errors, e.g. "socketio_client: https:// needs TLS, which looplab does not have",
// "socketio_client: a namespace cannot contain ',' ('/a,b')",
// "socketio_client: not a numeric address 'example.com:80' (no DNS here)".
//
// Contract: pure function.
#pragma once

#include "looplab/core/result.hpp"
#include "looplab/net/address.hpp"

#include <string>
#include <string_view>

namespace looplab::socketio_client {

struct ServerUrl {
    net::Address address;
    std::string host;        // the Host header: "127.0.0.1:3000", or "localhost:3000"
    std::string nsp = "/";   // the namespace named by the URL's path
};

[[nodiscard]] Result<ServerUrl> parse_server_url(std::string_view url);

// The same for an address known already (a test server on port 0): namespace `nsp`.
ServerUrl server_url(const net::Address& address, std::string nsp = "/");

}   // namespace looplab::socketio_client
