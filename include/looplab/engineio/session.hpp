// looplab/engineio/session.hpp
//
// engineio::Session — one Engine.IO connection: an id (the sid), the transport it currently
// uses (polling or websocket, and the upgrade between them), its heartbeat, and an ordered
// queue of packets waiting to be sent. Made by engineio::Server; the application sees it in
// ServerListener's on_open / on_message / on_close.
//
// Sending never blocks and never reorders: a message sent while a polling GET is not there
// waits in the session's queue; one sent during an upgrade goes out on whichever transport
// the peer reads next, once. is_writable() says whether the transport can take a packet now
// without queueing (Socket.IO's `volatile` emits drop the packet when it cannot).
//
// Contract: loop thread only. close() may be called from any listener; on_close then runs
// later (never inside close()), exactly once.
#pragma once

#include "looplab/http/request.hpp"
#include "looplab/net/address.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace looplab::engineio {

// Why a session ended: the five reasons Engine.IO reports to Socket.IO (PROTOCOLS.md §1.8).
enum class CloseReason {
    TransportError,   // "transport error": a broken request, an oversize payload, a bad frame
    TransportClose,   // "transport close": the peer sent close (1) or its connection ended
    ForcedClose,      // "forced close": our side called close()
    PingTimeout,      // "ping timeout": no pong within pingTimeout
    ParseError,       // "parse error": a packet that does not decode
};
std::string_view to_string(CloseReason reason);   // the protocol's words, as above

enum class TransportKind { Polling, WebSocket };
std::string_view to_string(TransportKind kind);   // "polling", "websocket"

// What the first request of a session looked like (Socket.IO's socket.handshake).
struct Handshake {
    http::Headers headers;
    std::vector<std::pair<std::string, std::string>> query;   // decoded, in order
    std::string url;                 // the request target
    net::Address address;            // the peer's address
    std::int64_t issued_ms = 0;      // wall-clock time of the handshake, ms since 1970
    // The first value of `name` in the query, or empty.
    std::string_view query_value(std::string_view name) const;
};

class Session {
public:
    virtual ~Session() = default;

    virtual const std::string& id() const = 0;
    virtual const Handshake& handshake() const = 0;
    virtual TransportKind transport() const = 0;

    // Queue one message packet (type 4) for the peer. Ignored once the session is closing.
    virtual void send_text(std::string_view text) = 0;
    virtual void send_binary(std::string_view bytes) = 0;
    // True when a packet sent now would leave at once (no polling GET missing, no upgrade in
    // progress, the WebSocket's backlog below its watermark).
    virtual bool is_writable() const = 0;

    // Sends close (1) where the transport allows, then ends the session (ForcedClose).
    virtual void close() = 0;
    virtual bool is_open() const = 0;

    // A number of the owner's choosing (0 until set): which record this session belongs to.
    void set_tag(std::uint64_t tag) { tag_ = tag; }
    std::uint64_t tag() const { return tag_; }

protected:
    Session() = default;

private:
    std::uint64_t tag_ = 0;
};

}  // namespace looplab::engineio
