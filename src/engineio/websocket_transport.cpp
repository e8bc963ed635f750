// looplab/engineio/websocket_transport.cpp — the WebSocket transport: one packet per frame,
// and the upgrade that moves a polling session onto a WebSocket without losing a packet.
//
//     client                                   server
//     GET ...&transport=websocket&sid=S  ───►  101                 (the probe WebSocket)
//     "2probe"                           ───►  "3probe"            and a held GET gets "6":
//                                                                  polling stops
//     "5"                                ───►  upgraded: what was queued for polling goes
//                                              out on the WebSocket, in order
//
// Until "5" arrives the session still sends over polling (the queue), so nothing is sent
// twice or out of order. A probe that sends anything else, closes, or takes longer than
// upgradeTimeout is dropped; the session goes on polling.
#include "session_impl.hpp"

#include "server_core.hpp"

#include <fmt/format.h>

namespace looplab::engineio {

void SessionImpl::write_to_socket(ws::WebSocket& socket, PacketType type, std::string_view data,
                                  bool is_binary) {
    // Everything this session sends during this loop turn leaves in one write: a broadcast
    // of four events to 10,000 sessions makes 10,000 system calls, not 40,000. (The replies
    // made while the connection's own bytes are handled are gathered anyway.)
    socket.gather_until_next_phase();
    send_frame(socket, type, data, is_binary);
}

void SessionImpl::send_frame(ws::WebSocket& socket, PacketType type, std::string_view data,
                             bool is_binary) {
    if (is_binary) {   // a binary frame is a message's bytes as they are, no type digit
        (void)socket.send_binary(data);
        return;
    }
    std::string& frame = server_.frame_scratch();
    frame.clear();
    encode_text_packet_to(frame, type, data);
    // False only when the socket is closing or too slow: its close event ends the session.
    (void)socket.send_text(frame);
}

void SessionImpl::use_websocket(ws::WebSocket& socket, std::string_view open_packet) {
    transport_ = TransportKind::WebSocket;
    socket_ = &socket;
    ServerCore::attach_socket(socket, *this);
    // At once, not gathered: nothing else is due on a new connection, and gathering outside
    // the connection's own the data event would make it keep a lifetime token (32 bytes) for good.
    send_frame(socket, PacketType::Open, open_packet, false);
}

bool SessionImpl::may_upgrade() const {
    return state_ == State::Open && transport_ == TransportKind::Polling &&
           polling_->probe == nullptr && server_.options().allow_upgrades;
}

void SessionImpl::begin_upgrade(ws::WebSocket& probe) {
    polling_->probe = &probe;
    ServerCore::attach_socket(probe, *this);
    const Millis timeout = server_.options().upgrade_timeout;
    polling_->upgrade_timer = server_.loop().set_timeout(timeout, [this] {
        polling_->upgrade_timer = 0;
        drop_probe();
    });
}

void SessionImpl::on_socket_message(ws::WebSocket& socket, const ws::Message& message) {
    if (is_probe(socket)) {
        on_probe_message(message);
        return;
    }
    // No clock check here, unlike a polling request (server.cpp): the pong timer ends the
    // session at its deadline, and reading the clock for every message was 3 % of a busy
    // server's time per event (make bench, Socket.IO echo). A message read in the same loop turn
    // as a missed deadline is delivered, as the reference server does.
    if (&socket != socket_ || state_ != State::Open) return;
    if (message.kind == ws::MessageKind::Binary) {
        (void)on_packet(PacketView{PacketType::Message, message.payload, true});
        return;   // touches nothing: the listener may have destroyed the server
    }
    auto packet = view_text_packet(message.payload, server_.binary_scratch());
    if (!packet) {
        end(CloseReason::ParseError, packet.error().message());
        return;
    }
    (void)on_packet(*packet);   // last: the listener may have destroyed the server
}

void SessionImpl::on_socket_closed(ws::WebSocket& socket, const ws::CloseInfo& info) {
    ServerCore::detach_socket(socket);
    if (is_probe(socket)) {
        polling_->probe = nullptr;
        is_probed_ = false;
        server_.loop().cancel_timer(polling_->upgrade_timer);
        polling_->upgrade_timer = 0;
        return;
    }
    if (&socket != socket_) return;
    socket_ = nullptr;
    // 1000/1001: the peer left; 1005/1006: it went without saying why. Any other code is a
    // WebSocket error (1009: a message over maxPayload, 1002: a broken frame, ...).
    const bool is_error =
        info.code != 1000 && info.code != 1001 && info.code != 1005 && info.code != 1006;
    end(is_error ? CloseReason::TransportError : CloseReason::TransportClose,
        fmt::format("websocket closed ({}{}{})", info.code, info.reason.empty() ? "" : ": ",
                    info.reason));
}

void SessionImpl::on_probe_message(const ws::Message& message) {
    if (message.kind == ws::MessageKind::Text && message.payload == "2probe") {
        write_to_socket(*polling_->probe, PacketType::Pong, "probe", false);
        is_probed_ = true;
        // Release the held GET so the client's polling can pause: with what is queued if
        // anything (it would have left on this GET anyway), else a noop.
        if (has_held_get()) {
            if (polling_->queue.empty()) {
                std::string noop;
                append_to_payload(noop, Packet{PacketType::Noop, {}, false});
                answer_poll(std::move(noop));
            } else {
                flush_poll();
            }
        }
        return;
    }
    if (message.kind == ws::MessageKind::Text && message.payload == "5") {
        complete_upgrade();
        return;
    }
    drop_probe();   // anything else during an upgrade: the probe is not a working transport
}

void SessionImpl::complete_upgrade() {
    server_.loop().cancel_timer(polling_->upgrade_timer);
    polling_->upgrade_timer = 0;
    if (has_held_get()) {   // a well-behaved client has none left: end it anyway
        std::string noop;
        append_to_payload(noop, Packet{PacketType::Noop, {}, false});
        answer_poll(std::move(noop));
    }
    transport_ = TransportKind::WebSocket;
    socket_ = std::exchange(polling_->probe, nullptr);
    is_probed_ = false;
    // Polling is over: what it queued goes out here, then its state goes (the drain timer
    // is not running: the session is open).
    const std::unique_ptr<Polling> polling = std::move(polling_);
    for (const Packet& packet : polling->queue)
        write_to_socket(*socket_, packet.type, packet.data, packet.is_binary);
}

bool SessionImpl::is_probe(const ws::WebSocket& socket) const {
    return polling_ && &socket == polling_->probe;
}

void SessionImpl::drop_probe() {
    if (!polling_ || polling_->probe == nullptr) return;
    server_.loop().cancel_timer(polling_->upgrade_timer);
    polling_->upgrade_timer = 0;
    is_probed_ = false;
    server_.close_socket(*std::exchange(polling_->probe, nullptr));
}

}   // namespace looplab::engineio
