// looplab/ws/web_socket.hpp
//
// WebSocket — one open WebSocket connection after the handshake, for either role. It owns the
// protocol's state: the frame parser, the closing handshake, pings, and how much is waiting to
// be sent. It does not own the TCP connection: it talks to it through a small Transport, so
// the same class runs on a TcpConnection, in a unit test on a string, or anywhere else.
// Teaches: the framer (lesson 17). Run: lessons/17-websocket-framer
//
//     bytes from TCP ──► receive() ──► FrameParser ──► on_message / on_ping / on_close
//     send_text()    ──► FrameEncoder ──► Transport::write() ──► TCP
//
// States:  Open ──close() or peer's Close──► Closing ──both Close frames / TCP gone──► Closed
//
// Contract: loop thread only. Callbacks may call send()/close(), and may destroy the owner of
// this WebSocket only by deferring it (EventLoop::post_close), never from inside a callback.
// on_close runs exactly once, last: with the peer's code after a clean closing handshake,
// with 1006 (never sent) when the transport vanished without one, or with the code we sent
// when the peer broke the protocol.
#pragma once

#include "looplab/loop/event_loop.hpp"
#include "looplab/ws/close_code.hpp"
#include "looplab/ws/frame_encoder.hpp"
#include "looplab/ws/frame_parser.hpp"

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace looplab::ws {

// How long we wait for the peer's Close after sending ours (or, for a client, for the server
// to close TCP) before closing the transport anyway.
inline constexpr Millis kCloseTimeout{5000};

// Above this many bytes waiting to be sent, on_high_watermark is called once; on_drain is
// called when the backlog is fully written again.
inline constexpr std::size_t kDefaultHighWatermark = 1024 * 1024;   // 1 MiB

// The most a slow reader may make us buffer. Past it the SlowConsumerPolicy applies, so one
// slow peer can never make the server's memory grow without bound.
inline constexpr std::size_t kDefaultMaxBufferedAmount = 16 * 1024 * 1024;   // 16 MiB

// The frame-encoding buffer is kept between sends up to this size, and freed above it.
inline constexpr std::size_t kKeptEncodeBuffer = 4 * 1024;

// What to do when a peer reads too slowly and buffered_amount() would pass the limit.
enum class SlowConsumerPolicy {
    Close,          // close with 1008 (policy violation): the default, loud and safe
    CloseTryAgain,  // close with 1013 (try again later): for overload, the client may retry
    Drop,           // drop the message (send returns false); fine for live, lossy feeds
};

// The byte pipe under a WebSocket (a TcpConnection in practice).
class Transport {
public:
    virtual ~Transport() = default;
    // Queues bytes for sending, in order, without blocking.
    virtual void write(std::string_view bytes) = 0;
    // Bytes accepted by write() but not yet handed to the kernel.
    virtual std::size_t buffered_amount() const = 0;
    // Sends what is buffered, then closes; then calls WebSocket::transport_closed().
    virtual void close_transport() = 0;
    // Closes now and drops what is buffered (a peer that stopped reading, a timeout); then
    // calls WebSocket::transport_closed().
    virtual void abort_transport() = 0;
};

struct WebSocketOptions {
    std::size_t max_message_size = kMaxMessageSize;
    std::size_t high_watermark = kDefaultHighWatermark;
    std::size_t max_buffered_amount = kDefaultMaxBufferedAmount;
    SlowConsumerPolicy slow_consumer = SlowConsumerPolicy::Close;
    // Keep-alive: every ping_interval we send a ping. No pong within pong_timeout means the
    // peer (or the path to it) is gone: the transport is dropped and on_close reports 1006.
    // Zero turns keep-alive off (the default).
    Millis ping_interval{0};
    Millis pong_timeout{10000};
    Millis close_timeout = kCloseTimeout;
};

// What on_close reports.
struct CloseInfo {
    std::uint16_t code = 1006;   // 1005 when the peer's Close had no code; 1006 if no Close
    std::string reason;
    bool was_clean = false;      // both Close frames were exchanged
};

class WebSocket {
public:
    enum class State { Open, Closing, Closed };

    WebSocket(loop::EventLoop& loop, Role role, Transport& transport,
              WebSocketOptions options = {});
    ~WebSocket();
    WebSocket(const WebSocket&) = delete;
    WebSocket& operator=(const WebSocket&) = delete;

    // ---- what happens to us (set these before the first receive()) --------------------------
    std::function<void(const Message&)> on_message;
    std::function<void(std::string_view payload)> on_ping;   // already answered with a pong
    std::function<void(std::string_view payload)> on_pong;
    std::function<void(const CloseInfo&)> on_close;
    std::function<void(const FrameInfo&)> on_frame;          // frame inspector: every frame
    std::function<void()> on_high_watermark;
    std::function<void()> on_drain;

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

private:
    bool send_data(Opcode opcode, std::string_view payload);
    void handle(Event& event);
    void handle_close(const Close& close);
    void fail(FrameError error);
    void send_close_frame(std::optional<CloseCode> code, std::string_view reason);
    void finish(CloseInfo info);
    void close_transport_once();
    void abort_transport_once(std::uint16_t code, std::string reason);
    void cancel_timers();
    void start_keep_alive();
    void check_backpressure();
    void write_out();
    void close_slow_consumer(CloseCode code);

    loop::EventLoop& loop_;
    Role role_;
    Transport& transport_;
    WebSocketOptions options_;
    FrameParser parser_;
    FrameEncoder encoder_;
    std::vector<Event> events_;
    std::string out_;                        // reused for every frame we encode
    State state_ = State::Open;
    bool sent_close_ = false;
    bool transport_closing_ = false;
    bool above_high_watermark_ = false;
    std::optional<CloseInfo> pending_close_; // what on_close will say once TCP is gone
    std::optional<loop::TimerId> close_timer_;
    std::optional<loop::TimerId> ping_timer_;
    std::optional<loop::TimerId> pong_deadline_;
};

}  // namespace looplab::ws
