// tests/support/raw_client.hpp — a TCP client that sends exactly the bytes a test chooses
// (a handshake, then hand-made frames, even broken ones) and keeps everything it receives.
// It runs on the test's own loop, so the server under test and the client share one thread.
#pragma once

#include "looplab/net/tcp_connector.hpp"

#include <memory>
#include <string>

namespace looplab::testing {

class RawClient {
public:
    RawClient(loop::EventLoop& loop, const net::Address& server) : connector_(loop) {
        connector_.connect(server, [this](Result<std::unique_ptr<net::TcpConnection>> made) {
            if (!made) {
                failed = true;
                return;
            }
            connection_ = std::move(made).value();
            connection_->on(events::data, [this](net::ByteBuffer& input) {
                received.append(input.readable_text());
                input.consume(input.size());
            });
            connection_->on(events::close, [this] { closed = true; });
            (void)connection_->start();
            connection_->send(pending_);
            pending_.clear();
        });
    }

    // Sends now, or as soon as TCP is connected.
    void send(std::string_view bytes) {
        if (connection_) connection_->send(bytes);
        else pending_.append(bytes);
    }
    void stop_reading() {
        if (connection_) connection_->pause_reading();
    }
    bool is_connected() const { return connection_ != nullptr; }

    std::string received;
    bool closed = false;
    bool failed = false;

private:
    net::TcpConnector connector_;
    std::unique_ptr<net::TcpConnection> connection_;
    std::string pending_;
};

// The upgrade request a browser would send for `path` (RFC 6455 sample key).
inline std::string upgrade_request(std::string_view path, std::string_view extra_headers = {}) {
    return fmt::format(
        "GET {} HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n{}\r\n",
        path, extra_headers);
}

}   // namespace looplab::testing
