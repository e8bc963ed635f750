// looplab/classroom/classroom_server.hpp
//
// ClassroomServer — the server `make demo` starts, everything on one port:
//
//   http://HOST/                the classroom chat (src/web/index.html + chat.js), a
//                               Socket.IO client page (src/web/looplab-client.js)
//   http://HOST/socket.io/      Socket.IO v5 (Engine.IO v4, WebSocket and long-polling): the
//                               chat's server side, ChatRoom (chat_room.hpp: nicknames,
//                               rooms, acked messages, typing, presence)
//   http://HOST/inspector.html  lesson 17's page: the WebSocket echo box, the /chat
//                               broadcast and the live frame inspector
//   ws://HOST/ and /echo        every message comes back unchanged (the seed snippet's
//                               server: `new WebSocket("ws://localhost:3000")` still echoes)
//   ws://HOST/chat              every text message goes to everyone on /chat (a broadcast)
//   ws://HOST/inspect           one JSON line per frame the server parsed from the three
//                               above: the inspector page's live frame view
//
// A plain WebSocket cannot talk to /socket.io/ (it speaks Engine.IO packets, not bare
// messages), and Socket.IO clients never reach the plain endpoints: the two live side by
// side on one http::Server, which hands /socket.io/ to Socket.IO and every other upgrade here.
//
// Teaches: lessons 17 and 18: one loop, one thread, many browsers.
// Run: make demo   Read: notes/17-websocket-framer.md, notes/18-realtime-chat.md
//
// Contract: loop thread only; destroy it before its EventLoop. Endpoint paths are exact.
#pragma once

#include "looplab/classroom/chat_room.hpp"
#include "looplab/http/server.hpp"
#include "looplab/socketio/server.hpp"
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
    std::string web_root;                       // empty: no page, WebSockets only
    std::vector<std::string> allowed_origins;   // empty: any Origin (see HandshakePolicy)
    ws::WebSocketOptions web_socket;
    http::ServerOptions http;
    socketio::ServerOptions socket_io;   // the chat's (path "/socket.io/")
};

class ClassroomServer {
public:
    ClassroomServer(loop::EventLoop& loop, ClassroomOptions options);
    ~ClassroomServer();
    ClassroomServer(const ClassroomServer&) = delete;
    ClassroomServer& operator=(const ClassroomServer&) = delete;

    [[nodiscard]] Status listen(const net::Address& where);
    const net::Address& local_address() const { return http_.local_address(); }

    // Stops accepting, starts the closing handshake (1001, going away) with every plain
    // WebSocket and closes every Socket.IO connection (its clients reconnect by themselves
    // once a server listens again: a restart loses no page).
    void shut_down();

    // Plain WebSocket clients (echo, /chat, inspector); Socket.IO ones: io().client_count().
    std::size_t client_count() const;
    socketio::Server& io() { return io_; }
    const ChatRoom& chat_room() const { return chat_room_; }

private:
    enum class Kind { Echo, Chat, Inspect };

    // One per path: it holds that path's clients and is the one WebSocketObserver of them all
    // (a socket's tag is its client id), so 10,000 clients cost no listener objects, and an
    // echo needs no lookup at all.
    class Endpoint final : public ws::WebSocketObserver {
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
    // After http_: attached to it (it takes /socket.io/ and passes the rest on), and
    // destroyed before it. The chat lives on io_'s "/" namespace.
    socketio::Server io_;
    ChatRoom chat_room_{io_};
};

// The inspector's JSON line for one frame (see SERVER contract in the header comment).
std::string frame_to_json(std::string_view path, std::uint64_t client, const ws::FrameInfo& frame);

}   // namespace looplab::classroom
