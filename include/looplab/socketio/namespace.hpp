// looplab/socketio/namespace.hpp
//
// Namespace — a named channel on one Socket.IO server ("/" by default, "/admin", ...). Many
// namespaces share one connection (multiplexing); each has its own sockets, rooms (through its
// Adapter), middlewares and "connection" listeners.
// Teaches: lesson 18 (Listener: io.on("connection")). Facts: PROTOCOLS.md §2.4, §3.
//
//     socketio::Namespace& admin = io.of("/admin");
//     admin.use([](socketio::Socket& s, socketio::Next next) { ... next(); });
//     admin.on_connection([](socketio::Socket& s) { s.join("staff"); });
//     admin.to("staff").emit("notice", "server restarts at 10:00");
//     admin.emit("hello");                                     // every socket of /admin
//     admin.timeout(2000ms).emit_with_ack("ping?", [](auto error, const json::Array& answers) {});
//     admin.disconnect_sockets();
//
// Dynamic namespaces: Server::of(predicate) returns a parent Namespace. A CONNECT to a name
// that no static namespace has and that a predicate accepts creates a child namespace with
// that name; the parent's middlewares run first, then the child's, and the parent's
// "connection" listeners hear the child's sockets. parent.emit() reaches every child.
//
// Contract: loop thread only. Namespaces live as long as their Server.
#pragma once

#include "looplab/codec/json.hpp"
#include "looplab/events/event_emitter.hpp"
#include "looplab/loop/task.hpp"
#include "looplab/socketio/ack.hpp"
#include "looplab/socketio/adapter.hpp"
#include "looplab/socketio/broadcast_operator.hpp"
#include "looplab/socketio/middleware.hpp"
#include "looplab/socketio/socket.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <type_traits>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace looplab::socketio {

class Client;
class Server;

// The answer to another server's server_side_emit_with_ack: call it once with one value
// (later calls, and calls when nobody asked, do nothing). Copies share the "answered" state.
class ServerSideReply {
public:
    ServerSideReply() = default;
    explicit ServerSideReply(std::function<void(json::Value)> send)
        : send_(std::make_shared<std::function<void(json::Value)>>(std::move(send))) {}

    bool wanted() const { return send_ && *send_; }
    void operator()(json::Value answer) const {
        if (!wanted()) return;
        auto send = std::move(*send_);
        *send_ = nullptr;
        send(std::move(answer));
    }

private:
    std::shared_ptr<std::function<void(json::Value)>> send_;
};

// Accepts or refuses a namespace name for Server::of(predicate): (name, CONNECT auth).
using NamespacePredicate = std::function<bool(std::string_view name, const json::Value& auth)>;

class Namespace {
public:
    // "connection" (alias "connect") listeners receive the new socket: [](Socket& s) {...}.
    using ConnectionEmitter = events::EventEmitter<std::reference_wrapper<Socket>>;
    using SocketMap = std::unordered_map<std::string_view, Socket*>;   // key: the socket's id

    Namespace(Server& server, std::string name, Namespace* parent = nullptr);
    ~Namespace();
    Namespace(const Namespace&) = delete;
    Namespace& operator=(const Namespace&) = delete;

    const std::string& name() const { return name_; }
    Server& server() const { return server_; }
    Adapter& adapter() const { return *adapter_; }
    // For a child of a dynamic namespace: its parent (the predicate's Namespace).
    Namespace* parent() const { return parent_; }
    bool is_parent() const { return is_parent_; }
    const std::vector<Namespace*>& children() const { return children_; }

    // ---- listening ---------------------------------------------------------------------------
    template <typename F>
    events::ListenerId on_connection(F&& listener) {
        return connections_->on("connection", std::forward<F>(listener));
    }
    // on("connection", ...) or on("connect", ...): the same event, as in Node.
    template <typename F>
    events::ListenerId on(std::string_view event, F&& listener) {
        LOOPLAB_ASSERT(event == "connection" || event == "connect",
                       "a Namespace has one event, \"connection\"; listen to a Socket's events "
                       "inside it");
        return connections_->on("connection", std::forward<F>(listener));
    }
    template <typename F>
    events::ListenerId once(std::string_view event, F&& listener) {
        LOOPLAB_ASSERT(event == "connection" || event == "connect",
                       "a Namespace has one event, \"connection\"");
        return connections_->once("connection", std::forward<F>(listener));
    }
    bool off(events::ListenerId id) { return connections_->off(id); }

    // Runs before each socket joins, in the order added (see middleware.hpp).
    void use(Middleware middleware) { middlewares_.push_back(std::move(middleware)); }

    // ---- broadcasting ------------------------------------------------------------------------
    BroadcastOperator to(std::string_view room) { return BroadcastOperator{*this}.to(room); }
    BroadcastOperator to(std::initializer_list<std::string_view> rooms) {
        return BroadcastOperator{*this}.to(rooms);
    }
    BroadcastOperator in(std::string_view room) { return to(room); }
    BroadcastOperator in(std::initializer_list<std::string_view> rooms) { return to(rooms); }
    BroadcastOperator except(std::string_view room) {
        return BroadcastOperator{*this}.except(room);
    }
    BroadcastOperator except(std::initializer_list<std::string_view> rooms) {
        return BroadcastOperator{*this}.except(rooms);
    }
    BroadcastOperator volatile_() { return BroadcastOperator{*this}.volatile_(); }
    BroadcastOperator local() { return BroadcastOperator{*this}.local(); }
    BroadcastOperator timeout(Millis timeout) { return BroadcastOperator{*this}.timeout(timeout); }

    // To every socket of the namespace (see BroadcastOperator::emit).
    template <typename... A>
    bool emit(std::string_view event, A&&... args) {
        return BroadcastOperator{*this}.emit(event, std::forward<A>(args)...);
    }
    template <typename... A>
    bool send_message(A&&... args) {
        return emit("message", std::forward<A>(args)...);
    }

    // ---- sockets -----------------------------------------------------------------------------
    std::size_t socket_count() const { return sockets_.size(); }
    const SocketMap& sockets() const { return sockets_; }
    Socket* find_socket(std::string_view id) const;

    // The cluster utilities on every socket (BroadcastOperator has them for a selection).
    void fetch_sockets(std::function<void(std::vector<SocketInfo>)> done);
    void sockets_join(std::string_view room) { BroadcastOperator{*this}.sockets_join(room); }
    void sockets_leave(std::string_view room) { BroadcastOperator{*this}.sockets_leave(room); }
    void disconnect_sockets(bool close_underlying = false) {
        BroadcastOperator{*this}.disconnect_sockets(close_underlying);
    }
    // To the other servers' on_server_side listeners. False when no other server can hear it
    // (the in-memory adapter has none).
    template <typename... A>
    bool server_side_emit(std::string_view event, A&&... args) {
        json::Array data;
        data.reserve(sizeof...(A) + 1);
        data.emplace_back(std::string{event});
        (data.emplace_back(std::forward<A>(args)), ...);
        return adapter_->server_side_emit(data);
    }
    // server_side_emit_with_ack(event, args..., callback): each other server answers once; the
    // callback gets every answer, or kAckTimedOut and the answers that came when a server does
    // not answer within the adapter's request timeout (socket.io's serverSideEmitWithAck).
    template <typename... A>
    void server_side_emit_with_ack(std::string_view event, A&&... args_then_callback) {
        static_assert(sizeof...(A) >= 1, "server_side_emit_with_ack(event, args..., callback)");
        constexpr std::size_t kArgs = sizeof...(A) - 1;
        auto all = std::forward_as_tuple(std::forward<A>(args_then_callback)...);
        json::Array data;
        data.reserve(kArgs + 1);
        data.emplace_back(std::string{event});
        detail::append_first<kArgs>(data, all);
        adapter_->server_side_emit_with_ack(data,
                                            BroadcastAckCallback(std::get<kArgs>(std::move(all))));
    }
    // What other servers server_side_emit() to this namespace (socket.io's io.on("event") for
    // server-side events): [](const Args& args) {...}, or, to answer a server that asked with
    // server_side_emit_with_ack, [](const Args& args, const ServerSideReply& reply) {...}.
    // Only a cluster adapter delivers these.
    template <typename F>
    events::ListenerId on_server_side(std::string_view event, F&& listener) {
        using Fn = std::decay_t<F>;
        if constexpr (std::is_invocable_v<Fn&, const Args&, const ServerSideReply&>) {
            return server_side_->on(event, std::forward<F>(listener));
        } else {
            static_assert(std::is_invocable_v<Fn&, const Args&>,
                          "a server-side listener takes (const Args&) or (const Args&, const "
                          "ServerSideReply&)");
            return server_side_->on(
                event, [f = Fn(std::forward<F>(listener))](
                           const Args& args, const ServerSideReply&) mutable { f(args); });
        }
    }
    bool off_server_side(events::ListenerId id) { return server_side_->off(id); }

    // ---- used by Client, Socket, BroadcastOperator, adapters (not by applications) -----------
    // A CONNECT for this namespace arrived on `client` with this auth (an object).
    void add(Client& client, json::Value auth);
    // The socket left (it is in no map of ours afterwards).
    void remove(Socket& socket);
    // Ack ids are numbered per namespace (as socket.io does); the children of a dynamic
    // parent share the parent's numbers, because a parent's broadcast gives one id to the
    // sockets of every child, which must not meet a child's own id.
    std::uint64_t next_ack_id() {
        return parent_ != nullptr ? parent_->next_ack_id() : next_ack_id_++;
    }
    // A broadcast with acks: registers its gathering and returns the ack id to send.
    std::uint64_t start_broadcast_ack(Millis timeout, BroadcastAckCallback done,
                                      std::size_t namespaces = 1);
    void on_broadcast_client_count(std::uint64_t ack_id, std::size_t count);
    void on_broadcast_answer(std::uint64_t ack_id, const Args& answer);
    // A cluster adapter hands over another server's server_side_emit ([event, args...]), with
    // the way back when that server waits for an answer.
    void receive_server_side(const json::Array& event, ServerSideReply reply = {});
    // Dynamic namespaces: the parent makes and adopts a child.
    void set_parent_predicate(NamespacePredicate predicate);
    bool accepts(std::string_view name, const json::Value& auth) const;
    void adopt(Namespace& child) { children_.push_back(&child); }
    std::size_t middleware_count() const;

private:
    struct BroadcastAckGathering {
        std::size_t servers_expected = 1;
        std::size_t servers_counted = 0;
        std::size_t clients_expected = 0;
        json::Array answers;
        BroadcastAckCallback done;
        loop::TimerId timer = 0;
    };

    void admit(Client& client, json::Value auth, std::optional<RestoredSession> restored);
    void connect_socket(Socket& socket, std::optional<RestoredSession> restored);
    void run_middlewares(Socket& socket, std::size_t index,
                         std::function<void(std::optional<MiddlewareError>)> done);
    const Middleware* middleware_at(std::size_t index) const;
    void finish_broadcast_ack_if_complete(std::uint64_t ack_id);

    Server& server_;
    std::string name_;
    Namespace* parent_;
    bool is_parent_ = false;
    std::unique_ptr<Adapter> adapter_;
    // On the heap, so that a listener destroying the Server keeps running
    // (LifetimeFlag::retire, in ~Namespace).
    std::unique_ptr<ConnectionEmitter> connections_ = std::make_unique<ConnectionEmitter>();
    using ServerSideEmitter = events::EventEmitter<Args, ServerSideReply>;
    std::unique_ptr<ServerSideEmitter> server_side_ = std::make_unique<ServerSideEmitter>();
    std::vector<Middleware> middlewares_;
    SocketMap sockets_;
    std::vector<Namespace*> children_;
    NamespacePredicate predicate_;
    std::uint64_t next_ack_id_ = 0;
    std::unordered_map<std::uint64_t, BroadcastAckGathering> broadcast_acks_;
};

}   // namespace looplab::socketio
