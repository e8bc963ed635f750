// looplab/socketio_client/socket.hpp
//
// Socket — the client's side of ONE namespace on a Manager's connection (socket.io-client's
// Socket). Incoming events go to listeners (on / once / off / on_any); emit() sends an event
// to the server. Teaches: lesson 18 (Listener and Emit across the network, from the client).
// Facts: PROTOCOLS.md §2 (wire), §3 (what a client user expects).
//
//     auto& s = manager.socket("/chat", {.auth = json::Value::object({{"token", "abc"}})});
//     s.on_connect([&] { s.emit("hello", "world"); });
//     s.on("chat", [](const socketio::Args& args) { ... });
//     s.on("ask", [](const socketio::Args&, const socketio_client::Ack& ack) { ack("yes"); });
//     s.on_disconnect([](DisconnectReason why) { ... });
//     s.on_connect_error([](const ConnectError& e) { ... e.message, e.data ... });
//     s.emit_with_ack("sum", 1, 2, 500ms, [](Result<socketio::Args> r) { ... });
//     s.connect();
//
// Events the socket emits itself (listen with on(), or the typed helpers):
//     "connect"        Args{}                   CONNECT accepted (after a reconnection too)
//     "disconnect"     Args{reason}             DisconnectReason's words
//     "connect_error"  Args{{message, data}}    refused by the server (CONNECT_ERROR: the socket
//                                               then stays disconnected until connect()), or a
//                                               failed connection attempt (retries follow)
//
// Emitting while not connected: the packet waits in the offline buffer (bounded:
// SocketOptions::max_buffered_packets, kSioClientMaxBufferedPackets; when full the emit is
// refused) and leaves right after the next CONNECT, before the "connect" listeners run.
// volatile_emit() never waits: dropped when not connected.
//
// Connection state recovery (the server's option): the CONNECT answer carries a pid; each
// event from the server carries an offset as its LAST argument (the listener sees it, as in
// the reference client). After a reconnection the CONNECT auth carries {"pid","offset"}; if
// the server restored the session, recovered() is true and the missed events arrive.
//
// Ownership: the Manager owns its sockets (one per namespace); they live as long as it does.
// Contract: loop thread only. Listeners may call emit/disconnect/connect on any socket.
#pragma once

#include "looplab/codec/json.hpp"
#include "looplab/core/clock.hpp"
#include "looplab/core/result.hpp"
#include "looplab/events/event_emitter.hpp"
#include "looplab/loop/task.hpp"
#include "looplab/socketio/args.hpp"
#include "looplab/socketio/packet.hpp"
#include "looplab/socketio_client/ack.hpp"
#include "looplab/socketio_client/disconnect_reason.hpp"
#include "looplab/socketio_client/offline_buffer.hpp"
#include "looplab/socketio_client/options.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace looplab::socketio_client {

class Manager;

// What "connect_error" carries: the server's CONNECT_ERROR {message, data}, or why an
// attempt to reach the server failed (then data is null).
struct ConnectError {
    std::string message;
    codec::json::Value data;
};

class Socket final {
public:
    using Args = socketio::Args;
    using Emitter = events::EventEmitter<Args, Ack>;
    using AnyListener =
        std::function<void(std::string_view event, const Args& args, const Ack& ack)>;

    Socket(Manager& manager, std::string nsp, SocketOptions options);
    ~Socket();
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;

    // ---- who -----------------------------------------------------------------------------------
    // The id the server gave in its CONNECT answer; empty while not connected.
    const std::string& id() const { return id_; }
    const std::string& nsp() const { return nsp_; }
    bool connected() const { return is_connected_; }
    // True from connect() until disconnect(), a server DISCONNECT or a CONNECT_ERROR: the
    // socket (re)connects whenever its manager's connection opens.
    bool active() const { return is_active_; }
    // True when the last CONNECT restored the previous session (connection state recovery).
    bool recovered() const { return is_recovered_; }
    Manager& io() const { return *manager_; }
    // How many times CONNECT succeeded (tells one connection's Acks from the next's).
    std::uint64_t connection_count() const { return connection_count_; }
    SocketOptions& options() { return options_; }   // e.g. change auth before a reconnection

    // ---- listening -----------------------------------------------------------------------------
    // Listeners take (const Args&, const Ack&), (const Args&) or ().
    template <typename F>
    events::ListenerId on(std::string_view event, F&& listener) {
        return emitter_.on(event,
                           socketio::detail::as_event_listener<Ack>(std::forward<F>(listener)));
    }
    template <typename F>
    events::ListenerId once(std::string_view event, F&& listener) {
        return emitter_.once(event,
                             socketio::detail::as_event_listener<Ack>(std::forward<F>(listener)));
    }
    bool off(events::ListenerId id) { return emitter_.off(id); }
    void remove_all_listeners(std::string_view event) { emitter_.remove_all(event); }
    std::size_t listener_count(std::string_view event) const {
        return emitter_.listener_count(event);
    }

    events::ListenerId on_connect(std::function<void()> listener);
    events::ListenerId on_disconnect(std::function<void(DisconnectReason reason)> listener);
    events::ListenerId on_connect_error(std::function<void(const ConnectError& error)> listener);

    // Every event from the server, before its own listeners (socket.io's onAny).
    events::ListenerId on_any(AnyListener listener);
    bool off_any(events::ListenerId id);

    // ---- sending -------------------------------------------------------------------------------
    // Sends EVENT [event, args...]; each argument becomes a json::Value (json::Bytes travel
    // as binary attachments). Returns false, sending nothing, for a reserved name
    // (socketio::is_reserved_event) or when the offline buffer is full.
    template <typename... A>
    bool emit(std::string_view event, A&&... args) {
        codec::json::Array data = start_event(event, sizeof...(A));
        socketio::detail::append_args(data, std::forward<A>(args)...);
        return send_event(std::move(data), /*is_volatile=*/false);
    }
    bool emit_args(std::string_view event, const Args& args);

    // Sent only if connected now; otherwise dropped (returns false), never buffered.
    template <typename... A>
    bool volatile_emit(std::string_view event, A&&... args) {
        codec::json::Array data = start_event(event, sizeof...(A));
        socketio::detail::append_args(data, std::forward<A>(args)...);
        return send_event(std::move(data), /*is_volatile=*/true);
    }

    // emit_with_ack(event, args..., timeout, callback): the callback runs exactly once, with
    // the server's answer or an Error (ack.hpp). The timeout runs from now, also while the
    // packet waits in the offline buffer (it is then taken out of it). Returns false for a
    // reserved name (the callback is then never called) and when the buffer is full (the
    // callback then gets kAckBufferFull, right after this call returns).
    template <typename... A>
    bool emit_with_ack(std::string_view event, A&&... args_then_timeout_and_callback) {
        codec::json::Array data = start_event(event, sizeof...(A) >= 2 ? sizeof...(A) - 2 : 0);
        auto [timeout, callback] = socketio::detail::append_args_then_take_ack<AckCallback>(
            data, std::forward<A>(args_then_timeout_and_callback)...);
        return send_event_with_ack(std::move(data), timeout, std::move(callback));
    }

    // ---- joining and leaving -------------------------------------------------------------------
    // Joins the namespace (opens the manager's connection if needed). Harmless when active.
    void connect();
    // Leaves: DISCONNECT to the server if connected, "disconnect" ("io client disconnect")
    // here, no more reconnections for this socket. The manager closes its connection when no
    // socket is active any more. Harmless when not active.
    void disconnect();

    // ---- looking inside ------------------------------------------------------------------------
    std::size_t buffered_count() const { return buffer_.size(); }
    std::size_t pending_ack_count() const { return acks_.size(); }

    // ---- used by the Manager (not by applications) ---------------------------------------------
    void on_engine_open();                           // the connection is open: send CONNECT
    void on_packet(socketio::Packet&& packet);       // one packet for this namespace
    void on_engine_close(DisconnectReason reason);   // the connection is gone
    void on_engine_error(const Error& error);        // an attempt to connect failed
    void send_ack(std::uint64_t id, codec::json::Array&& reply);

private:
    struct PendingAck {
        std::uint64_t id;
        loop::TimerId timer;
        AckCallback callback;
    };

    codec::json::Array start_event(std::string_view event, std::size_t arg_count);
    bool send_event(codec::json::Array&& data, bool is_volatile);
    bool send_event_with_ack(codec::json::Array&& data, Millis timeout, AckCallback callback);
    bool send_or_buffer(socketio::Packet&& packet, bool is_volatile);
    void send_connect();
    void on_connect_answer(const socketio::Packet& packet);
    void on_event(socketio::Packet& packet);
    void on_ack(socketio::Packet& packet);
    void on_connect_error_packet(const socketio::Packet& packet);
    void on_server_disconnect();
    void close(DisconnectReason reason);
    void flush_buffer();
    void end_ack(std::uint64_t id, Result<Args> result);
    void fail_sent_acks();
    void emit_reserved(std::string_view event, codec::json::Array args);

    Manager* manager_;
    std::string nsp_;
    SocketOptions options_;
    Emitter emitter_;
    std::vector<std::pair<events::ListenerId, AnyListener>> any_;
    events::ListenerId next_any_id_ = 1;
    OfflineBuffer buffer_;
    std::vector<PendingAck> acks_;
    std::uint64_t next_ack_id_ = 0;   // per socket, from 0, as the reference
    std::uint64_t connection_count_ = 0;
    std::string id_;
    std::string pid_;                          // recovery: the server's private id
    std::optional<std::string> last_offset_;   // recovery: of the last event received
    bool is_connected_ = false;
    bool is_active_ = false;
    bool is_recovered_ = false;
    std::shared_ptr<Socket*> self_;   // Acks and posted tasks hold it weakly
};

}   // namespace looplab::socketio_client
