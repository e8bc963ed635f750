// looplab/socketio/socket.hpp
//
// Socket — one client in one namespace: what `io.on("connection", socket => ...)` hands you
// in Node. Incoming events go through an EventEmitter (on / once / off, fired by the packets
// the peer sends); emit() SENDS an event to the peer (it does not call local listeners — the
// one place where Socket.IO's emit differs from EventEmitter's, PROTOCOLS.md §6).
// Teaches: lesson 18 (Listener, Emit — across the network). Facts: PROTOCOLS.md §2-3.
//
//     s.on("chat", [&s](const socketio::Args& args, const socketio::Ack& ack) {
//         s.to("lobby").emit("chat", args[0]);     // to the room, not back to s
//         ack("ok");                               // only if the peer asked (ack.wanted())
//     });
//     s.on_disconnect([](socketio::DisconnectReason why) { ... });
//     s.emit("welcome", "hi", 3, json::Value::object({{"room", "lobby"}}));
//     s.emit_with_ack("ready?", 2000ms, [](std::optional<socketio::AckError> error,
//                                           const socketio::Args& reply) { ... });
//     s.join("lobby");  s.leave("lobby");  s.disconnect();
//
// Listeners may take (const Args&, const Ack&), (const Args&) or (). Events come in the order
// the peer sent them. Before "disconnect", "disconnecting" runs while the socket is still in
// its rooms; both receive Args [reason] (the protocol's words, DisconnectReason).
//
// Reserved names ("connect", "disconnect", "disconnecting", "connect_error", "newListener",
// "removeListener") cannot be emitted: emit() returns false and sends nothing (Node throws;
// a bool keeps `s.emit(...)` a plain statement and is testable).
//
// Lifetime: the one rule, include/looplab/README.md, for a handle you never own: the Client
// (one per Engine.IO connection) owns its sockets and frees each in the loop's close phase
// after its "disconnect". disconnect() twice is harmless, disconnect() inside one of its own
// listeners is safe, and nothing is delivered after "disconnect". Do not keep a Socket& past
// it (keep its id and look it up: Namespace::find_socket).
//
// Memory: an idle socket holds its id (inline, no heap) and a few pointers; listeners, acks,
// middlewares, catch-alls, a non-empty auth and the data are allocated when first used.
//
// Contract: loop thread only.
#pragma once

#include "looplab/codec/json.hpp"
#include "looplab/core/clock.hpp"
#include "looplab/engineio/session.hpp"
#include "looplab/events/event_emitter.hpp"
#include "looplab/loop/task.hpp"
#include "looplab/net/lifetime_flag.hpp"
#include "looplab/socketio/ack.hpp"
#include "looplab/socketio/args.hpp"
#include "looplab/socketio/broadcast_operator.hpp"
#include "looplab/socketio/disconnect_reason.hpp"
#include "looplab/socketio/middleware.hpp"
#include "looplab/socketio/packet.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace looplab::socketio {

class Client;
class Namespace;
class InMemoryAdapter;

// Socket ids are 20 characters of URL-safe base64 (15 random bytes), like socket.io's.
inline constexpr std::size_t kSioIdLength = 20;

class Socket final {
public:
    using Emitter = events::EventEmitter<Args, Ack>;
    // Catch-all for incoming events (socket.io's onAny): the event name, then its Args.
    using AnyListener =
        std::function<void(std::string_view event, const Args& args, const Ack& ack)>;
    // Catch-all for outgoing events (onAnyOutgoing), called before each packet leaves.
    using OutgoingListener = std::function<void(std::string_view event, const Args& args)>;

    Socket(Namespace& nsp, Client& client, json::Value auth, std::string_view id);
    ~Socket();
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;

    // ---- who ---------------------------------------------------------------------------------
    std::string_view id() const { return {id_.data(), id_.size()}; }
    bool connected() const { return state_ == State::Connected; }
    // True while the namespace middlewares decide (the socket is not connected yet).
    bool is_pending() const { return state_ == State::Connecting; }
    // True when connection state recovery brought this socket back (same id, rooms, data).
    bool recovered() const { return is_recovered_; }
    Namespace& nsp() const { return *nsp_; }
    Client& client() const { return *client_; }
    // The HTTP request that opened the connection (headers, query, address, time).
    const engineio::Handshake& handshake() const;
    // The CONNECT payload (socket.handshake.auth in Node): an object, {} when none was sent.
    const json::Value& auth() const;
    // Free-form data of the application (socket.data), null until set; fetch_sockets()
    // reports it.
    json::Value& data() { return extras().data; }
    const json::Value& data() const;

    // ---- listening (incoming events) ---------------------------------------------------------
    template <typename F>
    events::ListenerId on(std::string_view event, F&& listener) {
        return emitter().on(event,
                            socketio::detail::as_event_listener<Ack>(std::forward<F>(listener)));
    }
    template <typename F>
    events::ListenerId once(std::string_view event, F&& listener) {
        return emitter().once(event,
                              socketio::detail::as_event_listener<Ack>(std::forward<F>(listener)));
    }
    bool off(events::ListenerId id) { return emitter_ && emitter_->off(id); }
    void remove_all_listeners(std::string_view event) {
        if (emitter_) emitter_->remove_all(event);
    }
    void remove_all_listeners() {
        if (emitter_) emitter_->remove_all();
    }
    std::size_t listener_count(std::string_view event) const {
        return emitter_ ? emitter_->listener_count(event) : 0;
    }

    // "disconnect" / "disconnecting" with the reason as an enum.
    template <typename F>
    events::ListenerId on_disconnect(F&& listener) {
        return on("disconnect", reason_listener(std::forward<F>(listener)));
    }
    template <typename F>
    events::ListenerId on_disconnecting(F&& listener) {
        return on("disconnecting", reason_listener(std::forward<F>(listener)));
    }

    events::ListenerId on_any(AnyListener listener);
    bool off_any(events::ListenerId id);
    events::ListenerId on_any_outgoing(OutgoingListener listener);
    bool off_any_outgoing(events::ListenerId id);

    // Per-packet middleware: runs for each incoming event before the listeners.
    void use(PacketMiddleware middleware);

    // ---- sending -----------------------------------------------------------------------------
    // Sends EVENT [event, args...]. Each argument becomes a json::Value: strings, numbers,
    // bools, nullptr, json::Value, json::Bytes (sent as a binary attachment). Returns false
    // (nothing sent) for a reserved name or a socket that is no longer connected.
    template <typename... A>
    bool emit(std::string_view event, A&&... args) {
        json::Array data = start_event(event, sizeof...(A));
        socketio::detail::append_args(data, std::forward<A>(args)...);
        return send_event(std::move(data), /*is_volatile=*/false);
    }

    // emit() with arguments known only at run time (one per element): forwards what a peer
    // sent, e.g. s.emit_args("echo", args). Binary (Bytes) included.
    bool emit_args(std::string_view event, const Args& args) {
        return send_event_args(event, args.values(), /*is_volatile=*/false, nullptr);
    }

    // Like emit(), but dropped when the transport cannot take it right now (a polling client
    // with no GET waiting, an upgrade in progress, a full WebSocket backlog).
    template <typename... A>
    bool volatile_emit(std::string_view event, A&&... args) {
        json::Array data = start_event(event, sizeof...(A));
        socketio::detail::append_args(data, std::forward<A>(args)...);
        return send_event(std::move(data), /*is_volatile=*/true);
    }

    // emit_with_ack(event, args..., timeout, callback): asks the peer to acknowledge. The
    // callback runs exactly once: (nullopt, reply) when the ACK comes, (kAckTimedOut) when
    // `timeout` passes first, (kAckDisconnected) when the socket disconnects first.
    template <typename... A>
    bool emit_with_ack(std::string_view event, A&&... args_then_timeout_and_callback) {
        json::Array data = start_event(event, sizeof...(A) >= 2 ? sizeof...(A) - 2 : 0);
        auto [timeout, callback] = socketio::detail::append_args_then_take_ack<AckCallback>(
            data, std::forward<A>(args_then_timeout_and_callback)...);
        return send_event_with_ack(std::move(data), timeout, std::move(callback));
    }

    // emit("message", args...), as socket.io's send().
    template <typename... A>
    bool send_message(A&&... args) {
        return emit("message", std::forward<A>(args)...);
    }

    // ---- rooms -------------------------------------------------------------------------------
    void join(std::string_view room);
    void join(std::initializer_list<std::string_view> rooms);
    void leave(std::string_view room);
    // Its own id first, then the rooms it joined.
    std::vector<std::string> rooms() const;

    // Broadcasts that leave this socket out.
    BroadcastOperator to(std::string_view room) const;
    BroadcastOperator to(std::initializer_list<std::string_view> rooms) const;
    BroadcastOperator in(std::string_view room) const { return to(room); }
    BroadcastOperator in(std::initializer_list<std::string_view> rooms) const { return to(rooms); }
    BroadcastOperator except(std::string_view room) const;
    BroadcastOperator except(std::initializer_list<std::string_view> rooms) const;
    BroadcastOperator broadcast() const;

    // ---- leaving -----------------------------------------------------------------------------
    // Leaves the namespace: the peer gets DISCONNECT, listeners get "server namespace
    // disconnect". close_underlying = true does that for every socket of the connection and
    // then closes the connection itself (as socket.io does). Calling it twice is harmless.
    void disconnect(bool close_underlying = false);

    // ---- looking inside ----------------------------------------------------------------------
    // Acknowledgements this socket still waits for (its own emit_with_ack and broadcasts').
    std::size_t pending_ack_count() const { return extras_ ? extras_->acks.size() : 0; }
    // Incoming events held by per-packet middlewares that have not called next() yet.
    std::size_t pending_packet_count() const { return extras_ ? extras_->pending_packets : 0; }

    // ---- used by Client, Namespace and adapters (not by applications) ------------------------
    void set_recovered_session(std::string_view pid, json::Value data);
    void on_connected();                      // after the middlewares said yes
    void on_packet(Packet&& packet);          // EVENT, ACK, DISCONNECT for this socket
    void on_close(DisconnectReason reason);   // emits disconnecting / disconnect
    // The server was destroyed by a listener of another socket of this client: lets go of
    // what `loop` still holds for this socket (ack timers, the running emitter), so that the
    // destructor touches neither the namespace nor the server.
    void orphan(loop::EventLoop& loop);
    void send_ack(std::uint64_t id, json::Array&& reply);
    // A broadcast asked this socket for an answer; forgotten after `timeout` (the broadcast
    // has ended by then), so a peer that never answers costs nothing for long.
    void add_broadcast_ack(std::uint64_t id, Millis timeout,
                           std::function<void(const Args&)> on_answer);
    void notify_outgoing(const Packet& packet);   // on_any_outgoing listeners, if any
    void notify_outgoing(std::string_view event, const Args& args);
    bool has_outgoing_listeners() const;
    std::string_view pid() const;   // empty unless recovery is on
    void set_pid(std::string pid);
    std::shared_ptr<const bool> alive_token();   // false once the object is destroyed
    // Broadcast stamp (InMemoryAdapter): the number of the last broadcast that reached it.
    std::uint32_t delivery_mark = 0;

private:
    enum class State : std::uint8_t { Connecting, Connected, Disconnected };

    struct PendingAck {
        std::uint64_t id;
        loop::TimerId timer;                          // 0: a broadcast ack (no own timer)
        AckCallback callback;                         // our emit_with_ack
        std::function<void(const Args&)> on_answer;   // a broadcast's recipient
        Clock::time_point deadline{};                 // a broadcast's: forgotten after it
    };
    // What only some sockets need, allocated on first use. auth and data are here too: most
    // peers send no auth and most applications set no data, and two json::Values inline
    // would cost every socket 80 bytes.
    struct Extras {
        json::Value auth = json::Value::object();
        json::Value data;
        std::string pid;
        std::vector<std::pair<events::ListenerId, AnyListener>> any;
        std::vector<std::pair<events::ListenerId, OutgoingListener>> any_outgoing;
        std::vector<PacketMiddleware> middlewares;
        std::vector<PendingAck> acks;
        std::vector<Room> pending_rooms;   // joined before the socket was connected
        events::ListenerId next_id = 1;
        std::size_t pending_packets = 0;   // events inside per-packet middlewares
    };

    template <typename F>
    static auto reason_listener(F&& listener) {
        return [f = std::decay_t<F>(std::forward<F>(listener))](
                   const Args& args, const Ack&) mutable { f(reason_of(args)); };
    }
    static DisconnectReason reason_of(const Args& args);

    Emitter& emitter();
    Extras& extras();
    json::Array start_event(std::string_view event, std::size_t arg_count);
    bool send_event(json::Array&& data, bool is_volatile);
    // `owned`: the array [event, args...] the arguments live in, when the caller built one
    // (emit) and a packet that must be kept (recovery) can take it instead of a copy.
    bool send_event_args(std::string_view event, std::span<const json::Value> args,
                         bool is_volatile, json::Array* owned);
    bool send_event_with_ack(json::Array&& data, Millis timeout, AckCallback callback);
    void write(const Packet& packet, bool is_volatile);
    void dispatch_event(Packet& packet);
    void run_packet_middlewares(std::shared_ptr<Packet> packet, std::size_t index);
    void on_ack_timeout(std::uint64_t id);
    void on_ack(Packet& packet);
    void forget_expired_broadcast_acks();
    void fail_pending_acks();
    void emit_reserved(std::string_view event, DisconnectReason reason);

    Namespace* nsp_;
    Client* client_;
    std::unique_ptr<Emitter> emitter_;
    std::unique_ptr<Extras> extras_;   // only for sockets that use what it holds
    net::LifetimeFlag lifetime_;
    std::array<char, kSioIdLength> id_{};
    State state_ = State::Connecting;
    bool is_recovered_ = false;
};

}   // namespace looplab::socketio
