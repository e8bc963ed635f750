// looplab/ws/web_socket.hpp
//
// WebSocket — one open WebSocket connection after the handshake, for either role. It owns the
// protocol's state: the frame parser, the closing handshake, pings, and how much is waiting to
// be sent. It does not own the TCP connection: it talks to it through a small Transport, so
// the same class runs on a TcpConnection, in a unit test on a string, or anywhere else.
// Teaches: the framer (lesson 17). Run: lessons/17-websocket-framer
//
//     bytes from TCP ──► receive() ──► FrameParser ──► events message / ping / close
//     send_text()    ──► frame header + payload ──► Transport::write() ──► TCP
//
// States:  Open ──close() or peer's Close──► Closing ──both Close frames / TCP gone──► Closed
//
// Events (listen with on(word, listener), once(...), off(id), as on a TcpConnection):
//
//   events::message (const Message&)       a whole message (text or binary) arrived
//   events::ping (std::string_view)        a ping arrived; it is already answered
//   events::pong (std::string_view)        a pong arrived
//   events::frame (const FrameInfo&)       every frame, as parsed (the frame inspector's view)
//   events::high_watermark (std::size_t)   buffered output reached the high watermark
//   events::drain ()                       buffered output is all gone again
//   events::close (const CloseInfo&)       the last event, exactly once
//
//     socket.on(events::message, [&](const ws::Message& message) { socket.send(message); });
//
// Or one WebSocketObserver for all events (set_observer), which a server shares between all
// its clients: 8 bytes per connection and no listener lists. The observer is told which
// socket speaks; tag() is a number the owner keeps on each socket to find its own record (a
// client id).
//
// Memory: an idle WebSocket holds no buffers. The parser keeps a message only while it
// arrives, and a server writes each frame's header and payload in one gathered write, with no
// encoding buffer (a client masks, so it encodes each frame into a short-lived string).
//
// Lifetime: the one rule, include/looplab/README.md: the owner may destroy this WebSocket
// anywhere on the loop thread, inside any of its listeners too; close() twice is harmless.
// Specific to it: the Message or payload a listener was given lives in the socket, so a
// listener that destroys its socket copies what it still needs first. Destroying an open
// socket sends no close frame and reports nothing; its transport decides what the peer sees.
//
// Contract: loop thread only. Callbacks may call send()/close(). the close event comes exactly
// once, last: with the peer's code after a clean closing handshake, with 1006 (never sent) when the
// transport vanished without one, or with the code we sent when the peer broke the protocol.
#pragma once

#include "looplab/events/event_words.hpp"
#include "looplab/events/typed_listeners.hpp"
#include "looplab/loop/event_loop.hpp"
#include "looplab/net/lifetime_flag.hpp"
#include "looplab/ws/close_code.hpp"
#include "looplab/ws/frame_encoder.hpp"
#include "looplab/ws/frame_parser.hpp"

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace looplab::ws {

// How long we wait for the peer's Close after sending ours (or, for a client, for the server
// to close TCP) before closing the transport anyway.
inline constexpr Millis kWsCloseTimeout{5000};

// Above this many bytes waiting to be sent, the high_watermark event fires once (with how many
// wait); drain fires when the backlog is fully written again.
inline constexpr std::size_t kWsDefaultHighWatermark = 1024 * 1024;   // 1 MiB

// The most a slow reader may make us buffer. Past it the SlowConsumerPolicy applies, so one
// slow peer can never make the server's memory grow without bound.
inline constexpr std::size_t kWsDefaultMaxBufferedAmount = 16 * 1024 * 1024;   // 16 MiB

// What to do when a peer reads too slowly and buffered_amount() would pass the limit.
enum class SlowConsumerPolicy {
    Close,           // close with 1008 (policy violation): the default, loud and safe
    CloseTryAgain,   // close with 1013 (try again later): for overload, the client may retry
    Drop,            // drop the message (send returns false); fine for live, lossy feeds
};

// The byte pipe under a WebSocket (a TcpConnection in practice).
class Transport {
public:
    virtual ~Transport() = default;
    // Queues `head` then `body` for sending, in order, without blocking (a frame's header and
    // its payload: written together, so they leave in one packet when they fit).
    virtual void write(std::string_view head, std::string_view body) = 0;
    // Bytes accepted by write() but not yet handed to the kernel.
    virtual std::size_t buffered_amount() const = 0;
    // What is written until the loop's next phase may leave in one system call (TCP's
    // cork_until_next_phase()). A transport that writes at once anyway ignores it.
    virtual void gather_until_next_phase() {}
    // Sends what is buffered, then closes; then calls WebSocket::transport_closed().
    virtual void close_transport() = 0;
    // Closes now and drops what is buffered (a peer that stopped reading, a timeout); then
    // calls WebSocket::transport_closed().
    virtual void abort_transport() = 0;
};

struct WebSocketOptions {
    std::size_t max_message_size = kWsMaxMessageSize;
    std::size_t high_watermark = kWsDefaultHighWatermark;
    std::size_t max_buffered_amount = kWsDefaultMaxBufferedAmount;
    SlowConsumerPolicy slow_consumer = SlowConsumerPolicy::Close;
    // Keep-alive: every ping_interval we send a ping. No pong within pong_timeout means the
    // peer (or the path to it) is gone: the transport is dropped and the close event reports 1006.
    // Zero turns keep-alive off (the default).
    Millis ping_interval{0};
    Millis pong_timeout{10000};
    Millis close_timeout = kWsCloseTimeout;

    bool operator==(const WebSocketOptions&) const = default;
};
inline constexpr WebSocketOptions kDefaultWebSocketOptions{};

// What the close event reports.
struct CloseInfo {
    std::uint16_t code = 1006;   // 1005 when the peer's Close had no code; 1006 if no Close
    std::string reason;
    bool was_clean = false;   // both Close frames were exchanged
};

class WebSocket;

// Every event of a WebSocket as one object (see "Events" above). Override what you need; the
// socket that reports is passed first, so one observer can serve many sockets.
class WebSocketObserver {
public:
    // The message (and every payload below) lives in the parser and is valid only during the
    // call: copy what you keep. The parser reuses that memory for the next message.
    virtual void on_message(WebSocket& /*socket*/, const Message& /*message*/) {}
    // Already answered with a pong.
    virtual void on_ping(WebSocket& /*socket*/, std::string_view /*payload*/) {}
    virtual void on_pong(WebSocket& /*socket*/, std::string_view /*payload*/) {}
    // Exactly once, last: where an owner usually destroys the socket.
    virtual void on_close(WebSocket& /*socket*/, const CloseInfo& /*info*/) {}
    // Frame inspector: every frame, as parsed.
    virtual void on_frame(WebSocket& /*socket*/, const FrameInfo& /*frame*/) {}
    // Runs inside the send() that crossed the high watermark; `buffered` bytes wait.
    virtual void on_high_watermark(WebSocket& /*socket*/, std::size_t /*buffered*/) {}
    virtual void on_drain(WebSocket& /*socket*/) {}

protected:
    WebSocketObserver() = default;
    WebSocketObserver(const WebSocketObserver&) = default;
    WebSocketObserver& operator=(const WebSocketObserver&) = default;
    ~WebSocketObserver() = default;   // not owned through this type
};

class WebSocket final : public events::Listenable<WebSocket>, private FrameSink {
public:
    enum class State : std::uint8_t { Open, Closing, Closed };

    WebSocket(loop::EventLoop& loop, Role role, Transport& transport,
              WebSocketOptions options = {});
    // The same options for many sockets (a server's): they share one copy instead of holding
    // one each. nullptr means the defaults.
    WebSocket(loop::EventLoop& loop, Role role, Transport& transport,
              std::shared_ptr<const WebSocketOptions> options);
    ~WebSocket();
    WebSocket(const WebSocket&) = delete;
    WebSocket& operator=(const WebSocket&) = delete;

    // ---- what happens to us (listen before the first receive()) -------------------------------
    // on(word, listener), once(word, listener), off(id), listener_count(word), from
    // events::Listenable; the words and what they carry are listed at the top of this file.
    using Listeners = events::TypedListeners<events::Event<events::MessageWord, const Message&>,
                                             events::Event<events::PingWord, std::string_view>,
                                             events::Event<events::PongWord, std::string_view>,
                                             events::Event<events::CloseWord, const CloseInfo&>,
                                             events::Event<events::FrameWord, const FrameInfo&>,
                                             events::Event<events::HighWatermarkWord, std::size_t>,
                                             events::Event<events::DrainWord>>;
    // Or one observer for every event, which must outlive this socket's events. set_observer()
    // replaces the listeners (call it before the first event); on() after set_observer() is a
    // bug, reported by an assertion.
    void set_observer(WebSocketObserver& observer);
    // A number of the owner's choosing (0 until set): which record this socket belongs to.
    void set_tag(std::uint64_t tag) { tag_ = tag; }
    std::uint64_t tag() const { return tag_; }

    // ---- the transport tells us ---------------------------------------------------------------
    // Bytes that arrived (any size, cut anywhere).
    void receive(std::string_view bytes);
    // The transport wrote its backlog; call when buffered_amount() dropped.
    void transport_drained();
    // The transport is gone (EOF, reset, or closed by us). Reports 1006 if not clean.
    void transport_closed();

    // ---- we act ---------------------------------------------------------------------------
    // False when the message was not queued: not Open, or dropped by the slow-consumer policy.
    bool send_text(std::string_view text);
    bool send_binary(std::string_view bytes);
    bool send(const Message& message);
    // Sends one message as `fragments` frames (a first frame with FIN=0, continuations, the
    // last with FIN=1): what a sender does when it streams a message it cannot hold whole.
    bool send_fragmented(const Message& message, std::size_t fragments);
    // Sends a ping (payload <= 125 bytes).
    void ping(std::string_view payload = {});
    // Starts the closing handshake. Code must be sendable (1000, 1001, 3000-4999, ...).
    void close(CloseCode code = CloseCode::Normal, std::string_view reason = {});

    State state() const { return state_; }
    Role role() const { return role_; }
    std::size_t buffered_amount() const { return transport_.buffered_amount(); }
    std::size_t high_watermark() const { return options().high_watermark; }
    // The frames sent from now until the loop's next phase leave together, in one write: for
    // a server that sends to many sockets per turn (a broadcast), one system call per socket
    // and turn instead of one per frame.
    void gather_until_next_phase() { transport_.gather_until_next_phase(); }

private:
    struct ListenersObserver;
    friend class events::Listenable<WebSocket>;
    Listeners& listeners();
    Listeners* existing_listeners();
    void retire_listeners();

    // FrameSink: what the parser finds.
    void on_message(const Message& message) override;
    void on_ping(std::string_view payload) override;
    void on_pong(std::string_view payload) override;
    void on_close(const Close& close) override;
    void on_frame(const FrameInfo& frame) override;

    bool send_data(Opcode opcode, std::string_view payload);
    bool admits(std::size_t bytes);
    void send_frame(Opcode opcode, std::string_view payload, bool fin = true);
    void fail(FrameError error);
    void send_close_frame(std::optional<CloseCode> code, std::string_view reason);
    void set_pending_close(std::uint16_t code, std::string reason, bool was_clean);
    void finish(CloseInfo info);
    void close_transport_once();
    void abort_transport_once(std::uint16_t code, std::string reason);
    void cancel_timers();
    void start_keep_alive();
    void check_backpressure();
    void close_slow_consumer(CloseCode code);

    loop::EventLoop& loop_;
    Transport& transport_;
    WebSocketObserver* observer_ = nullptr;          // listeners_, or set_observer()'s
    std::unique_ptr<ListenersObserver> listeners_;   // made by the first on() or once()
    std::unique_ptr<CloseInfo> pending_close_;   // what the close event will say once TCP is gone
    // A client's (a server never masks): a pointer, so a server's socket holds 8 bytes for it.
    std::unique_ptr<RandomMaskingKeys> masking_keys_;
    std::uint64_t tag_ = 0;
    loop::TimerId close_timer_ = 0;   // 0: none
    loop::TimerId ping_timer_ = 0;
    loop::TimerId pong_deadline_ = 0;
    // Shared, not copied (a server's sockets all have the same), and null for the defaults:
    // 16 bytes in every socket instead of 56. Read through options().
    std::shared_ptr<const WebSocketOptions> shared_options_;
    const WebSocketOptions& options() const {
        return shared_options_ ? *shared_options_ : kDefaultWebSocketOptions;
    }
    FrameParser parser_;
    Role role_;
    State state_ = State::Open;
    bool sent_close_ = false;
    bool transport_closing_ = false;
    bool above_high_watermark_ = false;
    net::LifetimeFlag lifetime_;   // a listener may destroy us: see "Lifetime" above
};

}   // namespace looplab::ws
