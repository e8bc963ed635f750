// looplab/engineio/server.hpp
//
// engineio::Server — Engine.IO v4 on the HTTP server: the layer that turns "a browser that
// can do HTTP requests, and maybe a WebSocket" into one ordered, two-way stream of messages
// (a Session), with a heartbeat so that a dead peer is noticed. Socket.IO runs on top.
// Facts: ../shared/PROTOCOLS.md §1. Teaches: lesson 18 (how the chat's messages travel).
//
//     browser ── GET  /socket.io/?EIO=4&transport=polling ───────► 0{"sid":...}  (handshake)
//             ── GET  ...&sid=S  (held until there is something) ◄── 4hello\x1e2
//             ── POST ...&sid=S  body 4hi\x1e3 ──────────────────► "ok"
//             ── GET  ...&transport=websocket&sid=S  (101) 2probe/3probe, 5: upgraded
//
//     engineio::Server engine{loop, {.path = "/socket.io/"}};
//     engine.set_listener(my_listener);          // on_open / on_message / on_close
//     engine.attach(http_server);                // it answers its path, the rest goes on
//
// Sessions are owned by the Server. A Session& passed to a listener stays valid until that
// session's on_close returns; after it, nothing more is reported for it. on_close runs in a
// task the server posts (the loop's "next" phase), never inside the call that ended it.
//
// Refusals are the reference server's (errors.hpp: codes 0-5 with JSON bodies, checked in the
// order of request_check.hpp); CORS and the sid cookie: cors.hpp, open_packet.hpp. Bad input
// (a malformed packet, an oversize body, a second GET) ends that session only, with one log
// line. Inside: server.cpp routes, server_core.cpp keeps the sessions and WebSockets,
// session_impl.cpp / polling_transport.cpp / websocket_transport.cpp are one session.
//
// Lifetime: the one rule, include/looplab/README.md. close_all() may be called twice;
// destroying the Server closes every session at once (no events fire during destruction: a
// held GET gets "1", a WebSocket is dropped), and is safe anywhere, also inside one of its
// listener's calls: the call returns and nothing more is reported (the rest of a POST's
// packets are not read; the POST itself is answered "ok"). The http::Server it is attached
// to may live on: our path then goes to the functions it had before.
//
// Contract: loop thread only. Destroy the Server before its EventLoop.
#pragma once

#include "looplab/core/clock.hpp"
#include "looplab/engineio/session.hpp"
#include "looplab/http/request.hpp"
#include "looplab/http/server.hpp"
#include "looplab/loop/event_loop.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace looplab::engineio {

// The reference server's defaults (engine.io 6.x), each settable in ServerOptions.
inline constexpr Millis kEioDefaultPingInterval{25000};
inline constexpr Millis kEioDefaultPingTimeout{20000};
inline constexpr Millis kEioDefaultUpgradeTimeout{10000};
inline constexpr std::size_t kEioDefaultMaxPayload = 1'000'000;   // maxHttpBufferSize

// Memory bounds of one session (ours; the reference server has none). A polling peer that
// stops asking (no GET) while we keep sending would otherwise grow its queue until the ping
// timeout ends it. One more packet, or one that takes the queue past the bytes, closes the
// session with TransportError ("send queue full"). A WebSocket session queues nothing here:
// the WebSocket's own slow-consumer limit (ws::kWsDefaultMaxBufferedAmount, 16 MiB) applies.
inline constexpr std::size_t kEioMaxQueuedPackets = 10'000;
inline constexpr std::size_t kEioMaxQueuedBytes = 16 * 1024 * 1024;   // 16 MiB

// The heartbeat deadline (pingInterval + pingTimeout after the handshake or the last pong)
// is kept this much early, at most a tenth of pingTimeout. We start counting when we send
// the open packet, the peer when it has read it: a peer (the official suite does) that waits
// exactly pingInterval + pingTimeout and then asks must find the session closed, not win
// the race by a millisecond. The reference server gets the same margin from Node's timers,
// which count from the start of the loop turn.
inline constexpr Millis kEioHeartbeatSlack{5};

// Most sessions at once (ServerOptions::max_sessions). A handshake beyond it is refused like
// one that allow_request() refuses (403 code 4; a WebSocket: a plain 400) with a log line, so
// a flood of handshakes cannot grow memory without end. The reference server has no limit.
inline constexpr std::size_t kEioDefaultMaxSessions = 100'000;

// A polling session closed by our side (Session::close) keeps its sid this long, waiting for
// the peer's next GET to hand it what was queued and the close packet; then it is freed
// anyway. The reference server's closeTimeout.
inline constexpr Millis kEioPollingCloseTimeout{30000};

struct ServerOptions {
    std::string path = "/engine.io/";   // Socket.IO uses "/socket.io/"
    Millis ping_interval = kEioDefaultPingInterval;
    Millis ping_timeout = kEioDefaultPingTimeout;
    Millis upgrade_timeout = kEioDefaultUpgradeTimeout;
    // Bytes per POST body / WS message; one more ends the session (413 / close 1009). A
    // polling body is also capped by the HTTP server at http::kHttpMaxBodyBytes (1 MiB): above
    // that it answers 413 itself, before the engine sees the request.
    std::size_t max_payload = kEioDefaultMaxPayload;
    bool allow_polling = true;
    bool allow_websocket = true;
    bool allow_upgrades = true;
    // CORS for the polling transport (browsers only). Empty: no CORS headers at all (the
    // reference default). {"*"}: any origin. Otherwise the exact origins allowed.
    std::vector<std::string> cors_origins;
    bool cors_credentials = false;
    // A cookie carrying the sid (for cookie-based sticky sessions behind a load balancer).
    // Empty: no cookie (the reference default); the reference name is "io". Sent as
    // `Set-Cookie: <name>=<sid>; Path=/; HttpOnly; SameSite=Lax` with the handshake.
    std::string cookie_name;
    // Asked before a handshake (a request without sid): false refuses it with 403
    // {"code":4,"message":"Forbidden"} (a WebSocket: a plain 400). Empty: every request is
    // allowed. The place to check Origin for WebSockets, which CORS does not cover.
    std::function<bool(const http::Request&)> allow_request;
    std::size_t max_sessions = kEioDefaultMaxSessions;
    // Where a session closed by bad input is reported (one line). Empty: stderr.
    std::function<void(std::string_view line)> log;
};

// What the Server tells its user. One listener object serves every session (a few bytes per
// session instead of a set of std::functions each). Override what you need.
class ServerListener {
public:
    // A handshake succeeded: the session exists and may send at once.
    virtual void on_open(Session& /*session*/) {}
    // One message packet (type 4), text or binary, in the order the peer sent them. The
    // bytes are valid only during the call.
    virtual void on_message(Session& /*session*/, std::string_view /*data*/, bool /*is_binary*/) {}
    // Exactly once per opened session, last. `description` adds detail for logs.
    virtual void on_close(Session& /*session*/, CloseReason /*reason*/,
                          std::string_view /*description*/) {}

protected:
    ServerListener() = default;
    ServerListener(const ServerListener&) = default;
    ServerListener& operator=(const ServerListener&) = default;
    ~ServerListener() = default;
};

class Server {
public:
    explicit Server(loop::EventLoop& loop, ServerOptions options = {});
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Must outlive the Server (or be replaced). Without one, sessions open and are ignored.
    void set_listener(ServerListener& listener);

    // Installs this engine on `http`: requests and upgrades under options().path are ours,
    // everything else goes to what `http` had before (the functions it had before).
    void attach(http::Server& http);

    // True when `request`'s path is under options().path ("/engine.io/?EIO=4..." is ours,
    // "/engine.io?EIO=4" and "/other/" are not), as the reference server decides.
    bool owns(const http::Request& request) const;

    // For owners that route themselves: each takes the request (or the connection) and answers
    // it, now or later, and returns true (an AnswerLater's "taken"). Ask owns() first: a
    // request that is not ours is answered 404 here.
    bool handle_request(const http::Request& request, http::Responder responder);
    bool handle_upgrade(const http::Request& request, std::unique_ptr<net::TcpConnection> tcp,
                        std::string leftover);

    // Forced close of every session (each reports on_close with ForcedClose).
    void close_all();

    std::size_t session_count() const;
    Session* find(std::string_view sid);
    const ServerOptions& options() const { return options_; }
    loop::EventLoop& loop() { return loop_; }

private:
    struct Impl;
    loop::EventLoop& loop_;
    ServerOptions options_;
    std::unique_ptr<Impl> impl_;
};

}   // namespace looplab::engineio
