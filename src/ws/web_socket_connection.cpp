#include "looplab/ws/web_socket_connection.hpp"

#include <utility>

namespace looplab::ws {

WebSocketConnection::WebSocketConnection(loop::EventLoop& loop, Role role,
                                         std::unique_ptr<net::TcpConnection> connection,
                                         std::string leftover, WebSocketOptions options)
    : WebSocketConnection(loop, role, std::move(connection), std::move(leftover),
                          options == kDefaultWebSocketOptions
                              ? nullptr
                              : std::make_shared<const WebSocketOptions>(options)) {}

WebSocketConnection::WebSocketConnection(loop::EventLoop& loop, Role role,
                                         std::unique_ptr<net::TcpConnection> connection,
                                         std::string leftover,
                                         std::shared_ptr<const WebSocketOptions> options)
    : tcp_(std::move(connection)),
      socket_(loop, role, *this, std::move(options)),
      rare_(leftover.empty() ? nullptr
                             : std::make_unique<Rare>(Rare{std::move(leftover), std::nullopt})) {
    // Replaces the listeners of whoever had the connection before (the HTTP server, the
    // client's handshake), even from inside one of them.
    tcp_->set_observer(*this);
    // A peer that half-closes without a close frame is treated as gone; our side closes.
    tcp_->set_allow_half_open(false);
    (void)tcp_->set_no_delay(true);   // frames are small and interactive: don't wait (Nagle)
}

WebSocketConnection::~WebSocketConnection() = default;

void WebSocketConnection::on_data(net::TcpConnection& /*tcp*/, net::ByteBuffer& input) {
    const std::string_view bytes = input.readable_text();
    // Consumed first: the frame parser keeps partial frames itself, and bytes stay valid until
    // more are added, which cannot happen while we run.
    input.consume(bytes.size());
    socket_.receive(bytes);
}

void WebSocketConnection::on_drain(net::TcpConnection& /*tcp*/) { socket_.transport_drained(); }
void WebSocketConnection::on_close(net::TcpConnection& /*tcp*/) { socket_.transport_closed(); }

void WebSocketConnection::start() {
    // The WebSocket computes its own watermark events from buffered_amount(); TCP's "drain"
    // (pending output back to 0) is what tells it to check again. TCP reports a drain only
    // after its own high watermark, so that one is the WebSocket's too: with a higher one, a
    // WebSocket that crossed its mark would never hear on_drain.
    tcp_->set_watermarks(0, socket_.high_watermark());
    if (rare_ && !rare_->leftover.empty()) {
        // Out of the object first: receive() may end in on_close, where the owner frees us.
        const std::string first_bytes = std::exchange(rare_->leftover, {});
        if (!rare_->subprotocol) rare_.reset();
        socket_.receive(first_bytes);
    }
}

std::optional<std::string_view> WebSocketConnection::subprotocol() const {
    if (!rare_ || !rare_->subprotocol) return std::nullopt;
    return *rare_->subprotocol;
}

void WebSocketConnection::set_subprotocol(std::optional<std::string> chosen) {
    if (chosen) {
        if (!rare_) rare_ = std::make_unique<Rare>();
        rare_->subprotocol = std::move(chosen);
    } else if (rare_) {
        rare_->subprotocol.reset();
    }
}

void WebSocketConnection::write(std::string_view head, std::string_view body) {
    tcp_->send(head, body);
}
std::size_t WebSocketConnection::buffered_amount() const { return tcp_->pending_output(); }
void WebSocketConnection::close_transport() { tcp_->close(); }
void WebSocketConnection::abort_transport() { tcp_->abort(); }

std::unique_ptr<WebSocketConnection> accept_upgrade(
    loop::EventLoop& loop, const http::Request& request,
    std::unique_ptr<net::TcpConnection> connection, std::string leftover,
    const HandshakePolicy& policy, WebSocketOptions options, ClosingConnections* closing) {
    const HandshakeOutcome outcome = check_upgrade_request(request, policy);
    if (const auto* rejected = std::get_if<HandshakeRejected>(&outcome)) {
        connection->send(build_rejection_response(*rejected));
        if (closing != nullptr) closing->close(std::move(connection));
        else connection->abort();   // nobody to own a graceful close: reset now
        return nullptr;
    }
    const auto& accepted = std::get<HandshakeAccepted>(outcome);
    connection->send(build_accept_response(accepted));
    auto websocket = std::make_unique<WebSocketConnection>(
        loop, Role::Server, std::move(connection), std::move(leftover), options);
    websocket->set_subprotocol(accepted.subprotocol);
    return websocket;
}

void ClosingConnections::close(std::unique_ptr<net::TcpConnection> connection) {
    if (connection->is_closed()) return;   // nothing left to wait for: freed here
    net::TcpConnection* closing = connection.get();
    closing->on(events::data, [](net::ByteBuffer& input) { input.consume(input.size()); });
    // TcpConnection allows being destroyed inside its own on_close.
    closing->on(events::close, [this, closing] { closing_.erase(closing); });
    closing->close();
    closing_.emplace(closing, std::move(connection));
}

}   // namespace looplab::ws
