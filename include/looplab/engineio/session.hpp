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

#include "looplab/http/query.hpp"
#include "looplab/http/request.hpp"
#include "looplab/net/address.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
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

enum class TransportKind : std::uint8_t { Polling, WebSocket };   // one byte: in every session
std::string_view to_string(TransportKind kind);                   // "polling", "websocket"

// What the first request of a session looked like (Socket.IO's socket.handshake): its target,
// headers, the peer's address and the time. Every session keeps one for its whole life, and a
// browser sends 0.5-1 KB of headers, so target and headers are packed into ONE string here
// (about half the memory of a vector of string pairs) and read back on demand.
class Handshake {
public:
    Handshake() = default;
    Handshake(std::string_view target, const http::Headers& headers, net::Address address,
              std::int64_t issued_ms);

    std::string_view url() const { return std::string_view{packed_}.substr(0, url_size_); }
    // The first value of header `name` (case-insensitive), if it was sent.
    std::optional<std::string_view> header(std::string_view name) const;
    http::Headers headers() const;     // all of them, in order (a copy)
    http::QueryParams query() const;   // the url's query, decoded, in order (a copy)
    // The first value of `name` in the query, decoded, or empty.
    std::string query_value(std::string_view name) const;
    const net::Address& peer_address() const { return address_; }   // the client's
    // Wall-clock time of the handshake, ms since 1970.
    std::int64_t issued_ms() const { return issued_ms_; }

private:
    // Calls visit(name, value) for each header in order until it returns true.
    template <typename Visit>
    void for_each_header(Visit&& visit) const;

    std::string packed_;   // the target, then "name\nvalue\n" per header (neither holds '\n')
    std::uint32_t url_size_ = 0;
    std::int64_t issued_ms_ = 0;
    net::Address address_;
};

class Session {
public:
    virtual ~Session() = default;

    virtual std::string_view id() const = 0;
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

}   // namespace looplab::engineio
