// looplab/ws/web_socket_client.hpp
//
// WebSocketClient — opens WebSocket connections: TCP connect, the HTTP upgrade request,
// the check of the server's 101 answer, then a WebSocketConnection in the client role (which
// masks every frame it sends).
// Teaches: the framer (lesson 17) from the browser's side. Run: lessons/17-websocket-framer
//
//     WebSocketClient client{loop};
//     client.connect(Address::loopback(3000), "localhost:3000", "/echo",
//         [&](Result<std::unique_ptr<WebSocketConnection>> made) {
//             if (!made) return report(made.error());   // refused, timed out, bad answer
//             ...set made.value()->socket() listeners, then start()
//         });
//
// Lifetime: the one rule, include/looplab/README.md. Destroying the client is its close():
// the connections still being opened are cancelled (their callback is not called); the
// ones it handed over are their owners'.
//
// Contract: loop thread only. Numeric addresses only, like net::Address.
#pragma once

#include "looplab/net/tcp_connector.hpp"
#include "looplab/ws/web_socket_connection.hpp"

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace looplab::ws {

// How long the server has to answer the upgrade request once TCP is connected.
inline constexpr Millis kWsHandshakeTimeout{10'000};

struct ClientOptions {
    std::vector<std::string> subprotocols;   // offered, best first
    std::string origin;                      // sent as Origin when not empty
    WebSocketOptions web_socket;
    Millis connect_timeout = net::kTcpDefaultConnectTimeout;
    Millis handshake_timeout = kWsHandshakeTimeout;
};

class WebSocketClient {
public:
    using OnConnected = std::function<void(Result<std::unique_ptr<WebSocketConnection>>)>;

    explicit WebSocketClient(loop::EventLoop& loop) : loop_(loop), connector_(loop) {}
    ~WebSocketClient();
    WebSocketClient(const WebSocketClient&) = delete;
    WebSocketClient& operator=(const WebSocketClient&) = delete;

    // `host` is what the Host header says ("localhost:3000"); `path` starts with '/'.
    void connect(const net::Address& server, std::string host, std::string path,
                 OnConnected on_connected, ClientOptions options = {});

private:
    struct Handshake {
        std::unique_ptr<net::TcpConnection> tcp;
        std::string key;
        std::string received;   // the response head as it arrives
        ClientOptions options;
        OnConnected on_connected;
        loop::TimerId timer = 0;
    };
    void on_tcp_connected(std::uint64_t id, std::unique_ptr<net::TcpConnection> tcp,
                          const std::string& host, const std::string& path);
    void on_bytes(std::uint64_t id, net::ByteBuffer& input);
    void finish(std::uint64_t id, Result<std::unique_ptr<WebSocketConnection>> result);

    loop::EventLoop& loop_;
    net::TcpConnector connector_;
    std::unordered_map<std::uint64_t, Handshake> handshakes_;
    ClosingConnections closing_;   // failed handshakes, closing
    std::uint64_t next_id_ = 1;
};

}   // namespace looplab::ws
