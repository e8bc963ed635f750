// looplab/socketio/client.cpp — one Engine.IO connection: decode, route, own the sockets.
#include "looplab/socketio/client.hpp"

#include "looplab/socketio/namespace.hpp"
#include "looplab/socketio/server.hpp"
#include "looplab/socketio/socket.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace looplab::socketio {

Client::Client(Server& server, engineio::Session& session)
    : server_(server), session_(&session), decoder_(server.options().max_attachments) {
    connect_timer_ = server.loop().set_timeout(server.options().connect_timeout, [this] {
        connect_timer_ = 0;
        server_.log(fmt::format("socketio: no namespace joined within {} ms on {}; closing",
                                server_.options().connect_timeout.count(),
                                session_ != nullptr ? session_->id() : std::string{}));
        close_with(DisconnectReason::ForcedServerClose);
    });
}

Client::~Client() {
    if (connect_timer_ != 0) server_.loop().cancel_timer(connect_timer_);
}

const engineio::Handshake& Client::handshake() const {
    static const engineio::Handshake kGone{};   // after the session closed: an empty one
    return session_ != nullptr ? session_->handshake() : kGone;
}

// ---- from the engine -----------------------------------------------------------------------

void Client::on_message(std::string_view data, bool is_binary) {
    if (is_closing_) return;
    auto decoded = is_binary ? decoder_.feed_binary(data) : decoder_.feed_text(data);
    if (!decoded) return fail(decoded.error().message());
    if (!decoded->has_value()) return;   // a binary packet waits for its attachments
    on_packet(std::move(**decoded));
}

void Client::on_packet(Packet&& packet) {
    Socket* socket = socket_for(packet.nsp);
    const bool is_connect = packet.type == PacketType::Connect;
    if (socket == nullptr && is_connect) return on_connect_packet(std::move(packet));
    // socket.io's Client closes on the same "invalid state" (PROTOCOLS.md §2.4): the first
    // packet is not a CONNECT, a packet for a namespace not joined (or still in its
    // middlewares), a second CONNECT, a CONNECT_ERROR from the peer.
    if (socket == nullptr || !socket->connected() || is_connect ||
        packet.type == PacketType::ConnectError) {
        server_.log(
            fmt::format("socketio: {} packet for namespace {} in the wrong state on {}; "
                        "closing",
                        to_string(packet.type), packet.nsp, session_->id()));
        return close_with(DisconnectReason::ForcedServerClose);
    }
    socket->on_packet(std::move(packet));
}

void Client::on_connect_packet(Packet&& packet) {
    if (sockets_.size() >= server_.options().max_namespaces_per_client) {
        server_.log(fmt::format("socketio: more than {} namespaces on {}; closing",
                                server_.options().max_namespaces_per_client, session_->id()));
        return close_with(DisconnectReason::ForcedServerClose);
    }
    json::Value auth = packet.data ? std::move(*packet.data) : json::Value::object();
    Namespace* nsp = server_.namespace_for_connect(packet.nsp, auth);
    if (nsp == nullptr) {
        write(Packet{PacketType::ConnectError, packet.nsp, std::nullopt,
                     json::Value::object({{"message", "Invalid namespace"}})},
              false);
        return;
    }
    nsp->add(*this, std::move(auth));
}

void Client::on_engine_close(engineio::CloseReason reason, std::string_view description) {
    (void)description;
    if (!is_closing_) {
        is_closing_ = true;
        if (!disconnect_all(disconnect_reason_for(reason))) return;   // the server is gone
    }
    session_ = nullptr;
    if (connect_timer_ != 0) server_.loop().cancel_timer(connect_timer_);
    connect_timer_ = 0;
}

// ---- sending -------------------------------------------------------------------------------

void Client::write(const Packet& packet, bool is_volatile) {
    if (session_ == nullptr || (is_volatile && !session_->is_writable())) return;
    std::string& text = server_.text_buffer();
    std::vector<std::string>& attachments = server_.attachment_buffer();
    text.clear();
    attachments.clear();
    encode_to(text, attachments, packet);
    write_encoded(text, attachments, false);
}

void Client::write_event(std::string_view nsp, std::string_view event,
                         std::span<const json::Value> args, bool is_volatile) {
    if (session_ == nullptr || (is_volatile && !session_->is_writable())) return;
    std::string& text = server_.text_buffer();
    std::vector<std::string>& attachments = server_.attachment_buffer();
    text.clear();
    attachments.clear();
    encode_event_to(text, attachments, nsp, std::nullopt, event, args);
    write_encoded(text, attachments, false);
}

void Client::write_encoded(std::string_view text, std::span<const std::string> attachments,
                           bool is_volatile) {
    if (session_ == nullptr || (is_volatile && !session_->is_writable())) return;
    session_->send_text(text);
    for (const std::string& attachment : attachments) session_->send_binary(attachment);
}

// ---- sockets -------------------------------------------------------------------------------

Socket* Client::socket_for(std::string_view nsp) const {
    for (const auto& socket : sockets_)
        if (socket->nsp().name() == nsp) return socket.get();
    return nullptr;
}

Socket& Client::adopt(std::unique_ptr<Socket> socket) {
    sockets_.push_back(std::move(socket));
    return *sockets_.back();
}

void Client::on_socket_connected() {
    if (connect_timer_ != 0) server_.loop().cancel_timer(connect_timer_);
    connect_timer_ = 0;
}

void Client::remove(Socket& socket) {
    const auto found = std::find_if(sockets_.begin(), sockets_.end(),
                                    [&](const auto& owned) { return owned.get() == &socket; });
    if (found == sockets_.end()) return;
    std::unique_ptr<Socket> leaving = std::move(*found);
    sockets_.erase(found);
    server_.retire(std::move(leaving));
}

// ---- ending --------------------------------------------------------------------------------

void Client::fail(std::string_view what) {
    server_.log(fmt::format("socketio: parse error on {}: {}",
                            session_ != nullptr ? session_->id() : std::string{}, what));
    close_with(DisconnectReason::ParseError);
}

void Client::close_with(DisconnectReason reason) {
    if (is_closing_) return;
    is_closing_ = true;
    if (!disconnect_all(reason)) return;   // a listener destroyed the server, and us
    if (session_ != nullptr) session_->close();
}

void Client::disconnect_and_close() {
    if (is_closing_) return;
    // Copied: each disconnect() takes its socket out of sockets_.
    std::vector<Socket*> joined;
    for (const auto& socket : sockets_)
        if (socket->connected()) joined.push_back(socket.get());
    const net::LifetimeFlag::Scope alive{server_.lifetime()};
    for (Socket* socket : joined) {
        socket->disconnect();
        if (alive.was_destroyed()) return;   // a listener destroyed the server, and us
    }
    close_with(DisconnectReason::ForcedServerClose);   // sockets still in their middlewares
}

bool Client::disconnect_all(DisconnectReason reason) {
    // Moved out first: each socket's "disconnect" listeners may touch the client.
    std::vector<std::unique_ptr<Socket>> leaving = std::move(sockets_);
    sockets_.clear();
    loop::EventLoop& loop = server_.loop();   // outlives the server
    const net::LifetimeFlag::Scope alive{server_.lifetime()};
    for (const auto& socket : leaving) {
        socket->on_close(reason);
        if (alive.was_destroyed()) {
            // A listener destroyed the server, and this client: `leaving` goes with this
            // frame, and the sockets still in it must not reach for the server as they go.
            for (const auto& orphaned : leaving) orphaned->orphan(loop);
            return false;
        }
    }
    for (auto& socket : leaving) server_.retire(std::move(socket));
    return true;
}

}   // namespace looplab::socketio
