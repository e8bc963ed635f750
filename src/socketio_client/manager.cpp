// looplab/socketio_client/manager.cpp — one Engine.IO connection: opening it, losing it,
// getting it back. The packets that travel on it are read in manager_packets.cpp.
#include "looplab/socketio_client/manager.hpp"

#include "looplab/core/assert.hpp"
#include "looplab/engineio/packet.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace looplab::socketio_client {

namespace json = codec::json;

std::string_view arrow(WireDirection direction) {
    return direction == WireDirection::Sent ? "->" : "<-";
}

Manager::Manager(loop::EventLoop& loop, ServerUrl url, ManagerOptions options)
    : loop_(loop),
      url_(std::move(url)),
      options_(std::move(options)),
      ws_client_(loop),
      decoder_(options_.max_attachments),
      backoff_(options_.reconnection_delay, options_.reconnection_delay_max,
               options_.randomization_factor),
      random_engine_(std::random_device{}()) {
    // The jitter's randomness need not be secret, only different between clients.
}

Manager::~Manager() {
    *alive_ = false;
    loop_.cancel_timer(attempt_timer_);
    loop_.cancel_timer(heartbeat_timer_);
    loop_.cancel_timer(reconnect_timer_);
    sockets_.clear();   // their timers go with them; nothing is called back
}

Socket& Manager::socket(std::string_view nsp, SocketOptions options) {
    std::string name{nsp};
    if (name.empty() || name.front() != '/') name.insert(name.begin(), '/');
    LOOPLAB_ASSERT(name.find(',') == std::string::npos,
                   "a namespace name cannot contain ',' (it ends the namespace on the wire)");
    auto found = sockets_.find(name);
    if (found == sockets_.end())
        found =
            sockets_.emplace(name, std::make_unique<Socket>(*this, name, std::move(options))).first;
    return *found->second;
}

// ---- opening ---------------------------------------------------------------------------------

void Manager::open() {
    skip_reconnect_ = false;
    if (state_ != State::Closed || reconnect_timer_ != 0) return;
    start_attempt();
}

void Manager::start_attempt() {
    state_ = State::Opening;
    const std::uint64_t attempt = ++attempt_;
    ws::ClientOptions ws_options;
    ws_options.connect_timeout = options_.timeout;
    ws_options.handshake_timeout = options_.timeout;
    ws_options.web_socket.max_message_size = options_.max_message_size;
    const std::string target = options_.path + "?EIO=4&transport=websocket";
    ws_client_.connect(
        url_.address, url_.host, target,
        [this, attempt](Result<std::unique_ptr<Connection>> made) {
            if (attempt != attempt_ || state_ != State::Opening) return;   // given up already
            if (!made) return on_attempt_failed(made.error());
            connection_ = std::move(made).value();
            on_connected(connection_.get());
        },
        ws_options);
    // One deadline for the whole attempt: TCP, upgrade and the open packet.
    loop_.cancel_timer(attempt_timer_);
    attempt_timer_ = loop_.set_timeout(options_.timeout, [this, attempt] {
        attempt_timer_ = 0;
        if (attempt == attempt_ && state_ == State::Opening)
            on_attempt_failed(Error::because("timeout"));
    });
}

void Manager::on_connected(Connection* connection) {
    ws::WebSocket& ws = connection->socket();
    ws.on(events::message,
          [this, connection](const ws::Message& message) { on_frame(connection, message); });
    ws.on(events::close,
          [this, connection](const ws::CloseInfo&) { on_transport_closed(connection); });
    connection->start();
}

void Manager::on_open_packet(std::string_view json_text) {
    if (state_ != State::Opening) return;   // a second open packet means nothing
    auto handshake = parse_open_packet(json_text);
    if (!handshake) {
        retire_connection(/*abort=*/true);
        return on_attempt_failed(handshake.error());
    }
    handshake_ = std::move(handshake).value();
    loop_.cancel_timer(attempt_timer_);
    attempt_timer_ = 0;
    state_ = State::Open;
    arm_heartbeat();
    const bool was_retry = is_reconnecting_;
    const std::size_t attempts = backoff_.attempts();
    is_reconnecting_ = false;
    backoff_.reset();
    emitter_.emit("open", json::Value{});
    if (was_retry) emitter_.emit("reconnect", json::Value{static_cast<std::int64_t>(attempts)});
    // A listener above may have closed us again.
    for (auto& [name, socket] : sockets_)
        if (state_ == State::Open) socket->on_engine_open();
}

void Manager::on_attempt_failed(const Error& error) {
    loop_.cancel_timer(attempt_timer_);
    attempt_timer_ = 0;
    if (connection_) retire_connection(/*abort=*/true);
    state_ = State::Closed;
    for (auto& [name, socket] : sockets_) socket->on_engine_error(error);
    if (is_reconnecting_) emitter_.emit("reconnect_error", json::Value{error.message()});
    is_reconnecting_ = false;
    if (options_.reconnection && !skip_reconnect_) schedule_reconnect();
}

// ---- losing it and getting it back -----------------------------------------------------------

void Manager::on_transport_closed(Connection* connection) {
    if (connection != connection_.get()) return free_closed_connections();   // a retired one
    retire_connection(/*abort=*/false);
    if (state_ == State::Open) on_lost(DisconnectReason::TransportClose);
    else if (state_ == State::Opening) on_attempt_failed(Error::because("transport close"));
}

void Manager::drop_transport() {
    if (!connection_) return;
    const State was = state_;
    retire_connection(/*abort=*/true);
    if (was == State::Open) on_lost(DisconnectReason::TransportClose);
    else if (was == State::Opening) on_attempt_failed(Error::because("transport close"));
}

void Manager::on_lost(DisconnectReason reason) {
    loop_.cancel_timer(heartbeat_timer_);
    heartbeat_timer_ = 0;
    if (connection_) retire_connection(/*abort=*/true);
    decoder_.reset();
    state_ = State::Closed;
    handshake_.sid.clear();
    for (auto& [name, socket] : sockets_) socket->on_engine_close(reason);
    emitter_.emit("close", json::Value{to_string(reason)});
    backoff_.reset();
    if (options_.reconnection && !skip_reconnect_ && reconnects_after(reason)) schedule_reconnect();
}

void Manager::schedule_reconnect() {
    if (reconnect_timer_ != 0 || state_ != State::Closed) return;
    if (backoff_.attempts() >= options_.reconnection_attempts) {
        backoff_.reset();
        emitter_.emit("reconnect_failed", json::Value{});
        return;
    }
    const Millis delay = backoff_.next(next_random());
    reconnect_timer_ = loop_.set_timeout(delay, [this] {
        reconnect_timer_ = 0;
        if (skip_reconnect_ || state_ != State::Closed) return;
        is_reconnecting_ = true;
        emitter_.emit("reconnect_attempt",
                      json::Value{static_cast<std::int64_t>(backoff_.attempts())});
        if (skip_reconnect_ || state_ != State::Closed) return;   // a listener closed us
        start_attempt();
    });
}

double Manager::next_random() {
    if (options_.random) return options_.random();
    return std::uniform_real_distribution<double>{0.0, 1.0}(random_engine_);
}

// ---- the heartbeat ---------------------------------------------------------------------------

// v4: the server pings every pingInterval and waits pingTimeout for our pong. Silence for
// both together means the server (or the path to it) is gone, even if TCP has not noticed.
void Manager::arm_heartbeat() {
    loop_.cancel_timer(heartbeat_timer_);
    heartbeat_timer_ =
        loop_.set_timeout(handshake_.ping_interval + handshake_.ping_timeout, [this] {
            heartbeat_timer_ = 0;
            if (state_ == State::Open) on_lost(DisconnectReason::PingTimeout);
        });
}

// ---- closing ---------------------------------------------------------------------------------

void Manager::close() {
    skip_reconnect_ = true;
    for (auto& [name, socket] : sockets_)
        if (socket->active()) socket->disconnect();
    close_engine();
}

void Manager::on_socket_inactive() {
    for (auto& [name, socket] : sockets_)
        if (socket->active()) return;
    close_engine();
}

// No socket needs the connection: close it, and do not come back.
void Manager::close_engine() {
    skip_reconnect_ = true;
    loop_.cancel_timer(reconnect_timer_);
    reconnect_timer_ = 0;
    is_reconnecting_ = false;
    loop_.cancel_timer(attempt_timer_);
    attempt_timer_ = 0;
    loop_.cancel_timer(heartbeat_timer_);
    heartbeat_timer_ = 0;
    ++attempt_;   // an attempt under way is forgotten
    const bool was_open = state_ == State::Open;
    if (connection_) retire_connection(/*abort=*/false);
    decoder_.reset();
    state_ = State::Closed;
    handshake_.sid.clear();
    backoff_.reset();
    for (auto& [name, socket] : sockets_) socket->on_engine_close(DisconnectReason::ForcedClose);
    if (was_open) emitter_.emit("close", json::Value{to_string(DisconnectReason::ForcedClose)});
}

// The connection leaves connection_ at once (so nothing more is read from it as ours) and is
// freed in the close phase once closed: never while one of its own callbacks may be running.
void Manager::retire_connection(bool abort) {
    std::unique_ptr<Connection> connection = std::move(connection_);
    if (!connection) return;
    Connection* raw = connection.get();
    retired_.push_back(std::move(connection));
    if (raw->socket().state() == ws::WebSocket::State::Open) {
        if (abort) raw->tcp().abort();
        else raw->socket().close();
    }
    free_closed_connections();
}

void Manager::free_closed_connections() {
    loop_.post_close([this, alive = std::weak_ptr<bool>(alive_)] {
        if (const auto is_alive = alive.lock(); !is_alive || !*is_alive) return;
        std::erase_if(retired_, [](const std::unique_ptr<Connection>& c) {
            return c->socket().state() == ws::WebSocket::State::Closed;
        });
    });
}

}   // namespace looplab::socketio_client
