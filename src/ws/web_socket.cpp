#include "looplab/ws/web_socket.hpp"

#include "looplab/core/assert.hpp"
#include "looplab/trace/call_stack.hpp"

#include <utility>

namespace looplab::ws {

// The listeners, as the observer of this socket. Made by the first on() or once().
struct WebSocket::ListenersObserver final : WebSocketObserver {
    Listeners listeners;

    void on_message(WebSocket&, const Message& message) override {
        listeners.emit(events::message, message);
    }
    void on_ping(WebSocket&, std::string_view payload) override {
        listeners.emit(events::ping, payload);
    }
    void on_pong(WebSocket&, std::string_view payload) override {
        listeners.emit(events::pong, payload);
    }
    void on_close(WebSocket&, const CloseInfo& info) override {
        listeners.emit(events::close, info);
    }
    void on_frame(WebSocket&, const FrameInfo& frame) override {
        listeners.emit(events::frame, frame);
    }
    void on_high_watermark(WebSocket&, std::size_t buffered) override {
        listeners.emit(events::high_watermark, buffered);
    }
    void on_drain(WebSocket&) override { listeners.emit(events::drain); }
};

WebSocket::WebSocket(loop::EventLoop& loop, Role role, Transport& transport,
                     WebSocketOptions options)
    : WebSocket(loop, role, transport,
                options == kDefaultWebSocketOptions
                    ? nullptr
                    : std::make_shared<const WebSocketOptions>(options)) {}

WebSocket::WebSocket(loop::EventLoop& loop, Role role, Transport& transport,
                     std::shared_ptr<const WebSocketOptions> options)
    : loop_(loop),
      transport_(transport),
      shared_options_(std::move(options)),
      parser_(role, this->options().max_message_size),
      role_(role) {
    if (role_ == Role::Client) masking_keys_ = std::make_unique<RandomMaskingKeys>();
    if (this->options().ping_interval.count() > 0) start_keep_alive();
}

WebSocket::~WebSocket() {
    cancel_timers();
    // Destroyed inside one of our listeners: that one is still running.
    retire_listeners();
}

void WebSocket::cancel_timers() {
    for (loop::TimerId* timer : {&close_timer_, &ping_timer_, &pong_deadline_}) {
        loop_.cancel_timer(*timer);
        *timer = 0;
    }
}

// ---- listeners -----------------------------------------------------------------------------

WebSocket::Listeners& WebSocket::listeners() {
    if (!listeners_) {
        LOOPLAB_ASSERT(observer_ == nullptr,
                       "on() on a WebSocket whose events go to a set_observer() observer");
        listeners_ = std::make_unique<ListenersObserver>();
        observer_ = listeners_.get();
    }
    return listeners_->listeners;
}

WebSocket::Listeners* WebSocket::existing_listeners() {
    return listeners_ ? &listeners_->listeners : nullptr;
}

// Silences the listeners and frees them, but never under a running one (LifetimeFlag::retire).
void WebSocket::retire_listeners() {
    if (listeners_) listeners_->listeners.silence();
    lifetime_.retire(loop_, std::move(listeners_));
}

void WebSocket::set_observer(WebSocketObserver& observer) {
    retire_listeners();
    observer_ = &observer;
}

// ---- bytes in ----------------------------------------------------------------------------------

void WebSocket::receive(std::string_view bytes) {
    if (state_ == State::Closed) return;
    LOOPLAB_TRACE_SCOPE("WebSocket::receive", "{} bytes", bytes.size());
    // Every listener call below comes from inside this feed(): this scope tells the parser,
    // and us, when one of them destroyed this socket.
    net::LifetimeFlag::Scope alive{lifetime_};
    // Events that come before an error are valid: the parser hands them over first.
    const std::optional<FrameError> error = parser_.feed(bytes, *this, alive);
    if (alive.was_destroyed()) return;
    if (error && state_ != State::Closed) fail(*error);
}

void WebSocket::on_frame(const FrameInfo& frame) {
    if (observer_ && state_ != State::Closed) observer_->on_frame(*this, frame);
}

void WebSocket::on_message(const Message& message) {
    if (observer_ && state_ != State::Closed) observer_->on_message(*this, message);
}

void WebSocket::on_ping(std::string_view payload) {
    if (state_ == State::Closed) return;
    // Answer at once, even between the fragments of a message (RFC 6455 §5.5.2).
    if (!sent_close_) send_frame(Opcode::Pong, payload);
    if (observer_) observer_->on_ping(*this, payload);
}

void WebSocket::on_pong(std::string_view payload) {
    if (state_ == State::Closed) return;
    loop_.cancel_timer(pong_deadline_);
    pong_deadline_ = 0;
    if (observer_) observer_->on_pong(*this, payload);
}

void WebSocket::on_close(const Close& close) {
    if (state_ == State::Closed) return;
    const std::uint16_t code = close.code ? static_cast<std::uint16_t>(*close.code) : 1005;
    // Echo the peer's code (an empty close is answered with an empty close).
    if (!sent_close_) send_close_frame(close.code, close.reason);
    state_ = State::Closing;
    set_pending_close(code, close.reason, true);
    if (role_ == Role::Server) {
        close_transport_once();   // RFC 6455 §7.1.1: the server closes TCP first
    } else if (close_timer_ == 0) {
        // A client waits for the server to hang up, but not forever.
        close_timer_ = loop_.set_timeout(options().close_timeout, [this] {
            close_timer_ = 0;
            close_transport_once();
        });
    }
}

void WebSocket::fail(FrameError error) {
    // "Fail the WebSocket connection" (RFC 6455 §7.1.7): say why in a close frame, then
    // close TCP without waiting for an answer.
    const CloseCode code = close_code_for(error);
    const std::string reason{describe(error)};
    if (!sent_close_) send_close_frame(code, reason.substr(0, kWsMaxCloseReason));
    state_ = State::Closing;
    set_pending_close(static_cast<std::uint16_t>(code), reason, false);
    close_transport_once();
}

void WebSocket::set_pending_close(std::uint16_t code, std::string reason, bool was_clean) {
    pending_close_ = std::make_unique<CloseInfo>(CloseInfo{code, std::move(reason), was_clean});
}

void WebSocket::transport_drained() {
    if (above_high_watermark_ && transport_.buffered_amount() == 0) {
        above_high_watermark_ = false;
        net::LifetimeFlag::Scope alive{lifetime_};
        if (observer_ && state_ != State::Closed)
            observer_->on_drain(*this);   // last: may destroy us
    }
}

void WebSocket::transport_closed() {
    finish(pending_close_ ? std::move(*pending_close_)
                          : CloseInfo{1006, "the connection dropped without a close frame", false});
}

void WebSocket::finish(CloseInfo info) {
    if (state_ == State::Closed) return;
    state_ = State::Closed;
    cancel_timers();
    // Nothing is reported after close, so its listeners are let go here; the owner
    // usually destroys us inside its close listener, and the destructor keeps them until it
    // returns.
    WebSocketObserver* const observer = std::exchange(observer_, nullptr);
    net::LifetimeFlag::Scope alive{lifetime_};
    if (observer) observer->on_close(*this, info);
    if (alive.was_destroyed()) return;
    retire_listeners();
}

// ---- bytes out ---------------------------------------------------------------------------------

bool WebSocket::send_text(std::string_view text) { return send_data(Opcode::Text, text); }
bool WebSocket::send_binary(std::string_view bytes) { return send_data(Opcode::Binary, bytes); }

bool WebSocket::send(const Message& message) {
    return send_data(message.kind == MessageKind::Text ? Opcode::Text : Opcode::Binary,
                     message.payload);
}

bool WebSocket::send_fragmented(const Message& message, std::size_t fragments) {
    if (state_ != State::Open || sent_close_) return false;
    if (fragments < 2 || message.payload.size() < 2) return send(message);
    const std::string_view payload = message.payload;
    const std::size_t piece = (payload.size() + fragments - 1) / fragments;
    // The same limit as one frame: the headers of every fragment, and the payload.
    const std::size_t frames = (payload.size() + piece - 1) / piece;
    if (!admits(frames * frame_header_size(piece, role_ == Role::Client) + payload.size()))
        return false;
    for (std::size_t offset = 0; offset < payload.size(); offset += piece) {
        const bool is_first = offset == 0;
        const bool is_last = offset + piece >= payload.size();
        const Opcode opcode = !is_first                           ? Opcode::Continuation
                              : message.kind == MessageKind::Text ? Opcode::Text
                                                                  : Opcode::Binary;
        send_frame(opcode, payload.substr(offset, piece), is_last);
    }
    check_backpressure();
    return true;
}

bool WebSocket::send_data(Opcode opcode, std::string_view payload) {
    if (state_ != State::Open || sent_close_) return false;
    if (!admits(frame_header_size(payload.size(), role_ == Role::Client) + payload.size()))
        return false;
    send_frame(opcode, payload);
    check_backpressure();
    return true;
}

// Whether `bytes` more may join the backlog; if not, the slow-consumer policy acts.
bool WebSocket::admits(std::size_t bytes) {
    if (transport_.buffered_amount() + bytes <= options().max_buffered_amount) return true;
    switch (options().slow_consumer) {
        case SlowConsumerPolicy::Drop: break;
        case SlowConsumerPolicy::Close: close_slow_consumer(CloseCode::PolicyViolation); break;
        case SlowConsumerPolicy::CloseTryAgain:
            close_slow_consumer(CloseCode::TryAgainLater);
            break;
    }
    return false;
}

// A server sends the header from the stack and the payload from where it is, in one gathered
// write. A client must mask, which copies the payload anyway: it encodes the frame whole.
void WebSocket::send_frame(Opcode opcode, std::string_view payload, bool fin) {
    if (role_ == Role::Server) {
        const FrameHeaderBytes header =
            encode_frame_header(opcode, payload.size(), std::nullopt, fin);
        transport_.write(header.view(), payload);
        return;
    }
    std::string frame;
    append_frame(frame, opcode, payload, (*masking_keys_)(), fin);
    transport_.write(frame, {});
}

void WebSocket::close_slow_consumer(CloseCode code) {
    // The close frame joins the backlog (a few bytes past the limit, once), so a peer that is
    // merely slow still learns why; one that stopped reading is cut off by the close timer.
    const std::string reason = "the peer reads too slowly";
    send_close_frame(code, reason);
    state_ = State::Closing;
    set_pending_close(static_cast<std::uint16_t>(code), reason, false);
    close_transport_once();
    close_timer_ = loop_.set_timeout(options().close_timeout, [this] {
        close_timer_ = 0;
        abort_transport_once(pending_close_->code, pending_close_->reason);
    });
}

void WebSocket::check_backpressure() {
    if (!above_high_watermark_ && transport_.buffered_amount() >= options().high_watermark) {
        above_high_watermark_ = true;
        net::LifetimeFlag::Scope alive{lifetime_};
        // Last, in every send path: the listener may destroy us.
        if (observer_) observer_->on_high_watermark(*this, transport_.buffered_amount());
    }
}

void WebSocket::ping(std::string_view payload) {
    if (state_ != State::Open || sent_close_) return;
    send_frame(Opcode::Ping, payload.substr(0, kWsMaxControlPayload));
}

void WebSocket::close(CloseCode code, std::string_view reason) {
    if (state_ != State::Open) return;
    send_close_frame(code, reason.substr(0, kWsMaxCloseReason));
    state_ = State::Closing;
    close_timer_ = loop_.set_timeout(options().close_timeout, [this] {
        close_timer_ = 0;
        abort_transport_once(1006, "the peer did not answer our close frame in time");
    });
}

void WebSocket::send_close_frame(std::optional<CloseCode> code, std::string_view reason) {
    sent_close_ = true;
    std::string frame;   // at most 2 + 125 + 4 bytes, and once per connection
    append_close(frame, code, reason,
                 masking_keys_ ? std::optional{(*masking_keys_)()} : std::nullopt);
    transport_.write(frame, {});
}

void WebSocket::close_transport_once() {
    if (transport_closing_) return;
    transport_closing_ = true;
    transport_.close_transport();
}

void WebSocket::abort_transport_once(std::uint16_t code, std::string reason) {
    if (!pending_close_) set_pending_close(code, std::move(reason), false);
    state_ = State::Closing;
    transport_closing_ = true;
    transport_.abort_transport();
}

void WebSocket::start_keep_alive() {
    ping_timer_ = loop_.set_interval(options().ping_interval, [this] {
        if (state_ != State::Open || pong_deadline_ != 0) return;
        ping("keep-alive");
        pong_deadline_ = loop_.set_timeout(options().pong_timeout, [this] {
            pong_deadline_ = 0;
            abort_transport_once(1006, "no pong arrived within the pong timeout");
        });
        loop_.unref_timer(pong_deadline_);
    });
    loop_.unref_timer(ping_timer_);   // a heartbeat alone must not keep a program running
}

}   // namespace looplab::ws
