// looplab/net/tcp_connection.hpp
//
// TcpConnection — one end of a TCP connection on the loop: incoming bytes become events,
// outgoing bytes never block the loop.
// Teaches: connections (lessons 11–13): a byte stream, backpressure, half-close, and the
// difference between a peer that said goodbye (EOF) and one that vanished (reset).
// Run: lessons/13-server-and-client   Read: notes/13-server-and-client.md
//
// Events, in the order they can happen (listen with on(word, listener), once(...), off(id):
// the words of notes 04-05; each word is checked against what it carries when it compiles):
//
//   events::data (ByteBuffer&)         bytes arrived. Consume what you can use; the rest stays
//                                      in the buffer and the next bytes are added after it.
//                                      (With no data listener, bytes are read and thrown away.)
//   events::high_watermark (size_t n)  pending output reached the high watermark (n bytes
//                                      wait): stop producing. Runs inside the send() that
//                                      crossed the mark.
//   events::drain ()                   after high_watermark: pending output fell back to the
//                                      low watermark, so produce again.
//   events::end ()                     the peer will send nothing more (it closed or shut down
//                                      its side: EOF). Unless set_allow_half_open(true), the
//                                      connection then closes itself gracefully, sending what
//                                      is pending first.
//   events::error (const Error&)       the connection failed, e.g. "read 127.0.0.1:5000:
//                                      Connection reset by peer" (code ECONNRESET). close
//                                      follows.
//   events::close ()                   the socket is closed. Exactly once, always the last.
//
//     connection->on(events::data, [&](ByteBuffer& input) { ... input.consume(n); });
//     connection->on(events::close, [&] { connections.erase(id); });
//
// Any number of listeners per event, called in the order they were added. Or, instead, one
// TcpObserver object hears every event (set_observer): what a server holding 10,000
// connections wants, as the connection then keeps one pointer and no listener lists, and one
// observer may serve every connection (the Observer Pattern of note 03). A connection uses one
// way or the other: set_observer() replaces the listeners (a WebSocket taking over from the
// HTTP server does that), while on() on a connection that has an observer is a bug, reported
// by an assertion.
//
// error and close are emitted in the loop's close phase (phase 4, like Node's 'close'),
// never inside the call that ended the connection, so the caller may go on using the object
// until its own callback returns.
//
// The write path: send() writes straight to the socket when nothing is pending (no copy); only
// what the kernel does not take is copied into the output buffer, and the loop watches for
// "writable" only while something is pending. When output is pending, send() hands the kernel
// both pieces in one sendmsg() (writev with MSG_NOSIGNAL), so order is kept without a copy.
// One exception, the cork: what the data event sends back to its own connection (the replies to the
// requests that just arrived) is gathered, up to kTcpMaxCorkedBytes, and written in one system
// call when the data event returns. Sixteen pipelined requests then cost one send(), not sixteen.
// The same gathering can be asked for outside the data event (Node's socket.cork()/uncork()): a
// server that sends one event to 10,000 connections four times in one turn then makes 10,000
// system calls instead of 40,000 (see cork() below).
// Nothing is ever lost silently: bytes that send() accepted are written, or the error event says
// why.
//
// Three ways to end:
//   shutdown_write()   "I am done sending": FIN after the pending output; reading goes on.
//   close()            graceful: stop reading for the user, send what is pending, FIN, then
//                      wait (at most kTcpCloseTimeout) for the peer's FIN before closing the fd.
//                      Closing while unread input sits in the kernel would send a reset that
//                      can destroy the reply the peer has not read yet; waiting avoids it.
//   abort()            at once, with a reset (SO_LINGER 0): pending output is dropped.
//
// The life of a connection, state() — these arrows are the only ways it changes:
//
//             shutdown_write()                  last pending byte out: FIN
//     Open ──────────────────► ShuttingWrite ────────────────────────────► WriteShut
//       │                           │                                          │
//       │ close()                   │ close()                                  │ close()
//       ▼                           ▼                                          ▼
//     Closing ◄─────────────────────┘                              WaitingForPeerFin
//       └──────────────── last pending byte out: FIN ─────────────────────────▲
//
//     every state ──► Closed: abort(), a failure, kTcpCloseTimeout, or the peer's FIN once ours
//                     is out (WriteShut, WaitingForPeerFin). Closed is the end: the fd is gone.
//
// send() works in Open only. In Closing and WaitingForPeerFin input is read and discarded,
// only to find the peer's FIN. With nothing pending, the "last byte out" arrow is taken at
// once. The peer's FIN (has_peer_ended()) is the other direction of the stream, not a state:
// it can come in any state, and unless half-open is allowed, it leads to close().
// start() is not a state either: it only says when the loop begins to watch, and any state
// may be reached before it (send() writes at once, close() records the wish).
//
// Lifetime: the one rule, include/looplab/README.md (destroy it anywhere, also inside its own
// listeners; close twice is harmless; nothing fires after destruction). The user owns each
// connection (a std::unique_ptr, e.g. in a server's map keyed by id). Destroying an open
// connection closes the socket at once with no more events; for a clean ending call close()
// and destroy the connection in its close listener. The ByteBuffer given to a data listener lives
// in the connection: copy what you need before destroying it there. Destroy connections before
// their EventLoop.
//
// Contract: loop thread only. close(), abort() and shutdown_write() never call a listener
// from inside themselves.
#pragma once

#include "looplab/core/clock.hpp"
#include "looplab/core/result.hpp"
#include "looplab/core/unique_fd.hpp"
#include "looplab/events/event_words.hpp"
#include "looplab/events/typed_listeners.hpp"
#include "looplab/loop/event_loop.hpp"
#include "looplab/net/address.hpp"
#include "looplab/net/byte_buffer.hpp"
#include "looplab/net/lifetime_flag.hpp"
#include "looplab/net/tcp_output.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

namespace looplab::net {

// Reads go into a 64 KiB array on the stack, which the input buffer borrows while the data event
// runs; only bytes the data event leaves unread are copied to the heap. When unread bytes already
// wait there, the read is a readv() into the free space after them (at least this much) and
// the stack array.
inline constexpr std::size_t kTcpMinReadSpace = 4 * 1024;
// Most unread input we keep for a data listener that does not consume it. Beyond it the
// connection fails (ENOBUFS) rather than let a peer fill our memory.
inline constexpr std::size_t kTcpMaxUnreadInput = 64 * 1024 * 1024;
// (kTcpIdleBufferCapacity, the default watermarks and kTcpMaxCorkedBytes belong to the output side:
// see tcp_output.hpp.)
// How long close() waits for pending output to go out and for the peer's FIN. After that the
// fd is closed anyway; if output was still pending, the error event reports it (ETIMEDOUT).
inline constexpr Millis kTcpCloseTimeout{10'000};

class TcpConnection;

// Every event of a TcpConnection as one object (see "Events" above). Override what you need;
// the connection that reports is passed first, so one observer can serve many.
class TcpObserver {
public:
    virtual void on_data(TcpConnection& connection, ByteBuffer& input);   // default: discard
    virtual void on_end(TcpConnection& /*connection*/) {}
    virtual void on_error(TcpConnection& /*connection*/, const Error& /*error*/) {}
    virtual void on_close(TcpConnection& /*connection*/) {}
    virtual void on_high_watermark(TcpConnection& /*connection*/, std::size_t /*pending*/) {}
    virtual void on_drain(TcpConnection& /*connection*/) {}

protected:
    TcpObserver() = default;
    TcpObserver(const TcpObserver&) = default;
    TcpObserver& operator=(const TcpObserver&) = default;
    ~TcpObserver() = default;   // not owned through this type
};

class TcpConnection final : public events::Listenable<TcpConnection> {
public:
    // The life cycle drawn in the comment at the top of this file.
    enum class State : std::uint8_t {
        Open,                // both directions carry bytes
        ShuttingWrite,       // shutdown_write(): the pending output goes out, then our FIN
        WriteShut,           // our FIN is sent; reading goes on
        Closing,             // close(): the pending output goes out, then our FIN
        WaitingForPeerFin,   // close(), FIN sent: waits (kTcpCloseTimeout) for the peer's FIN
        Closed,              // the fd is closed; the error and close events follow in phase 4
    };

    // Takes a connected, non-blocking socket (from TcpListener or TcpConnector). Nothing is
    // read or reported before start().
    TcpConnection(loop::EventLoop& loop, UniqueFd connected_socket);
    ~TcpConnection();
    TcpConnection(const TcpConnection&) = delete;
    TcpConnection& operator=(const TcpConnection&) = delete;

    // ---- listeners: add them, then start() ----------------------------------------------------
    // on(word, listener), once(word, listener), off(id) and listener_count(word), from
    // events::Listenable; the words and what they carry are listed at the top of this file.
    using Listeners = events::TypedListeners<
        events::Event<events::DataWord, ByteBuffer&>, events::Event<events::EndWord>,
        events::Event<events::ErrorWord, const Error&>, events::Event<events::CloseWord>,
        events::Event<events::HighWatermarkWord, std::size_t>, events::Event<events::DrainWord>>;
    // Or every event to one object, which must outlive this connection's events.
    void set_observer(TcpObserver& observer);

    // Starts watching the socket. Call once. `site` (your line, filled in for you) is where the
    // live view (--watch) says this connection's events come from.
    [[nodiscard]] Status start(SourceSite site = SourceSite::here());

    // ---- writing -----------------------------------------------------------------------------
    // Never blocks. Returns false when the connection no longer sends (after close(),
    // shutdown_write() or a failure): those bytes are dropped.
    bool send(std::span<const std::uint8_t> bytes);
    bool send(std::string_view text);
    // Two pieces, in order, in one system call: a header and the payload it announces go out
    // together without first being copied into one buffer.
    bool send(std::span<const std::uint8_t> first, std::span<const std::uint8_t> second) {
        // Inline, the cork's case: a reply sent from inside the data event, or anything sent while
        // corked, is only appended.
        if (output_.can_gather(first.size() + second.size()) && is_sending()) {
            output_.gather(first, second);
            return true;
        }
        return send_now(first, second);
    }
    bool send(std::string_view first, std::string_view second);
    std::size_t pending_output() const { return output_.size(); }
    // Gathering (Node's socket.cork() and uncork()): between cork() and uncork(), send() only
    // appends to the output buffer (up to kTcpMaxCorkedBytes; a send that would pass it writes
    // everything at once); uncork() hands it all to the kernel in one system call. Corks nest:
    // the last uncork() writes. What is gathered is sent by close(), dropped by abort() or by
    // destroying the connection, like any pending output.
    void cork() { output_.cork(); }
    void uncork();
    // cork() now and uncork() in the loop's next "next" phase (Node's idiom: socket.cork()
    // then process.nextTick(() => socket.uncork())): everything sent to this connection
    // during this loop turn leaves in one write. Calling it again in the same turn does
    // nothing more.
    void cork_until_next_phase();
    bool is_gathering() const { return output_.is_gathering(); }
    // the high_watermark event fires when pending output reaches `high`; drain when it falls back
    // to `low` (low <= high).
    void set_watermarks(std::size_t low, std::size_t high) { output_.set_watermarks(low, high); }

    // ---- reading -----------------------------------------------------------------------------
    // Backpressure from the other side: while paused, the kernel buffers fill and TCP tells
    // the peer to slow down. Bytes already in the input buffer stay there.
    void pause_reading();
    void resume_reading();
    // With true, the end event leaves our side open (we may still send); default false.
    void set_allow_half_open(bool allow) { allow_half_open_ = allow; }

    // ---- ending ------------------------------------------------------------------------------
    void shutdown_write();
    void close();
    void abort();

    // ---- options and facts -------------------------------------------------------------------
    // TCP_NODELAY: send small writes at once instead of waiting to batch them (Nagle).
    [[nodiscard]] Status set_no_delay(bool no_delay);
    const Address& local_address() const { return local_; }
    const Address& peer_address() const { return peer_; }
    State state() const { return state_; }
    bool is_closed() const { return state_ == State::Closed; }
    // close() was called: the connection is closing, or has closed since.
    bool is_closing() const { return is_closing_now() || (is_closed() && was_close_called_); }
    bool has_peer_ended() const { return peer_ended_; }
    int fd() const { return fd_.get(); }
    loop::EventLoop& loop() const { return loop_; }
    // What the kernel took and gave so far (the live view shows them).
    std::uint64_t bytes_received() const { return bytes_in_; }
    std::uint64_t bytes_sent() const { return output_.bytes_sent(); }

private:
    // The listeners, as the observer of this connection. Made by the first on() or once().
    struct ListenersObserver final : TcpObserver {
        Listeners listeners;

        void on_data(TcpConnection& connection, ByteBuffer& input) override;
        void on_end(TcpConnection&) override;
        void on_error(TcpConnection&, const Error& failure) override;
        void on_close(TcpConnection&) override;
        void on_high_watermark(TcpConnection&, std::size_t pending) override;
        void on_drain(TcpConnection&) override;
    };
    friend class events::Listenable<TcpConnection>;
    Listeners& listeners();
    Listeners* existing_listeners() { return listeners_ ? &listeners_->listeners : nullptr; }
    void retire_listeners();

    // ---- the life cycle: which arrow of the diagram a state is on ----
    bool is_sending() const { return state_ == State::Open; }
    bool is_fin_pending() const {
        return state_ == State::ShuttingWrite || state_ == State::Closing;
    }
    bool has_sent_fin() const {
        return state_ == State::WriteShut || state_ == State::WaitingForPeerFin;
    }
    bool is_closing_now() const {   // input is read only to find the peer's FIN
        return state_ == State::Closing || state_ == State::WaitingForPeerFin;
    }
    void enter(State next);   // every change of state_ goes through here
    void send_fin_once_output_is_out();
    void send_fin();
    void finish(std::optional<Error> error);

    // ---- the event handler and reading ----
    void handle_ready(const loop::Ready& ready);
    void read_once(LifetimeFlag::Scope& alive);
    void deliver(LifetimeFlag::Scope& alive);
    void on_peer_end(LifetimeFlag::Scope& alive);
    void notice_hangup(const loop::Ready& ready);
    void on_close_timeout();
    void emit_close_events();

    // ---- writing ----
    bool send_now(std::span<const std::uint8_t> first, std::span<const std::uint8_t> second);
    void flush(LifetimeFlag::Scope& alive);
    void fail_send(const TcpOutput::Written& written);

    bool wants_read() const { return !peer_ended_ && (is_closing_now() || !is_paused_); }
    loop::Interest interest() const { return {wants_read(), !output_.empty()}; }
    void update_interest();
    Status watch();
    // The live view's picture of this connection (EventLoop::describe_socket).
    static void describe(const void* connection, trace::SocketView& view);

    // Touched for every message: kept together, so a busy connection costs few cache lines.
    loop::EventLoop& loop_;
    UniqueFd fd_;
    State state_ = State::Open;
    // Beside the life cycle, and independent of it:
    bool is_started_ = false;
    bool is_watched_ =
        false;   // false before start(), after Closed, or resting (see notice_hangup)
    bool is_paused_ = false;
    bool peer_ended_ = false;   // the other direction: the peer's FIN arrived
    bool allow_half_open_ = false;
    bool was_close_called_ = false;   // for is_closing() once Closed
    std::uint64_t bytes_in_ = 0;      // read from the kernel
    ByteBuffer input_;
    TcpOutput output_;
    LifetimeFlag lifetime_;
    TcpObserver* observer_ = nullptr;   // listeners_, or the one given to set_observer()
    // Needed only at the start and the end.
    std::unique_ptr<ListenersObserver> listeners_;
    std::unique_ptr<Error> error_;   // reported by the error event just before close
    // The socket error an event brought (Ready::socket_error, kqueue only). Kept because the
    // socket may no longer hold it (libkqueue takes it), so read() and send() cannot tell.
    int error_from_event_ = 0;
    loop::TimerId close_timer_ = 0;   // close() gives up at kTcpCloseTimeout
    Address local_;
    Address peer_;
    SourceSite start_site_;   // start()'s caller, for the tracer
};

}   // namespace looplab::net
