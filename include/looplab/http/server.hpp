// looplab/http/server.hpp
//
// Server — a small HTTP/1.1 server on the loop: it accepts connections, feeds their bytes to
// a RequestParser, answers each request (your handlers first, then static files), and hands
// connections that ask for an Upgrade (a WebSocket) to whoever registered on_upgrade().
// A handler answers at once (on_request: return a Response) or later (on_request_async: keep
// the Responder, see responder.hpp); while an answer is pending, the connection's next
// pipelined requests wait, so answers always leave in request order.
// Teaches: lesson 17 (the request that opens a WebSocket) and how one loop serves many
// clients without threads. Run: make demo
//
// Limits (http/limits.hpp), each with what happens at the limit:
//   kHttpHeaderTimeout    a request head not finished in time → 408 and close (slowloris)
//   kHttpIdleTimeout      a keep-alive connection silent that long → closed (only between
//                     requests: a request whose answer is pending is never timed out here;
//                     its handler decides how long it waits, e.g. a long-polling GET)
//   kHttpMaxConnections   one more client → 503 and close
//   kHttpMaxHeaderBytes, kHttpMaxHeaderCount, kHttpMaxBodyBytes → 431 / 413, see RequestParser
//   kHttpMaxStaticFileBytes  a bigger file is not served (500 with a clear body)
//
// Contract: loop thread only. Pipelined requests are answered in order. Destroy the Server
// before its EventLoop.
#pragma once

#include "looplab/http/limits.hpp"
#include "looplab/http/request.hpp"
#include "looplab/http/request_parser.hpp"
#include "looplab/http/responder.hpp"
#include "looplab/http/response.hpp"
#include "looplab/loop/event_loop.hpp"
#include "looplab/net/address.hpp"
#include "looplab/net/tcp_connection.hpp"
#include "looplab/net/tcp_listener.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

namespace looplab::http {

// Bytes a client may send behind a request whose answer is pending (pipelined requests wait
// their turn). Past it we stop reading from that connection until the answer leaves.
inline constexpr std::size_t kHttpMaxWaitingInput = kHttpMaxHeaderBytes + kHttpMaxBodyBytes;

// Largest file the static handler reads into memory and sends.
inline constexpr std::size_t kHttpMaxStaticFileBytes = 8 * 1024 * 1024;   // 8 MiB

struct ServerOptions {
    std::string static_root;   // empty: no static files
    // Raise it for many clients (a benchmark holding 10,000 connections; mind `ulimit -n`).
    std::size_t max_connections = kHttpMaxConnections;
    Millis header_timeout = std::chrono::duration_cast<Millis>(kHttpHeaderTimeout);
    Millis idle_timeout = std::chrono::duration_cast<Millis>(kHttpIdleTimeout);
};

class Server {
public:
    // Returns a response, or nullopt to let the static files (then 404) answer.
    using Handler = std::function<std::optional<Response>(const Request&)>;
    // Tried before the Handler. Returns false to pass the request on (and must then leave
    // the Responder alone); true when it took the request: answered already, or it keeps
    // (moves) the Responder to answer later.
    using AsyncHandler = std::function<bool(const Request&, Responder&)>;
    // Takes over a connection whose request carries an `Upgrade` header. `leftover` holds
    // the bytes that arrived after the request (a pipelined first frame): not lost.
    using UpgradeHandler =
        std::function<void(const Request& request, std::unique_ptr<net::TcpConnection> connection,
                           std::string leftover)>;

    explicit Server(loop::EventLoop& loop, ServerOptions options = {});
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    void on_request(Handler handler) { handler_ = std::move(handler); }
    void on_request_async(AsyncHandler handler) { async_handler_ = std::move(handler); }
    void on_upgrade(UpgradeHandler handler) { upgrade_handler_ = std::move(handler); }
    // What is installed now, so a layer mounted on top (engineio::Server::attach) can pass
    // on what is not its own.
    const AsyncHandler& async_handler() const { return async_handler_; }
    const UpgradeHandler& upgrade_handler() const { return upgrade_handler_; }

    [[nodiscard]] Status listen(const net::Address& where);
    const net::Address& local_address() const;
    std::size_t connection_count() const { return sessions_.size(); }

    // Stops accepting and closes every HTTP connection (upgraded ones are not ours anymore).
    void close();

private:
    class Session;
    void accept(std::unique_ptr<net::TcpConnection> connection);
    Response answer(const Request& request) const;
    Response serve_static(const Request& request) const;
    void remove(std::uint64_t id);
    void hand_over(std::uint64_t id, Request request, std::string leftover);

    loop::EventLoop& loop_;
    ServerOptions options_;
    std::optional<net::TcpListener> listener_;
    Handler handler_;
    AsyncHandler async_handler_;
    UpgradeHandler upgrade_handler_;
    std::unordered_map<std::uint64_t, std::unique_ptr<Session>> sessions_;
    std::uint64_t next_id_ = 1;
};

}   // namespace looplab::http
