// looplab/ws/web_socket_connection.hpp
//
// WebSocketConnection — a WebSocket (the protocol) running on a TcpConnection (the bytes).
// It is the Transport the WebSocket writes to, and the TcpObserver of its connection: it
// forwards what TCP reports, bytes to WebSocket::receive(), "drained" to transport_drained(),
// the socket closing to transport_closed(). Made by accept_upgrade() (server side) or
// WebSocketClient (client side).
//
//     auto connection = accept_upgrade(loop, request, std::move(tcp), leftover, policy);
//     if (!connection) return;                  // refused: the HTTP answer was sent
//     connection->socket().on(events::message, ...);   // listen first,
//     connection->start();                      // then bytes flow (leftover ones first)
//
// Lifetime: the one rule, include/looplab/README.md. The owner keeps the unique_ptr,
// typically in a map, and may erase it anywhere on the loop thread, inside any listener of
// its socket() too; erasing it in its close listener is the usual way. Destroying an open
// connection closes the TCP socket at once, with no close frame: socket().close() is the polite
// way.
//
// Contract: loop thread only.
#pragma once

#include "looplab/http/request.hpp"
#include "looplab/net/tcp_connection.hpp"
#include "looplab/ws/handshake.hpp"
#include "looplab/ws/web_socket.hpp"

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

namespace looplab::ws {

class WebSocketConnection final : public Transport, private net::TcpObserver {
public:
    WebSocketConnection(loop::EventLoop& loop, Role role,
                        std::unique_ptr<net::TcpConnection> connection, std::string leftover,
                        WebSocketOptions options = {});
    // With options shared by many connections (a server's): see WebSocket.
    WebSocketConnection(loop::EventLoop& loop, Role role,
                        std::unique_ptr<net::TcpConnection> connection, std::string leftover,
                        std::shared_ptr<const WebSocketOptions> options);
    ~WebSocketConnection() override;

    WebSocket& socket() { return socket_; }
    net::TcpConnection& tcp() { return *tcp_; }
    // The subprotocol both sides agreed on in the handshake, if any.
    std::optional<std::string_view> subprotocol() const;
    void set_subprotocol(std::optional<std::string> chosen);

    // Call once the listeners are set: handles the bytes that came with the handshake. The
    // TCP connection is already reading (the HTTP server or the client started it); until
    // start(), nothing else arrives, because the hand-over happens within one loop callback.
    void start();

    // Transport, for the WebSocket.
    void write(std::string_view head, std::string_view body) override;
    std::size_t buffered_amount() const override;
    void gather_until_next_phase() override { tcp_->cork_until_next_phase(); }
    void close_transport() override;
    void abort_transport() override;

private:
    // TcpObserver, for the TCP connection.
    void on_data(net::TcpConnection& tcp, net::ByteBuffer& input) override;
    void on_drain(net::TcpConnection& tcp) override;
    void on_close(net::TcpConnection& tcp) override;

    std::unique_ptr<net::TcpConnection> tcp_;
    WebSocket socket_;
    // Rarely there, so kept on the heap only when one of them is: 8 bytes per connection.
    struct Rare {
        std::string leftover;   // frames that came with the handshake
        std::optional<std::string> subprotocol;
    };
    std::unique_ptr<Rare> rare_;
};

// Connections we have answered for the last time (a refused handshake, a failed one) and
// now close gracefully: held here until their close event, then freed. Destroying the
// holder (with its server or client) closes what is left at once, so nothing outlives it.
class ClosingConnections {
public:
    void close(std::unique_ptr<net::TcpConnection> connection);
    std::size_t size() const { return closing_.size(); }

private:
    std::unordered_map<net::TcpConnection*, std::unique_ptr<net::TcpConnection>> closing_;
};

// Server side of the handshake on a (started) connection the HTTP server handed over: checks
// the request (RFC 6455 §4.2), then either writes the 101 answer and returns the connection
// (call start() once its listeners are set), or writes the refusal (400/403/426), hands the
// connection to `closing` (or, without one, resets it at once), and returns nullptr.
std::unique_ptr<WebSocketConnection> accept_upgrade(loop::EventLoop& loop,
                                                    const http::Request& request,
                                                    std::unique_ptr<net::TcpConnection> connection,
                                                    std::string leftover,
                                                    const HandshakePolicy& policy = {},
                                                    WebSocketOptions options = {},
                                                    ClosingConnections* closing = nullptr);

}   // namespace looplab::ws
