// looplab/classroom/classroom_server.hpp
//
// ClassroomServer — the server `make demo` starts: the page in src/web/ over HTTP, and four
// WebSocket endpoints on the same port:
//
//   ws://HOST/ and /echo   every message comes back unchanged (the seed snippet's server)
//   ws://HOST/chat         every text message goes to everyone on /chat (a broadcast)
//   ws://HOST/inspect      one JSON line per frame the server parsed from the others: the
//                          page's live frame inspector
//
// Teaches: lesson 17 and the capstone idea: one loop, one thread, many browsers.
// Run: make demo   Read: notes/17-websocket-framer.md
//
// Contract: loop thread only; destroy it before its EventLoop. Endpoint paths are exact.
#pragma once

#include "looplab/http/server.hpp"
#include "looplab/ws/web_socket_connection.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace looplab::classroom {

// Bytes of each payload the inspector shows (hex and text); the rest is marked truncated.
inline constexpr std::size_t kInspectorPayloadBytes = 64;

struct ClassroomOptions {
    std::string web_root;                        // empty: no page, WebSockets only
    std::vector<std::string> allowed_origins;    // empty: any Origin (see HandshakePolicy)
    ws::WebSocketOptions web_socket;
    http::ServerOptions http;
};

class ClassroomServer {
public:
    ClassroomServer(loop::EventLoop& loop, ClassroomOptions options);
    ~ClassroomServer();
    ClassroomServer(const ClassroomServer&) = delete;
    ClassroomServer& operator=(const ClassroomServer&) = delete;

    [[nodiscard]] Status listen(const net::Address& where);
    const net::Address& local_address() const { return http_.local_address(); }

    // Stops accepting and starts the closing handshake (1001, going away) with everyone.
    void shut_down();

    std::size_t client_count() const { return clients_.size(); }

private:
    enum class Endpoint { Echo, Chat, Inspect };
    struct Client {
        std::uint64_t id;
        Endpoint endpoint;
        std::string path;
        std::unique_ptr<ws::WebSocketConnection> connection;
    };

    void upgrade(const http::Request& request, std::unique_ptr<net::TcpConnection> tcp,
                 std::string leftover);
    void on_message(Client& client, const ws::Message& message);
    void show_in_inspector(const Client& client, const ws::FrameInfo& frame);

    loop::EventLoop& loop_;
    ClassroomOptions options_;
    http::Server http_;
    std::unordered_map<std::uint64_t, Client> clients_;
    ws::ClosingConnections closing_;   // refused upgrades, closing
    std::size_t inspector_count_ = 0;
    std::uint64_t next_id_ = 1;
};

// The inspector's JSON line for one frame (see SERVER contract in the header comment).
std::string frame_to_json(std::string_view path, std::uint64_t client, const ws::FrameInfo& frame);

}  // namespace looplab::classroom
