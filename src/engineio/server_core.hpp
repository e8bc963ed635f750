// src/engineio/server_core.hpp (private) — what every session shares: the options, the
// listener, the sessions by sid, the WebSockets, and the tasks that report a close and free
// a session later (never inside the call that ended it).
//
// Routing (server.cpp) reads a request and hands it to a session; sessions call back here.
// It is also the one WebSocketObserver of every Engine.IO WebSocket: a socket's tag says which
// session it belongs to (0: none any more, e.g. a refused second WebSocket being closed).
#pragma once

#include "looplab/engineio/cors.hpp"
#include "looplab/engineio/server.hpp"
#include "looplab/net/lifetime_flag.hpp"
#include "looplab/ws/web_socket_connection.hpp"

#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "session_impl.hpp"

namespace looplab::engineio {

class ServerCore : public ws::WebSocketObserver {
public:
    ServerCore(loop::EventLoop& loop, const ServerOptions& options);
    ~ServerCore();
    ServerCore(const ServerCore&) = delete;
    ServerCore& operator=(const ServerCore&) = delete;

    loop::EventLoop& loop() { return loop_; }
    const ServerOptions& options() const { return options_; }
    const CorsPolicy& cors() const { return cors_; }
    void set_listener(ServerListener& listener) { listener_ = &listener; }
    ServerListener* listener() { return listener_; }
    void log(std::string_view line) const;

    // One reusable buffer for building a frame ("4" + text): loop thread only, never kept.
    std::string& frame_scratch() { return frame_scratch_; }
    // Where a 'b' + base64 text frame's bytes are decoded to.
    std::string& binary_scratch() { return binary_scratch_; }

    // ---- sessions --------------------------------------------------------------------------
    SessionImpl& create_session(TransportKind transport, const http::Request& request,
                                const net::Address& peer);
    // The session `sid` names if it still answers requests (open, or draining), else null.
    SessionImpl* find_routable(std::string_view sid);
    // Open sessions only.
    SessionImpl* find_open(std::string_view sid);
    std::size_t session_count() const { return sessions_.size(); }
    // max_sessions reached: no new handshake (logged once each time it is refused).
    bool is_full() const;
    void close_all();

    // The listener hears of an opened session, of a message. False when it destroyed the
    // server (and every session): the caller returns at once, touching nothing.
    [[nodiscard]] bool report_open(SessionImpl& session);
    [[nodiscard]] bool report_message(SessionImpl& session, std::string_view data, bool is_binary);
    // The session ended: on_close is reported in a task posted now.
    void report_close_later(SessionImpl& session, CloseReason reason, std::string description);
    // The session's transport is done and on_close was reported: free it in a posted task.
    void release_later(SessionImpl& session);

    // ---- WebSockets ------------------------------------------------------------------------
    // Keeps the connection until its on_close; returns its WebSocket (events come here).
    ws::WebSocket& adopt(std::unique_ptr<ws::WebSocketConnection> connection);
    static void attach_socket(ws::WebSocket& socket, SessionImpl& session);
    static void detach_socket(ws::WebSocket& socket);
    // Detaches it from its session and starts its closing handshake.
    void close_socket(ws::WebSocket& socket, ws::CloseCode code = ws::CloseCode::Normal);
    // Connections answered for the last time (refused upgrades), closing gracefully.
    ws::ClosingConnections& refused() { return refused_; }
    // The same for every WebSocket of this server, so they share it.
    const std::shared_ptr<const ws::WebSocketOptions>& web_socket_options() const {
        return web_socket_options_;
    }

    std::shared_ptr<const bool> alive_token() { return lifetime_.alive_token(); }

private:
    static SessionImpl* session_of(ws::WebSocket& socket);

    // ws::WebSocketObserver
    void on_message(ws::WebSocket& socket, const ws::Message& message) override;
    void on_close(ws::WebSocket& socket, const ws::CloseInfo& info) override;

    loop::EventLoop& loop_;
    const ServerOptions& options_;
    CorsPolicy cors_;
    ServerListener* listener_ = nullptr;
    // Every session, found by its sid: a set of the sessions themselves, hashed and compared
    // by their own id (stable: a session never moves nor renames). A map from a view of the
    // id would hold the view too: 16 bytes more per session.
    static std::string_view sid_of(std::string_view sid) { return sid; }
    static std::string_view sid_of(const std::unique_ptr<SessionImpl>& s) { return s->id(); }
    struct SidHash {
        using is_transparent = void;   // find(sid) without making a session
        std::size_t operator()(const auto& x) const {
            return std::hash<std::string_view>{}(sid_of(x));
        }
    };
    struct SidEqual {
        using is_transparent = void;
        bool operator()(const auto& a, const auto& b) const { return sid_of(a) == sid_of(b); }
    };
    std::unordered_set<std::unique_ptr<SessionImpl>, SidHash, SidEqual> sessions_;
    std::unordered_map<ws::WebSocket*, std::unique_ptr<ws::WebSocketConnection>> sockets_;
    std::shared_ptr<const ws::WebSocketOptions> web_socket_options_;
    ws::ClosingConnections refused_;
    std::random_device random_;
    std::string frame_scratch_;
    std::string binary_scratch_;
    net::LifetimeFlag lifetime_;
};

}   // namespace looplab::engineio
