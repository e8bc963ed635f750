// looplab/socketio/client.hpp
//
// Client — the Socket.IO side of ONE Engine.IO connection. It decodes the connection's
// messages into packets (socketio::Decoder), routes each to the socket of its namespace, and
// owns those sockets (one per namespace the peer joined over this connection).
// Teaches: lesson 18 (multiplexing: several namespaces, one connection).
//
// The rules it enforces (PROTOCOLS.md §2.4, §2.7):
//   - the first packet must be a CONNECT, else the connection is closed;
//   - no successful CONNECT within connect_timeout (45 s) -> the connection is closed;
//   - a CONNECT to a namespace that does not exist -> CONNECT_ERROR "Invalid namespace"
//     (the connection stays: the peer may join another namespace);
//   - a packet that does not decode -> every socket gets "parse error", one log line, and
//     the connection is closed. Other connections go on.
//   - a packet for a namespace the peer has not joined (or whose middlewares are still
//     deciding), or a second CONNECT to one it has, closes the connection ("forced server
//     close"), as socket.io's Client does ("invalid state");
//   - more than ServerOptions::max_namespaces_per_client namespaces on one connection closes
//     it too (a bound on the sockets one peer can make; socket.io has none).
//
// Contract: loop thread only. Made and owned by the Server, freed in the loop's close phase.
#pragma once

#include "looplab/engineio/session.hpp"
#include "looplab/loop/task.hpp"
#include "looplab/net/lifetime_flag.hpp"
#include "looplab/socketio/disconnect_reason.hpp"
#include "looplab/socketio/packet.hpp"

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace looplab::socketio {

class Server;
class Socket;

class Client {
public:
    Client(Server& server, engineio::Session& session);
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    // nullptr once the Engine.IO session has closed.
    engineio::Session* session() const { return session_; }
    const engineio::Handshake& handshake() const;
    Server& server() const { return server_; }
    const std::vector<std::unique_ptr<Socket>>& sockets() const { return sockets_; }
    bool is_closing() const { return is_closing_; }
    // False once the Client is destroyed: for answers that may come later (an adapter's).
    std::shared_ptr<const bool> alive_token() { return lifetime_.alive_token(); }

    // ---- from the engine ---------------------------------------------------------------------
    void on_message(std::string_view data, bool is_binary);
    void on_engine_close(engineio::CloseReason reason, std::string_view description);

    // ---- for sockets and adapters ------------------------------------------------------------
    // Encodes (with the server's reused buffers) and sends.
    void write(const Packet& packet, bool is_volatile);
    // Encodes EVENT [event, args...] for namespace `nsp` straight from its parts, and sends.
    void write_event(std::string_view nsp, std::string_view event,
                     std::span<const codec::json::Value> args, bool is_volatile);
    // Sends what is already encoded: the text message, then each attachment as binary.
    // A volatile packet is dropped when the session is not writable now.
    void write_encoded(std::string_view text, std::span<const std::string> attachments,
                       bool is_volatile);
    // False when a packet sent now would wait in a queue (or the session is gone).
    bool is_writable() const { return session_ != nullptr && session_->is_writable(); }
    // The socket joined its namespace: the connect timeout no longer applies.
    void on_socket_connected();
    // Takes ownership of a socket that is joining (its middlewares run next).
    Socket& adopt(std::unique_ptr<Socket> socket);
    // Takes the socket out (it left its namespace); it is freed in the close phase.
    void remove(Socket& socket);
    // Every socket leaves with `reason`, then the connection is closed.
    void close_with(DisconnectReason reason);
    // Socket::disconnect(true): every socket leaves as with disconnect() (the peer gets
    // DISCONNECT for each), then the connection is closed.
    void disconnect_and_close();

private:
    void on_packet(Packet&& packet);
    void on_connect_packet(Packet&& packet);
    Socket* socket_for(std::string_view nsp) const;
    void fail(std::string_view what);
    // False when a listener destroyed the server (and this client): return at once.
    [[nodiscard]] bool disconnect_all(DisconnectReason reason);

    Server& server_;
    engineio::Session* session_;
    Decoder decoder_;
    std::vector<std::unique_ptr<Socket>> sockets_;
    loop::TimerId connect_timer_ = 0;
    bool is_closing_ = false;
    net::LifetimeFlag lifetime_;   // its token is made only when asked for
};

}   // namespace looplab::socketio
