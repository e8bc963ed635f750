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

    std::size_t client_count() const;

private:
    enum class Kind { Echo, Chat, Inspect };

    // One per path: it holds that path's clients and is the one WebSocketHandler of them all
    // (a socket's tag is its client id), so 10,000 clients cost no listener objects, and an
    // echo needs no lookup at all.
    class Endpoint final : public ws::WebSocketHandler {
    public:
        Endpoint(ClassroomServer& server, std::string_view path, Kind kind)
            : server_(server), path_(path), kind_(kind) {}
        std::string_view path() const { return path_; }

        std::unordered_map<std::uint64_t, std::unique_ptr<ws::WebSocketConnection>> clients;

    private:
        void on_message(ws::WebSocket& socket, const ws::Message& message) override;
        void on_frame(ws::WebSocket& socket, const ws::FrameInfo& frame) override;
        void on_close(ws::WebSocket& socket, const ws::CloseInfo& info) override;

        ClassroomServer& server_;
        std::string_view path_;
        Kind kind_;
    };

    void upgrade(const http::Request& request, std::unique_ptr<net::TcpConnection> tcp,
                 std::string leftover);
    Endpoint* find_endpoint(std::string_view path);

    loop::EventLoop& loop_;
    ClassroomOptions options_;
    http::Server http_;
    ws::ClosingConnections closing_;   // refused upgrades, closing
    Endpoint root_{*this, "/", Kind::Echo};
    Endpoint echo_{*this, "/echo", Kind::Echo};
    Endpoint chat_{*this, "/chat", Kind::Chat};
    Endpoint inspect_{*this, "/inspect", Kind::Inspect};
    std::uint64_t next_id_ = 1;
};

// The inspector's JSON line for one frame (see SERVER contract in the header comment).
std::string frame_to_json(std::string_view path, std::uint64_t client, const ws::FrameInfo& frame);

}  // namespace looplab::classroom
