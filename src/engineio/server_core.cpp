// looplab/engineio/server_core.cpp — the sessions by sid, the WebSockets they use, and the
// posted tasks that report a close and free a session.
#include "server_core.hpp"

#include "looplab/http/query.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <vector>

#include "looplab/engineio/open_packet.hpp"

namespace looplab::engineio {

ServerCore::ServerCore(loop::EventLoop& loop, const ServerOptions& options)
    : loop_(loop), options_(options), cors_{options.cors_origins, options.cors_credentials} {
    ws::WebSocketOptions web_socket;
    // One Engine.IO packet per message: a bigger one is refused (1009) before it is buffered.
    web_socket.max_message_size = options_.max_payload;
    web_socket_options_ = std::make_shared<const ws::WebSocketOptions>(web_socket);
}

ServerCore::~ServerCore() {
    // Sessions first: they detach from their sockets, which must still exist. No events fire:
    // the listener hears nothing, the WebSockets' TCP connections are dropped at once.
    sessions_.clear();
    sockets_.clear();
}

void ServerCore::log(std::string_view line) const {
    if (options_.log) options_.log(line);
    else fmt::print(stderr, "{}\n", line);
}

bool ServerCore::is_full() const {
    if (sessions_.size() < options_.max_sessions) return false;
    log(fmt::format("engineio: handshake refused: {} sessions open (max_sessions)",
                    sessions_.size()));
    return true;
}

SessionImpl& ServerCore::create_session(TransportKind transport, const http::Request& request,
                                        const net::Address& peer) {
    Handshake handshake{request.target, request.headers, peer,
                        std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count()};
    std::string sid = make_sid(random_);
    while (sessions_.contains(sid)) sid = make_sid(random_);   // 120 random bits: never, really
    auto session =
        std::make_unique<SessionImpl>(*this, std::move(sid), std::move(handshake), transport);
    SessionImpl& made = *session;
    sessions_.insert(std::move(session));
    return made;
}

SessionImpl* ServerCore::find_routable(std::string_view sid) {
    const auto found = sessions_.find(sid);
    if (found == sessions_.end() || !(*found)->is_routable()) return nullptr;
    return found->get();
}

SessionImpl* ServerCore::find_open(std::string_view sid) {
    const auto found = sessions_.find(sid);
    if (found == sessions_.end() || !(*found)->is_open()) return nullptr;
    return found->get();
}

void ServerCore::close_all() {
    std::vector<SessionImpl*> open;
    for (const auto& session : sessions_)
        if (session->is_open()) open.push_back(session.get());
    // close() frees nothing now (see report_close_later), so the pointers stay valid.
    for (SessionImpl* session : open) session->close();
}

bool ServerCore::report_open(SessionImpl& session) {
    if (listener_ == nullptr) return true;
    net::LifetimeFlag::Scope alive{lifetime_};
    listener_->on_open(session);
    return !alive.was_destroyed();
}

bool ServerCore::report_message(SessionImpl& session, std::string_view data, bool is_binary) {
    if (listener_ == nullptr) return true;
    net::LifetimeFlag::Scope alive{lifetime_};
    listener_->on_message(session, data, is_binary);
    return !alive.was_destroyed();
}

void ServerCore::report_close_later(SessionImpl& session, CloseReason reason,
                                    std::string description) {
    loop_.post_next([this, alive = lifetime_.alive_token(), &session, reason,
                     description = std::move(description)] {
        if (!*alive) return;
        // The session is still in sessions_: it is freed only after this report.
        if (listener_ != nullptr) {
            net::LifetimeFlag::Scope still_here{lifetime_};
            listener_->on_close(session, reason, description);
            if (still_here.was_destroyed()) return;   // the listener destroyed the server
        }
        if (session.mark_reported()) release_later(session);
    });
}

void ServerCore::release_later(SessionImpl& session) {
    loop_.post_next([this, alive = lifetime_.alive_token(), &session] {
        if (!*alive) return;
        // By iterator: what find() compares with is the id inside the session erased.
        if (const auto found = sessions_.find(session.id()); found != sessions_.end())
            sessions_.erase(found);
    });
}

ws::WebSocket& ServerCore::adopt(std::unique_ptr<ws::WebSocketConnection> connection) {
    ws::WebSocket& socket = connection->socket();
    socket.set_observer(*this);
    sockets_.emplace(&socket, std::move(connection));
    return socket;
}

// A socket's tag holds its session's address, or 0. A session clears the tags of its sockets
// before it goes (detach_socket), so a tag never points at a freed session.
void ServerCore::attach_socket(ws::WebSocket& socket, SessionImpl& session) {
    socket.set_tag(reinterpret_cast<std::uintptr_t>(&session));
}

void ServerCore::detach_socket(ws::WebSocket& socket) { socket.set_tag(0); }

SessionImpl* ServerCore::session_of(ws::WebSocket& socket) {
    return reinterpret_cast<SessionImpl*>(static_cast<std::uintptr_t>(socket.tag()));
}

void ServerCore::close_socket(ws::WebSocket& socket, ws::CloseCode code) {
    detach_socket(socket);
    socket.close(code);
}

void ServerCore::on_message(ws::WebSocket& socket, const ws::Message& message) {
    if (SessionImpl* session = session_of(socket)) session->on_socket_message(socket, message);
}

void ServerCore::on_close(ws::WebSocket& socket, const ws::CloseInfo& info) {
    if (SessionImpl* session = session_of(socket)) session->on_socket_closed(socket, info);
    sockets_.erase(&socket);   // a WebSocketConnection may be destroyed inside its on_close
}

}   // namespace looplab::engineio
