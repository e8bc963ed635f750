// tests/support/ws_peer.hpp — a WebSocket client of ours that records every message and how
// it closed: the peer the Engine.IO and classroom tests talk to a server with.
#pragma once

#include "looplab/events/event_words.hpp"
#include "looplab/net/address.hpp"
#include "looplab/ws/web_socket_client.hpp"
#include "looplab/ws/web_socket_connection.hpp"

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace looplab::testing {

struct WsPeer {
    std::unique_ptr<ws::WebSocketConnection> connection;
    std::vector<ws::Message> messages;
    std::optional<ws::CloseInfo> closed;
    bool failed = false;   // the connection or its handshake was refused

    ws::WebSocket& socket() { return connection->socket(); }
    bool has(std::size_t count) const { return messages.size() >= count; }
};

// Connects `peer` to ws://localhost<path> at `address`; the outcome shows in `peer` once the
// loop ran.
inline void connect_ws(ws::WebSocketClient& client, const net::Address& address, std::string path,
                       WsPeer& peer, ws::WebSocketOptions options = {}) {
    ws::ClientOptions client_options;
    client_options.web_socket = options;
    client.connect(
        address, "localhost", std::move(path),
        [&peer](Result<std::unique_ptr<ws::WebSocketConnection>> made) {
            if (!made) {
                peer.failed = true;
                return;
            }
            peer.connection = std::move(made).value();
            peer.connection->socket().on(events::message, [&peer](const ws::Message& message) {
                peer.messages.push_back(message);
            });
            peer.connection->socket().on(
                events::close, [&peer](const ws::CloseInfo& info) { peer.closed = info; });
            peer.connection->start();
        },
        client_options);
}

}   // namespace looplab::testing
