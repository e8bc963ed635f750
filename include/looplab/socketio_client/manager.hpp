// looplab/socketio_client/manager.hpp
//
// Manager — ONE Engine.IO v4 connection to a Socket.IO server, over WebSocket, shared by the
// sockets of every namespace the client joins (socket.io-client's Manager). It opens the
// connection, answers the server's pings, notices a dead server, and reconnects with
// exponential backoff when the connection is lost. Teaches: lesson 18 (multiplexing,
// heartbeat, reconnection). Facts: PROTOCOLS.md §1 (Engine.IO), §3 (client defaults).
//
//     Manager io{loop, server_url(address), {.reconnection_delay = 100ms}};
//     auto& chat = io.socket("/chat");        // one Socket per namespace, made on first use
//     chat.connect();                         // opens the connection, then sends CONNECT
//     io.on("reconnect", [](const json::Value& attempts) { ... });
//
// On the wire (GET /socket.io/?EIO=4&transport=websocket, then one packet per frame):
//
//     <- 0{"sid":"...","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1e6}
//     -> 40{"token":"abc"}          a socket's CONNECT (Socket.IO packets ride in "4")
//     <- 2       -> 3               the server pings, we answer; no ping for
//                                   pingInterval + pingTimeout = a dead server ("ping timeout")
//
// Life of the connection:
//
//     Closed ──open()──► Opening ──open packet──► Open ──lost──► Closed ──backoff──► Opening …
//                           └──failed / timeout──► Closed ──backoff──► Opening …
//
// Manager events (on(name, listener(const json::Value&))), the reference names:
//     "open"               Value{}             the open packet arrived
//     "close"              Value{reason}       the connection is gone (DisconnectReason words)
//     "reconnect_attempt"  Value{attempt}      a retry starts (1, 2, ...)
//     "reconnect"          Value{attempt}      a retry succeeded
//     "reconnect_error"    Value{message}      a retry failed (another follows)
//     "reconnect_failed"   Value{}             reconnection_attempts retries failed: no more
//     "ping"               Value{}             the server pinged
// The wire hook (on_wire) sees every Engine.IO packet, both ways, as sent: text packets with
// their type digit ("42[...]", "2"), binary ones as raw bytes.
//
// Limits (options.hpp): timeout per attempt (kSioClientTimeout), the backoff
// (kSioClientReconnectionDelay, ...Max, kSioClientRandomizationFactor), attachments per
// packet (socketio::kSioMaxAttachments), message size (ws::kWsMaxMessageSize). The server's
// maxPayload is read (handshake()) but not enforced here: a bigger message makes the server
// close the connection ("transport close", then a retry). Polling and the upgrade are not
// implemented: WebSocket only (the reference client's transports: ["websocket"]).
// describe_packet() (wire_meaning.hpp) tells what a packet the wire hook saw means.
//
// Contract: loop thread only. Destroy the Manager before its loop; destroying it closes the
// connection at once and nothing fires afterwards (pending acks are dropped unanswered). Do
// not destroy it inside one of its own (or its sockets') listeners: post_close() that.
#pragma once

#include "looplab/codec/json.hpp"
#include "looplab/core/result.hpp"
#include "looplab/events/event_emitter.hpp"
#include "looplab/loop/event_loop.hpp"
#include "looplab/socketio/packet.hpp"
#include "looplab/socketio_client/backoff.hpp"
#include "looplab/socketio_client/disconnect_reason.hpp"
#include "looplab/socketio_client/options.hpp"
#include "looplab/socketio_client/server_url.hpp"
#include "looplab/socketio_client/socket.hpp"
#include "looplab/ws/web_socket_client.hpp"

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace looplab::socketio_client {

enum class WireDirection { Sent, Received };
// "->" for Sent, "<-" for Received.
std::string_view arrow(WireDirection direction);

// One Engine.IO packet as it crossed the wire.
using WireTap =
    std::function<void(WireDirection direction, std::string_view packet, bool is_binary)>;

// What the server's open packet said.
struct EngineHandshake {
    std::string sid;
    Millis ping_interval{25'000};
    Millis ping_timeout{20'000};
    std::size_t max_payload = 1'000'000;
};

// Reads the open packet's JSON (without its '0'). Errors name the missing or wrong key.
[[nodiscard]] Result<EngineHandshake> parse_open_packet(std::string_view json_text);

class Manager {
public:
    enum class State { Closed, Opening, Open };

    Manager(loop::EventLoop& loop, ServerUrl url, ManagerOptions options = {});
    ~Manager();
    Manager(const Manager&) = delete;
    Manager& operator=(const Manager&) = delete;

    // The socket of namespace `nsp` ("/chat"; made on first use with `options`, which a later
    // call does not change). It is not connected until its connect(). A name with ',' is a
    // bug (asserted): on the wire the ',' ends the namespace; parse_server_url() refuses it.
    Socket& socket(std::string_view nsp = "/", SocketOptions options = {});

    // Starts connecting (nothing if already Opening or Open). Sockets call it themselves.
    void open();
    // Every active socket disconnects ("io client disconnect"), then the connection closes;
    // no reconnection until open() or a socket's connect().
    void close();
    // Drops the connection as a network cut would: the TCP connection is reset, sockets get
    // "transport close", and reconnection follows. For lessons and tests.
    void drop_transport();

    // ---- listening -----------------------------------------------------------------------------
    template <typename F>
    events::ListenerId on(std::string_view event, F&& listener) {
        return emitter_.on(event, std::forward<F>(listener));
    }
    template <typename F>
    events::ListenerId once(std::string_view event, F&& listener) {
        return emitter_.once(event, std::forward<F>(listener));
    }
    bool off(events::ListenerId id) { return emitter_.off(id); }
    // A tap on the wire, for lessons and debugging: sees every Engine.IO packet as it goes
    // out or comes in. Not an event: one tap, like a trace sink; setting it again replaces
    // it (an empty function removes it).
    void set_wire_tap(WireTap tap) { wire_ = std::move(tap); }

    // ---- looking inside ------------------------------------------------------------------------
    State state() const { return state_; }
    bool is_open() const { return state_ == State::Open; }
    bool is_reconnecting() const { return reconnect_timer_ != 0; }
    // The open packet of the current connection (sid empty while not open).
    const EngineHandshake& handshake() const { return handshake_; }
    const ServerUrl& url() const { return url_; }
    const ManagerOptions& options() const { return options_; }
    loop::EventLoop& loop() const { return loop_; }

    // ---- used by sockets (not by applications) -------------------------------------------------
    // Encodes and sends one packet; false when the connection is not open.
    bool send(const socketio::Packet& packet);
    // A socket stopped being active: with none left, the connection closes.
    void on_socket_inactive();

private:
    using Connection = ws::WebSocketConnection;

    void start_attempt();
    void on_connected(Connection* connection);
    void on_frame(Connection* connection, const ws::Message& message);
    void on_text_packet(std::string_view text);
    void on_binary_packet(std::string_view bytes);
    void on_open_packet(std::string_view json_text);
    void on_socketio_packet(Result<std::optional<socketio::Packet>> decoded);
    void on_transport_closed(Connection* connection);
    void on_attempt_failed(const Error& error);
    void on_lost(DisconnectReason reason);
    void schedule_reconnect();
    void arm_heartbeat();
    void send_engine_text(std::string_view text);
    void retire_connection(bool abort);
    void free_closed_connections();
    void close_engine();
    void report(WireDirection direction, std::string_view packet, bool is_binary);
    double next_random();

    loop::EventLoop& loop_;
    ServerUrl url_;
    ManagerOptions options_;
    events::EventEmitter<codec::json::Value> emitter_;
    WireTap wire_;
    ws::WebSocketClient ws_client_;
    std::unique_ptr<Connection> connection_;
    // Connections we left (closing, or dropped): freed in the close phase once closed.
    std::vector<std::unique_ptr<Connection>> retired_;
    std::map<std::string, std::unique_ptr<Socket>, std::less<>> sockets_;
    socketio::Decoder decoder_;
    EngineHandshake handshake_;
    Backoff backoff_;
    std::mt19937_64 random_engine_;
    State state_ = State::Closed;
    std::uint64_t attempt_ = 0;           // numbers attempts, so a late answer is recognised
    loop::TimerId attempt_timer_ = 0;     // options.timeout for the current attempt
    loop::TimerId heartbeat_timer_ = 0;   // pingInterval + pingTimeout without a ping
    loop::TimerId reconnect_timer_ = 0;   // the backoff delay before the next attempt
    bool is_reconnecting_ = false;        // the current attempt is a retry
    bool skip_reconnect_ = false;         // close() was called
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}   // namespace looplab::socketio_client
