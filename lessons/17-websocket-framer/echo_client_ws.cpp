// lessons/17-websocket-framer/echo_client_ws.cpp
//
// The client side of lesson 17: what a browser does for `new WebSocket("ws://...")`, step by
// step. Connect TCP; send an HTTP GET that asks for the upgrade; read the answer's head and
// check Sec-WebSocket-Accept; then the same connection becomes a client-role WebSocket.
// (ws::WebSocketClient does the same in a few lines, with a random key; the lesson writes it
// out to choose the key and to print both heads.)
#include "framer_lesson.hpp"

#include "looplab/lesson/lesson.hpp"
#include "looplab/ws/handshake.hpp"
#include "looplab/ws/limits.hpp"

using namespace looplab;

namespace framer {

namespace {

// Prints an HTTP head one line at a time, indented, without the "\r\n" line ends, with
// `hide` (if not empty) shown as `shown`.
void print_head(std::string_view head, std::string_view hide = {}, std::string_view shown = {}) {
    while (!head.empty()) {
        const auto end = head.find("\r\n");
        std::string line{head.substr(0, end)};
        const auto at = hide.empty() ? std::string::npos : line.find(hide);
        if (at != std::string::npos) line.replace(at, hide.size(), shown);
        if (line.empty()) line = "(empty line: the end of the head)";
        lesson::say("    {}", line);
        if (end == std::string_view::npos) break;
        head.remove_prefix(end + 2);
    }
}

}   // namespace

void EchoClient::open(const net::Address& server, std::string host, std::string host_shown,
                      std::string key) {
    key_ = std::move(key);
    connector_.connect(server, [this, host = std::move(host), host_shown = std::move(host_shown)](
                                   Result<std::unique_ptr<net::TcpConnection>> connected) {
        if (!connected) {
            failure_ = connected.error();
            return;
        }
        // 1. TCP is up. Until the server agrees, this is an HTTP connection.
        tcp_ = std::move(connected).value();
        tcp_->on(events::data, [this](net::ByteBuffer& input) { on_handshake_bytes(input); });
        tcp_->on(events::close, [this] {
            if (!connection_) failure_ = Error::because("the server hung up during the handshake");
        });
        if (auto started = tcp_->start(); !started) {
            failure_ = started.error();
            return;
        }
        // 2. The upgrade request: an ordinary GET with four extra headers.
        const std::string request = ws::build_client_request(host, "/echo", key_);
        lesson::say("client: connected; sends the upgrade request, an ordinary HTTP GET:");
        print_head(request, host, host_shown);
        tcp_->send(request);
    });
}

void EchoClient::on_handshake_bytes(net::ByteBuffer& input) {
    received_.append(input.readable_text());
    input.consume(input.size());
    // 3. Wait for the whole head (up to the blank line); a server may send it in pieces.
    const std::optional<std::size_t> head_end = ws::find_head_end(received_);
    if (!head_end) {
        if (received_.size() > ws::kWsMaxHandshakeHeadSize)
            failure_ = Error::because("the server's answer has no end of head");
        return;
    }
    const std::string_view head = std::string_view{received_}.substr(0, *head_end);
    lesson::say("client: receives the answer:");
    print_head(head);

    // 4. The check: 101, Upgrade, Connection, and the accept value computed from OUR key.
    if (auto confirmed = ws::check_server_response(head, key_); !confirmed) {
        failure_ = confirmed.error();
        return;
    }
    lesson::say(
        "client: Sec-WebSocket-Accept matches base64(SHA-1(our key + GUID)): "
        "the server speaks WebSocket");
    become_web_socket(received_.substr(*head_end));
}

void EchoClient::become_web_socket(std::string leftover) {
    // 5. Bytes after the head are already frames; the WebSocketConnection takes them along.
    connection_ = std::make_unique<ws::WebSocketConnection>(loop_, ws::Role::Client,
                                                            std::move(tcp_), std::move(leftover));
    ws::WebSocket& socket = connection_->socket();
    socket.on(events::frame, [this](const ws::FrameInfo& frame) { on_frame(frame); });
    socket.on(events::message, [this](const ws::Message& message) {
        ++seen_.messages;
        const ws::Opcode kind =
            message.kind == ws::MessageKind::Text ? ws::Opcode::Text : ws::Opcode::Binary;
        lesson::say("client: message {}", describe_payload(kind, message.payload));
    });
    socket.on(events::ping, [this](std::string_view payload) {
        ++seen_.pings;
        lesson::say(
            "client: ping \"{}\": answered with a pong by itself (masked, like every "
            "client frame)",
            payload);
    });
    socket.on(events::pong, [this](std::string_view payload) {
        ++seen_.pongs;
        lesson::say("client: pong \"{}\"", payload);
    });
    socket.on(events::close, [this](const ws::CloseInfo& info) {
        // The WebSocket reports the TCP connection closing, not who hung up first; the TCP
        // connection remembers whether the peer's FIN came.
        if (connection_->tcp().has_peer_ended())
            lesson::say("client: end of stream: the server closed TCP first; the client closes too");
        ++seen_.closes;
        lesson::say("client: on_close: code {}, reason \"{}\", {}", info.code, info.reason,
                    info.was_clean ? "clean (both close frames exchanged)" : "NOT clean");
    });
    connection_->start();
}

void EchoClient::on_frame(const ws::FrameInfo& frame) {
    ++seen_.frames;
    lesson::say("client: parsed {}  {}", frame.header,
                describe_payload(frame.header.opcode, frame.payload));
    if (!dump_frames) return;
    // Rebuild the frame as it was on the wire: the header bytes, then the payload (a server's
    // frames are never masked, so the payload is as it travelled).
    std::string wire{reinterpret_cast<const char*>(frame.header_bytes.data()),
                     frame.header_bytes.size()};
    wire += frame.payload;
    print_frame(wire);
}

}   // namespace framer
