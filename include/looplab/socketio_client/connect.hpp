// looplab/socketio_client/connect.hpp
//
// connect() — the short way in, like `io("http://127.0.0.1:3000/chat")` in JavaScript: one
// Manager for the server, and the Socket of the URL's namespace, already connecting.
//
//     auto io = socketio_client::connect(loop, "http://127.0.0.1:3000/chat");
//     if (!io) return report(io.error());          // a URL we cannot use
//     io->socket().on_connect([&] { io->socket().emit("hello"); });
//     io->socket().on("chat", [](const socketio::Args& args) { ... });
//     loop.run();
//
// Connection owns the Manager (and so every socket of it); more namespaces on the same
// connection: io->manager().socket("/admin").connect().
//
// Contract: loop thread only; destroy the Connection before the loop.
#pragma once

#include "looplab/core/result.hpp"
#include "looplab/loop/event_loop.hpp"
#include "looplab/socketio_client/manager.hpp"
#include "looplab/socketio_client/options.hpp"
#include "looplab/socketio_client/server_url.hpp"
#include "looplab/socketio_client/socket.hpp"

#include <memory>
#include <string_view>

namespace looplab::socketio_client {

struct ConnectOptions {
    ManagerOptions manager;
    SocketOptions socket;
    bool auto_connect = true;   // false: call socket().connect() yourself
};

class Connection {
public:
    Connection(loop::EventLoop& loop, ServerUrl url, ConnectOptions options = {});

    Manager& manager() { return *manager_; }
    Socket& socket() { return *socket_; }

private:
    std::unique_ptr<Manager> manager_;   // on the heap: the sockets keep its address
    Socket* socket_;
};

// Parses `url` (server_url.hpp) and starts connecting. Fails only for a URL we cannot use;
// everything later (refused, timed out, ...) reaches the socket as "connect_error".
[[nodiscard]] Result<Connection> connect(loop::EventLoop& loop, std::string_view url,
                                         ConnectOptions options = {});

}   // namespace looplab::socketio_client
