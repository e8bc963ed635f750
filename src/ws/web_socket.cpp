#include "looplab/ws/web_socket.hpp"

#include "looplab/trace/call_stack.hpp"

namespace looplab::ws {

WebSocket::WebSocket(loop::EventLoop& loop, Role role, Transport& transport,
                     WebSocketOptions options)
    : loop_(loop),
      role_(role),
      transport_(transport),
      options_(options),
      parser_(role, options.max_message_size),
      encoder_(role) {
    parser_.on_frame([this](const FrameInfo& frame) {
        if (on_frame) on_frame(frame);
    });
    if (options_.ping_interval.count() > 0) start_keep_alive();
}

WebSocket::~WebSocket() { cancel_timers(); }

void WebSocket::cancel_timers() {
    for (auto* timer : {&close_timer_, &ping_timer_, &pong_deadline_}) {
        if (*timer) loop_.cancel_timer(**timer);
        timer->reset();
    }
}

// ---- bytes in ----------------------------------------------------------------------------------

void WebSocket::receive(std::string_view bytes) {
    if (state_ == State::Closed) return;
    LOOPLAB_TRACE_SCOPE("WebSocket::receive", "{} bytes", bytes.size());
    events_.clear();
    const std::optional<FrameError> error = parser_.feed(bytes, events_);
    // Events that came before an error are valid: deliver them first.
    for (Event& event : events_) {
        if (state_ == State::Closed) return;
        handle(event);
    }
    if (error && state_ != State::Closed) fail(*error);
}

void WebSocket::handle(Event& event) {
    if (auto* message = std::get_if<Message>(&event)) {
        LOOPLAB_TRACE_SCOPE("WebSocket::on_message", "{} bytes", message->payload.size());
        if (on_message) on_message(*message);
    } else if (auto* ping = std::get_if<Ping>(&event)) {
        // Answer at once, even between the fragments of a message (RFC 6455 §5.5.2).
        if (!sent_close_) {
            out_.clear();
            encoder_.append(out_, Opcode::Pong, ping->payload);
            write_out();
        }
        if (on_ping) on_ping(ping->payload);
    } else if (auto* pong = std::get_if<Pong>(&event)) {
        if (pong_deadline_) loop_.cancel_timer(*pong_deadline_);
        pong_deadline_.reset();
        if (on_pong) on_pong(pong->payload);
    } else if (auto* close = std::get_if<Close>(&event)) {
        handle_close(*close);
    }
}

void WebSocket::handle_close(const Close& close) {
    const std::uint16_t code = close.code ? static_cast<std::uint16_t>(*close.code) : 1005;
    // Echo the peer's code (an empty close is answered with an empty close).
    if (!sent_close_) send_close_frame(close.code, close.reason);
    state_ = State::Closing;
    pending_close_ = CloseInfo{code, close.reason, true};
    if (role_ == Role::Server) {
        close_transport_once();   // RFC 6455 §7.1.1: the server closes TCP first
    } else if (!close_timer_) {
        // A client waits for the server to hang up, but not forever.
        close_timer_ = loop_.set_timeout(options_.close_timeout, [this] {
            close_timer_.reset();
            close_transport_once();
        });
    }
}

void WebSocket::fail(FrameError error) {
    // "Fail the WebSocket connection" (RFC 6455 §7.1.7): say why in a close frame, then
    // close TCP without waiting for an answer.
    const CloseCode code = close_code_for(error);
    const std::string reason{describe(error)};
    if (!sent_close_) send_close_frame(code, reason.substr(0, kMaxCloseReason));
    state_ = State::Closing;
    pending_close_ = CloseInfo{static_cast<std::uint16_t>(code), reason, false};
    close_transport_once();
}

void WebSocket::transport_drained() {
    if (above_high_watermark_ && transport_.buffered_amount() == 0) {
        above_high_watermark_ = false;
        if (on_drain) on_drain();
    }
}

void WebSocket::transport_closed() {
    finish(pending_close_.value_or(CloseInfo{1006, "the connection dropped without a close frame",
                                             false}));
}

void WebSocket::finish(CloseInfo info) {
    if (state_ == State::Closed) return;
    state_ = State::Closed;
    cancel_timers();
    // The owner usually destroys us inside on_close, so the listener runs from the stack,
    // not from our member that is about to be destroyed.
    const auto listener = std::move(on_close);
    if (listener) listener(info);
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
    out_.clear();
    for (std::size_t offset = 0; offset < payload.size(); offset += piece) {
        const bool is_first = offset == 0;
        const bool is_last = offset + piece >= payload.size();
        const Opcode opcode = !is_first                               ? Opcode::Continuation
                              : message.kind == MessageKind::Text ? Opcode::Text
                                                                  : Opcode::Binary;
        encoder_.append(out_, opcode, payload.substr(offset, piece), is_last);
    }
    write_out();
    check_backpressure();
    return true;
}

bool WebSocket::send_data(Opcode opcode, std::string_view payload) {
    if (state_ != State::Open || sent_close_) return false;
    const std::size_t frame_size =
        frame_header_size(payload.size(), role_ == Role::Client) + payload.size();
    if (transport_.buffered_amount() + frame_size > options_.max_buffered_amount) {
        switch (options_.slow_consumer) {
            case SlowConsumerPolicy::Drop: return false;
            case SlowConsumerPolicy::Close:
                close_slow_consumer(CloseCode::PolicyViolation);
                return false;
            case SlowConsumerPolicy::CloseTryAgain:
                close_slow_consumer(CloseCode::TryAgainLater);
                return false;
        }
    }
    out_.clear();
    encoder_.append(out_, opcode, payload);
    write_out();
    check_backpressure();
    return true;
}

void WebSocket::close_slow_consumer(CloseCode code) {
    // The close frame joins the backlog (a few bytes past the limit, once), so a peer that is
    // merely slow still learns why; one that stopped reading is cut off by the close timer.
    const std::string reason = "the peer reads too slowly";
    send_close_frame(code, reason);
    state_ = State::Closing;
    pending_close_ = CloseInfo{static_cast<std::uint16_t>(code), reason, false};
    close_transport_once();
    close_timer_ = loop_.set_timeout(options_.close_timeout, [this] {
        close_timer_.reset();
        abort_transport_once(pending_close_->code, pending_close_->reason);
    });
}

void WebSocket::write_out() {
    transport_.write(out_);
    // Keep a small encoding buffer for the next frame, but never the memory of a big one:
    // an idle connection should cost (almost) nothing.
    if (out_.capacity() > kKeptEncodeBuffer) std::string{}.swap(out_);
}

void WebSocket::check_backpressure() {
    if (!above_high_watermark_ && transport_.buffered_amount() >= options_.high_watermark) {
        above_high_watermark_ = true;
        if (on_high_watermark) on_high_watermark();
    }
}

void WebSocket::ping(std::string_view payload) {
    if (state_ != State::Open || sent_close_) return;
    out_.clear();
    encoder_.append(out_, Opcode::Ping, payload.substr(0, kMaxControlPayload));
    write_out();
}

void WebSocket::close(CloseCode code, std::string_view reason) {
    if (state_ != State::Open) return;
    send_close_frame(code, reason.substr(0, kMaxCloseReason));
    state_ = State::Closing;
    close_timer_ = loop_.set_timeout(options_.close_timeout, [this] {
        close_timer_.reset();
        abort_transport_once(1006, "the peer did not answer our close frame in time");
    });
}

void WebSocket::send_close_frame(std::optional<CloseCode> code, std::string_view reason) {
    sent_close_ = true;
    out_.clear();
    encoder_.append_close(out_, code, reason);
    write_out();
}

void WebSocket::close_transport_once() {
    if (transport_closing_) return;
    transport_closing_ = true;
    transport_.close_transport();
}

void WebSocket::abort_transport_once(std::uint16_t code, std::string reason) {
    if (!pending_close_) pending_close_ = CloseInfo{code, std::move(reason), false};
    state_ = State::Closing;
    transport_closing_ = true;
    transport_.abort_transport();
}

void WebSocket::start_keep_alive() {
    ping_timer_ = loop_.set_interval(options_.ping_interval, [this] {
        if (state_ != State::Open || pong_deadline_) return;
        ping("keep-alive");
        pong_deadline_ = loop_.set_timeout(options_.pong_timeout, [this] {
            pong_deadline_.reset();
            abort_transport_once(1006, "no pong arrived within the pong timeout");
        });
        loop_.unref_timer(*pong_deadline_);
    });
    loop_.unref_timer(*ping_timer_);   // a heartbeat alone must not keep a program running
}

}  // namespace looplab::ws
