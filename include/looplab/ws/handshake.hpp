// looplab/ws/handshake.hpp
//
// The opening handshake — the one HTTP request and answer that turn an HTTP connection into a
// WebSocket (RFC 6455 §4). Both sides are here: the server checks the request and builds the
// 101 answer (or a refusal); the client builds the request and checks the answer.
// Teaches: the framer (lesson 17): why a WebSocket starts as HTTP, what Sec-WebSocket-Key and
// -Accept prove, and why a server checks Origin.
// Run: lessons/17-websocket-framer   Read: notes/17-websocket-framer.md
//
//   client                                    server
//   GET /chat HTTP/1.1                        HTTP/1.1 101 Switching Protocols
//   Host: example.com                         Upgrade: websocket
//   Upgrade: websocket                        Connection: Upgrade
//   Connection: Upgrade                       Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
//   Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==
//   Sec-WebSocket-Version: 13                 accept = base64(SHA-1(key + kWebSocketGuid)):
//                                             proof that the server speaks WebSocket,
//                                             not that anyone is who they say
//
// Contract: pure functions; no sockets. Bytes that follow the request or the response head
// on the connection are already WebSocket frames: the caller feeds them to a FrameParser.
#pragma once

#include "looplab/core/result.hpp"
#include "looplab/http/request.hpp"
#include "looplab/ws/limits.hpp"

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace looplab::ws {

// The fixed string RFC 6455 §1.3 appends to the client's key before hashing.
inline constexpr std::string_view kWebSocketGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

// base64(SHA-1(key + kWebSocketGuid)). "dGhlIHNhbXBsZSBub25jZQ==" → "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=".
std::string compute_accept_key(std::string_view client_key);

// ---- Server side ---------------------------------------------------------------------------

struct HandshakePolicy {
    // Origins allowed to connect, compared without regard to case ("https://example.com",
    // "null" for file:// pages and sandboxed frames). Empty means any origin, or none. When
    // the list is set, a request without Origin is refused too: browsers always send it, and
    // this check is the defence against cross-site WebSocket hijacking (CORS does not apply).
    std::vector<std::string> allowed_origins;
    // Subprotocols we speak, best first. We pick the first one the client also offered
    // (compared exactly); when none matches we accept without a subprotocol.
    std::vector<std::string> subprotocols;
};

struct HandshakeAccepted {
    std::string accept_key;                   // for the Sec-WebSocket-Accept header
    std::optional<std::string> subprotocol;   // for the Sec-WebSocket-Protocol header
};

struct HandshakeRejected {
    int status = 400;     // 400 malformed, 403 origin refused, 426 unsupported version
    std::string reason;   // one sentence for the response body and the server's log
};

using HandshakeOutcome = std::variant<HandshakeAccepted, HandshakeRejected>;

// True when the request asks for a WebSocket at all (`Upgrade: websocket`), so a server can
// route it to check_upgrade_request() and everything else to its plain HTTP handler.
bool wants_websocket(const http::Request& request);

// Checks, in this order: GET, HTTP/1.1 or later, Host, `Upgrade: websocket`, `Connection:`
// holding the token "upgrade", Sec-WebSocket-Version 13 (missing → 400, another → 426),
// Sec-WebSocket-Key is base64 of 16 bytes, then Origin against the policy (403). Extensions
// offered by the client are declined silently: we never answer Sec-WebSocket-Extensions.
HandshakeOutcome check_upgrade_request(const http::Request& request,
                                       const HandshakePolicy& policy = {});

// The exact 101 answer: status line, Upgrade, Connection, Sec-WebSocket-Accept, then
// Sec-WebSocket-Protocol when a subprotocol was chosen, then the blank line.
std::string build_accept_response(const HandshakeAccepted& accepted);

// A plain-text refusal: "400 Bad Request: <reason>\n", with `Connection: close` (the caller
// hangs up after sending it); a 426 also carries `Sec-WebSocket-Version: 13` (RFC 6455 §4.4)
// and `Upgrade: websocket`.
std::string build_rejection_response(const HandshakeRejected& rejected);

// ---- Client side ---------------------------------------------------------------------------

// A fresh Sec-WebSocket-Key: base64 of 16 bytes from std::random_device.
std::string random_client_key();

// The GET request that asks for the upgrade. `protocols` (best first) and `origin` are sent
// only when not empty. `host` is the Host header as written: "example.com" or "127.0.0.1:8080".
std::string build_client_request(std::string_view host, std::string_view path, std::string_view key,
                                 std::span<const std::string> protocols = {},
                                 std::string_view origin = {});

// The response head is read whole before it is checked: the client collects bytes until
// find_head_end() finds the blank line, then checks bytes [0, *end). Bytes after it are frames.
// Returns the head's length including the final "\r\n\r\n", or nullopt if it is not complete.
std::optional<std::size_t> find_head_end(std::string_view bytes);

struct ResponseHead {
    int status = 0;       // 101 when the server agreed
    std::string reason;   // "Switching Protocols"
    http::Headers headers;
};

// Parses "HTTP/1.1 101 Switching Protocols\r\nName: value\r\n...\r\n\r\n". Refuses heads
// longer than kWsMaxHandshakeHeadSize, a status line that is not HTTP/1.1, and malformed
// header lines.
[[nodiscard]] Result<ResponseHead> parse_response_head(std::string_view head);

struct HandshakeConfirmed {
    std::optional<std::string> subprotocol;   // the one the server chose from ours, if any
};

// Checks the server's answer to build_client_request(..., key, protocols): status 101,
// `Upgrade: websocket`, `Connection: Upgrade`, Sec-WebSocket-Accept matching our key, no
// extensions (we offered none), and a subprotocol only from our list.
[[nodiscard]] Result<HandshakeConfirmed> check_server_response(
    std::string_view head, std::string_view key, std::span<const std::string> protocols = {});

}   // namespace looplab::ws
