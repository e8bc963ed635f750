// looplab/engineio/session_impl.cpp — one session: sending (queue or frame), the packets it
// receives, the heartbeat, and ending it once.
#include "session_impl.hpp"

#include "looplab/core/assert.hpp"

#include "server_core.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

namespace looplab::engineio {

SessionImpl::SessionImpl(ServerCore& server, std::string_view id, Handshake handshake,
                         TransportKind transport)
    : server_(server), transport_(transport), handshake_(std::move(handshake)) {
    LOOPLAB_ASSERT(id.size() == id_.size(), "an Engine.IO sid has kEioSidLength characters");
    std::copy(id.begin(), id.end(), id_.begin());
    if (transport_ == TransportKind::Polling) polling_ = std::make_unique<Polling>();
}

SessionImpl::~SessionImpl() {
    stop_heartbeat();
    if (polling_) {
        server_.loop().cancel_timer(polling_->upgrade_timer);
        server_.loop().cancel_timer(polling_->drain_timer);
    }
    // Freed with the server (no events then) or after on_close: our sockets forget us.
    if (socket_ != nullptr) ServerCore::detach_socket(*socket_);
    if (polling_ && polling_->probe != nullptr) ServerCore::detach_socket(*polling_->probe);
    // A poll still held (the server is being destroyed): tell the client the session ended.
    if (has_held_get()) {
        std::string body;
        append_to_payload(body, Packet{PacketType::Close, {}, false});
        answer_poll(std::move(body));
    }
}

// ---- sending -------------------------------------------------------------------------------

void SessionImpl::send_text(std::string_view text) {
    send_packet(PacketType::Message, text, false);
}
void SessionImpl::send_binary(std::string_view bytes) {
    send_packet(PacketType::Message, bytes, true);
}

void SessionImpl::send_packet(PacketType type, std::string_view data, bool is_binary) {
    if (state_ != State::Open) return;
    if (transport_ == TransportKind::WebSocket) {
        if (socket_ != nullptr) write_to_socket(*socket_, type, data, is_binary);
        return;
    }
    enqueue(type, data, is_binary);   // polling, or an upgrade under way: the queue keeps order
    schedule_flush();
}

void SessionImpl::enqueue(PacketType type, std::string_view data, bool is_binary) {
    Polling& polling = *polling_;
    if (polling.queue.size() >= kEioMaxQueuedPackets ||
        polling.queued_bytes + data.size() > kEioMaxQueuedBytes) {
        end(CloseReason::TransportError,
            fmt::format("send queue full ({} packets, {} bytes): the peer does not poll",
                        polling.queue.size(), polling.queued_bytes));
        return;
    }
    polling.queue.push_back(Packet{type, std::string{data}, is_binary});
    polling.queued_bytes += data.size();
}

bool SessionImpl::is_writable() const {
    if (state_ != State::Open) return false;
    if (transport_ == TransportKind::WebSocket)
        return socket_ != nullptr && socket_->state() == ws::WebSocket::State::Open &&
               socket_->buffered_amount() < ws::kWsDefaultHighWatermark;
    return has_held_get() && polling_->queue.empty() && polling_->probe == nullptr;
}

// ---- receiving -----------------------------------------------------------------------------

bool SessionImpl::on_packet(const PacketView& packet) {
    switch (packet.type) {
        case PacketType::Message:
            return server_.report_message(*this, packet.data, packet.is_binary);
        case PacketType::Pong: on_pong(); break;
        case PacketType::Close: end(CloseReason::TransportClose, "the peer sent close"); break;
        // open, ping (a v3 client's), upgrade and noop mean nothing here: ignored, as the
        // reference server does.
        default: break;
    }
    return true;
}

// ---- heartbeat: the server pings, the client must answer within pingTimeout ----------------

void SessionImpl::start_heartbeat() {
    const ServerOptions& options = server_.options();
    // The deadline counts from now, not from when the ping timer happens to run: a busy loop
    // that runs it late must not give the peer more time than pingInterval + pingTimeout.
    const Millis slack = std::min(kEioHeartbeatSlack, options.ping_timeout / 10);
    heartbeat_deadline_ =
        server_.loop().now() + options.ping_interval + options.ping_timeout - slack;
    ping_timer_ = server_.loop().set_timeout(options.ping_interval, [this] {
        ping_timer_ = 0;
        send_packet(PacketType::Ping, {}, false);
        if (state_ != State::Open) return;   // the ping found the queue full
        const auto left = std::chrono::ceil<Millis>(heartbeat_deadline_ - server_.loop().now());
        pong_timer_ = server_.loop().set_timeout(std::max(left, Millis{0}), [this] {
            pong_timer_ = 0;
            end(CloseReason::PingTimeout,
                fmt::format("no pong within {} ms", server_.options().ping_timeout.count()));
        });
    });
}

bool SessionImpl::end_if_heartbeat_missed() {
    if (state_ != State::Open || server_.loop().now() < heartbeat_deadline_) return false;
    // The deadline passed but its timer has not run yet (the loop is busy): a request that
    // comes now must see what the peer sees, a session that timed out.
    stop_heartbeat();
    end(CloseReason::PingTimeout,
        fmt::format("no pong within {} ms", server_.options().ping_timeout.count()));
    return true;
}

void SessionImpl::on_pong() {
    if (pong_timer_ == 0) return;   // a pong we did not ask for changes nothing
    server_.loop().cancel_timer(pong_timer_);
    pong_timer_ = 0;
    start_heartbeat();
}

void SessionImpl::stop_heartbeat() {
    server_.loop().cancel_timer(ping_timer_);
    server_.loop().cancel_timer(pong_timer_);
    ping_timer_ = pong_timer_ = 0;
}

// ---- ending --------------------------------------------------------------------------------

void SessionImpl::close() { end(CloseReason::ForcedClose, "closed by the server"); }

// How each transport ends:
//   websocket   the WebSocket is closed (close frame); the session is done at once.
//   polling     a held GET is answered now: "6" (noop) when the peer closed, else "1" (close),
//               after what was queued when we close it ourselves. Without a held GET, a close
//               of ours waits up to kEioPollingCloseTimeout for the next GET to deliver the
//               queue and the "1"; any other ending drops the queue.
void SessionImpl::end(CloseReason reason, std::string description) {
    if (state_ != State::Open) return;
    state_ = State::Closing;
    stop_heartbeat();
    drop_probe();
    if (reason == CloseReason::TransportError || reason == CloseReason::ParseError)
        server_.log(fmt::format("engineio: session {} closed ({}): {}", id(), to_string(reason),
                                description));
    server_.report_close_later(*this, reason, std::move(description));

    if (transport_ == TransportKind::WebSocket) {
        if (socket_ != nullptr) server_.close_socket(*std::exchange(socket_, nullptr));
        finish_transport();
        return;
    }
    if (has_held_get()) {
        std::string body;
        if (reason == CloseReason::ForcedClose) body = take_payload();
        append_to_payload(body, Packet{reason == CloseReason::TransportClose ? PacketType::Noop
                                                                             : PacketType::Close,
                                       {},
                                       false});
        answer_poll(std::move(body));
        finish_transport();
        return;
    }
    if (reason == CloseReason::ForcedClose) {
        polling_->queue.push_back(Packet{PacketType::Close, {}, false});
        is_draining_ = true;
        polling_->drain_timer = server_.loop().set_timeout(kEioPollingCloseTimeout, [this] {
            polling_->drain_timer = 0;
            finish_transport();
        });
        return;
    }
    polling_->queue.clear();
    finish_transport();
}

void SessionImpl::finish_transport() {
    if (is_transport_done_) return;
    is_transport_done_ = true;
    is_draining_ = false;
    if (polling_) {
        server_.loop().cancel_timer(polling_->drain_timer);
        polling_->drain_timer = 0;
        polling_->queue = {};
        polling_->queued_bytes = 0;
    }
    if (is_reported_) server_.release_later(*this);
}

bool SessionImpl::mark_reported() {
    is_reported_ = true;
    return is_transport_done_;
}

}   // namespace looplab::engineio
