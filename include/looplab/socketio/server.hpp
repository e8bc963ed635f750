// looplab/socketio/server.hpp
//
// socketio::Server — Socket.IO v5 on top of the Engine.IO server: namespaces, sockets, rooms,
// acknowledgements and middlewares, with the API of the Node server (snake_case).
// Teaches: lesson 18 (a real-time chat: Listener and Emit across the network).
// Facts: ../shared/PROTOCOLS.md §2 (wire), §3 (what users expect), §4 (adapters).
//
//     socketio::Server io{loop, options};
//     io.attach(http_server);                    // answers /socket.io/, the rest goes on
//     io.of("/").on_connection([](socketio::Socket& s) {
//         s.on("chat", [&s](const socketio::Args& args, const socketio::Ack& ack) {
//             s.to("lobby").emit("chat", args[0]);
//             ack("ok");
//         });
//         s.join("lobby");
//     });
//
// io itself stands for the "/" namespace: io.on_connection, io.use, io.emit, io.to ... are
// io.of("/")'s. Every other namespace must be declared with of(name) (static) or accepted by
// of(predicate) (dynamic; static names win).
//
//     browser ──Engine.IO session──► Client ──► Socket ("/")       ──► rooms (Adapter)
//                                           └─► Socket ("/admin")
//
// Options worth knowing: connect_timeout (45 s: an Engine.IO connection that joins no
// namespace in time is closed), recovery (connection state recovery, recovery.hpp),
// adapter (how rooms and broadcasts work: in-memory by default), engine (Engine.IO options,
// path "/socket.io/").
//
// Logs: one line per peer that broke the protocol ("socketio: parse error from <sid>: ..."),
// to options.log (stderr when empty).
//
// Lifetime: the one rule, include/looplab/README.md. Destroying the Server closes every
// connection at once (no events fire during destruction), and is safe anywhere, also inside
// one of its listeners (a connection listener, a middleware, a socket's event, "disconnecting"
// or "disconnect" listener, an ack's callback): the listener goes on running, the ones after
// it are not called, nothing more is delivered. close() is the polite way: every socket gets
// "server shutting down"; close() twice is harmless.
//
// Contract: loop thread only. Destroy the Server before its EventLoop.
#pragma once

#include "looplab/core/clock.hpp"
#include "looplab/engineio/server.hpp"
#include "looplab/http/server.hpp"
#include "looplab/net/lifetime_flag.hpp"
#include "looplab/loop/event_loop.hpp"
#include "looplab/socketio/adapter.hpp"
#include "looplab/socketio/args.hpp"
#include "looplab/socketio/namespace.hpp"
#include "looplab/socketio/packet.hpp"
#include "looplab/socketio/recovery.hpp"
#include "looplab/socketio/socket.hpp"

#include <cstddef>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace looplab::socketio {

class Client;

// socket.io's connectTimeout default.
inline constexpr Millis kSioDefaultConnectTimeout{45'000};

// ---- limits: what one peer may make us hold (each the default of a ServerOptions field) ----
// Real clients stay far below them; a peer that goes over is closed with a log line.
// Namespaces one connection may join at once. Each costs a Socket; a real client joins a
// handful. One more closes the connection ("forced server close"). socket.io has no limit.
inline constexpr std::size_t kSioMaxNamespacesPerClient = 100;
// Child namespaces one dynamic parent may create (Server::of(predicate)). Each costs a
// Namespace and its adapter, and outlives its sockets; past the limit a CONNECT to a new
// name is refused with "Invalid namespace" (and one log line).
inline constexpr std::size_t kSioMaxChildNamespaces = 1'000;
// Incoming events of one socket held by per-packet middlewares that have not called next()
// yet (Socket::use). One more closes the connection: a peer cannot pile up events behind a
// slow check.
inline constexpr std::size_t kSioMaxPendingPackets = 1'000;
// Also bounded elsewhere: attachments per packet (kSioMaxAttachments, packet.hpp), each
// message's size (the engine's max_payload), recovery buffers (recovery.hpp), a broadcast's
// pending acknowledgements (dropped when its timeout passes).

// The Engine.IO options Socket.IO uses unless told otherwise: the reference defaults with the
// path "/socket.io/".
engineio::ServerOptions default_engine_options();

struct ServerOptions {
    engineio::ServerOptions engine = default_engine_options();
    Millis connect_timeout = kSioDefaultConnectTimeout;
    RecoveryOptions recovery;                           // off by default, as in socket.io
    AdapterFactory adapter;                             // empty: InMemoryAdapter
    std::size_t max_attachments = kSioMaxAttachments;   // per packet, from a peer
    std::size_t max_namespaces_per_client = kSioMaxNamespacesPerClient;
    std::size_t max_child_namespaces = kSioMaxChildNamespaces;   // per dynamic parent
    std::size_t max_pending_packets = kSioMaxPendingPackets;     // per socket
    std::function<void(std::string_view line)> log;              // empty: one line to stderr
};

class Server {
public:
    explicit Server(loop::EventLoop& loop, ServerOptions options = {});
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Serves Socket.IO on `http` (requests under options().engine.path).
    void attach(http::Server& http);

    // The namespace `name` ("/chat"), made on first use. A name without a leading '/' gets one.
    Namespace& of(std::string_view name);
    // A parent of dynamic namespaces: CONNECTs to unknown names that `predicate` accepts
    // create child namespaces (namespace.hpp).
    Namespace& of(NamespacePredicate predicate);

    // ---- io as the "/" namespace -------------------------------------------------------------
    Namespace& main_namespace() { return *main_; }
    template <typename F>
    events::ListenerId on_connection(F&& listener) {
        return main_->on_connection(std::forward<F>(listener));
    }
    template <typename F>
    events::ListenerId on(std::string_view event, F&& listener) {
        return main_->on(event, std::forward<F>(listener));
    }
    void use(Middleware middleware) { main_->use(std::move(middleware)); }
    BroadcastOperator to(std::string_view room) { return main_->to(room); }
    BroadcastOperator to(std::initializer_list<std::string_view> rooms) { return main_->to(rooms); }
    BroadcastOperator in(std::string_view room) { return main_->to(room); }
    BroadcastOperator in(std::initializer_list<std::string_view> rooms) { return main_->to(rooms); }
    BroadcastOperator except(std::string_view room) { return main_->except(room); }
    BroadcastOperator except(std::initializer_list<std::string_view> rooms) {
        return main_->except(rooms);
    }
    BroadcastOperator volatile_() { return main_->volatile_(); }
    BroadcastOperator local() { return main_->local(); }
    BroadcastOperator timeout(Millis timeout) { return main_->timeout(timeout); }
    template <typename... A>
    bool emit(std::string_view event, A&&... args) {
        return main_->emit(event, std::forward<A>(args)...);
    }
    void fetch_sockets(std::function<void(std::vector<SocketInfo>)> done) {
        main_->fetch_sockets(std::move(done));
    }
    void disconnect_sockets(bool close_underlying = false) {
        main_->disconnect_sockets(close_underlying);
    }

    // Every socket leaves with "server shutting down", then every connection closes.
    void close();

    // ---- looking inside ----------------------------------------------------------------------
    std::size_t client_count() const { return client_count_; }
    const ServerOptions& options() const { return options_; }
    loop::EventLoop& loop() const { return loop_; }
    // The Engine.IO server under this one (made on first use, with options().engine).
    engineio::Server& engine();
    // What the engine calls (on_open / on_message / on_close). Tests drive it with a fake
    // engineio::Session; applications never need it.
    engineio::ServerListener& engine_listener();

    // ---- used by Client, Namespace, Socket, adapters (not by applications) --------------------
    // The namespace for a CONNECT: a static one, or a new child of an accepting parent.
    Namespace* namespace_for_connect(std::string_view name, const json::Value& auth);
    Namespace* find_namespace(std::string_view name) const;
    void retire(std::unique_ptr<Socket> socket);
    std::string new_id();   // 20 random URL-safe base64 characters
    detail::ArrayPool& arrays() { return arrays_; }
    // The reused encode buffers (valid until the next encode).
    std::string& text_buffer() { return text_; }
    std::vector<std::string>& attachment_buffer() { return attachments_; }
    void log(std::string_view line) const;
    // Open a Scope on it around every call that may reach a listener: a listener may destroy
    // this Server (the one lifetime rule, include/looplab/README.md).
    net::LifetimeFlag& lifetime() { return lifetime_; }

private:
    class EngineListener;
    void on_open(engineio::Session& session);
    void on_message(engineio::Session& session, std::string_view data, bool is_binary);
    void on_close(engineio::Session& session, engineio::CloseReason reason,
                  std::string_view description);
    Client* client_of(const engineio::Session& session) const;
    void free_retired();

    loop::EventLoop& loop_;
    ServerOptions options_;
    // Before what it guards: destroyed after the namespaces and clients, which retire their
    // listeners through it.
    net::LifetimeFlag lifetime_;
    std::unique_ptr<EngineListener> listener_;
    std::unordered_map<std::string, std::unique_ptr<Namespace>> namespaces_;
    std::vector<std::unique_ptr<Namespace>> parents_;
    Namespace* main_ = nullptr;
    // Clients by slot; a session's tag is its slot + 1 (0 means "none"): no lookup per message.
    std::vector<std::unique_ptr<Client>> clients_;
    std::vector<std::size_t> free_slots_;
    std::size_t client_count_ = 0;
    // Freed in the loop's close phase, when no listener of theirs can still be running.
    std::vector<std::unique_ptr<Socket>> retired_sockets_;
    std::vector<std::unique_ptr<Client>> retired_clients_;
    bool is_free_posted_ = false;
    std::random_device random_;
    detail::ArrayPool arrays_;
    std::string text_;
    std::vector<std::string> attachments_;
    // The Engine.IO server, made on first use (attach(), engine()) in server_engine.cpp and
    // held through this small interface: a program that drives sessions itself (the unit
    // tests, through engine_listener()) then does not link the HTTP engine at all.
    struct EngineHolder {
        virtual ~EngineHolder() = default;
        virtual engineio::Server& get() = 0;
    };
    std::unique_ptr<EngineHolder> engine_;   // reset first in ~Server, with its sessions
    std::shared_ptr<bool> alive_;            // for the close-phase task
};

}   // namespace looplab::socketio
