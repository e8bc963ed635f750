// looplab/http/server.hpp
//
// Server — a small HTTP/1.1 server on the loop: it accepts connections, feeds their bytes to
// a RequestParser, answers each request (your functions first, then static files), and hands
// connections that ask for an Upgrade (a WebSocket) to whoever registered take_upgrades_with().
// Your function answers at once (answer_with: return a Response) or later (answer_later_with:
// keep the Responder, see responder.hpp). These are not listeners: each must answer (or take
// the connection), so there is one of each, given once, as to Node's
// http.createServer(requestListener). While an answer is pending, the connection's next
// pipelined requests wait, so answers always leave in request order.
// Teaches: lesson 17 (the request that opens a WebSocket) and how one loop serves many
// clients without threads. Run: make demo
//
// Limits (http/limits.hpp), each with what happens at the limit:
//   kHttpHeaderTimeout    a request head not finished in time → 408 and close (slowloris)
//   kHttpIdleTimeout      a keep-alive connection silent that long → closed (only between
//                     requests: a request whose answer is pending is never timed out here;
//                     its AnswerLater decides how long it waits, e.g. a long-polling GET)
//   kHttpMaxConnections   one more client → 503 and close
//   kHttpMaxHeaderBytes, kHttpMaxHeaderCount, kHttpMaxBodyBytes → 431 / 413, see RequestParser
//   kHttpMaxStaticFileBytes  a bigger file is not served (500 with a clear body)
//
// Lifetime: the one rule, include/looplab/README.md. close() may be called twice; destroying
// the Server is safe anywhere, also inside one of its three functions. The request whose
// function destroyed it gets no answer: its connection is closed at once, nothing is sent,
// and the requests pipelined behind it are never read (a Responder it kept becomes
// disconnected). Work the server posted (an upgrade's hand-over, resuming a connection after
// a late answer) does not run after the destruction. Upgraded connections belong to whoever
// took them and live on.
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
#include "looplab/net/lifetime_flag.hpp"
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

// Largest file the static-file server reads into memory and sends.
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
    using Answer = std::function<std::optional<Response>(const Request&)>;
    // Tried before the Answer. Returns false to pass the request on (and must then leave
    // the Responder alone); true when it took the request: answered already, or it keeps
    // (moves) the Responder to answer later.
    using AnswerLater = std::function<bool(const Request&, Responder&)>;
    // Takes over a connection whose request carries an `Upgrade` header. `leftover` holds
    // the bytes that arrived after the request (a pipelined first frame): not lost.
    using TakeUpgrade =
        std::function<void(const Request& request, std::unique_ptr<net::TcpConnection> connection,
                           std::string leftover)>;

    explicit Server(loop::EventLoop& loop, ServerOptions options = {});
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    void answer_with(Answer answer) { functions_->answer = std::move(answer); }
    void answer_later_with(AnswerLater answer) { functions_->answer_later = std::move(answer); }
    void take_upgrades_with(TakeUpgrade take) { functions_->take_upgrade = std::move(take); }
    // What is installed now, so a layer mounted on top (engineio::Server::attach) can pass
    // on what is not its own.
    const AnswerLater& current_answer_later() const { return functions_->answer_later; }
    const TakeUpgrade& current_take_upgrade() const { return functions_->take_upgrade; }

    [[nodiscard]] Status listen(const net::Address& where);
    const net::Address& local_address() const;
    std::size_t connection_count() const { return sessions_.size(); }

    // Stops accepting and closes every HTTP connection (upgraded ones are not ours anymore).
    void close();

private:
    class Session;
    // On the heap, so that a function destroying its Server keeps running
    // (LifetimeFlag::retire).
    struct Functions {
        Answer answer;
        AnswerLater answer_later;
        TakeUpgrade take_upgrade;
    };
    void accept(std::unique_ptr<net::TcpConnection> connection);
    // What answers when no function did: 405 for other methods, static files, then 404.
    Response default_answer(const Request& request) const;
    Response serve_static(const Request& request) const;
    void remove(std::uint64_t id);
    void hand_over(std::uint64_t id, Request request, std::string leftover);

    loop::EventLoop& loop_;
    ServerOptions options_;
    std::optional<net::TcpListener> listener_;
    std::unique_ptr<Functions> functions_ = std::make_unique<Functions>();
    std::unordered_map<std::uint64_t, std::unique_ptr<Session>> sessions_;
    std::uint64_t next_id_ = 1;
    net::LifetimeFlag lifetime_;   // a function may destroy us: see "Lifetime" above
};

}   // namespace looplab::http
