// lessons/17-websocket-framer/echo_server_ws.cpp
//
// The server side of lesson 17: an ordinary HTTP server until a request says
// `Upgrade: websocket`; from then on the same TCP connection carries frames, and every
// message that arrives is sent back. Each frame the server's parser completes is printed
// ("server: parsed ..."): that is the server's view of the conversation.
#include "framer_lesson.hpp"

#include "looplab/lesson/lesson.hpp"
#include "looplab/ws/handshake.hpp"

using namespace looplab;

namespace framer {

EchoServer::EchoServer(loop::EventLoop& loop) : loop_(loop), http_(loop) {
    http_.take_upgrades_with(
        [this](const http::Request& request, std::unique_ptr<net::TcpConnection> tcp,
               std::string leftover) { upgrade(request, std::move(tcp), std::move(leftover)); });
}

Status EchoServer::listen(const net::Address& where) {
    return http_.listen(where);
}

void EchoServer::upgrade(const http::Request& request, std::unique_ptr<net::TcpConnection> tcp,
                         std::string leftover) {
    // 1. The request arrived as HTTP. Show what makes it a WebSocket request.
    const std::string_view key = request.headers.find("Sec-WebSocket-Key").value_or("");
    lesson::say("server: {} {} with \"Upgrade: websocket\" and Sec-WebSocket-Key {}",
                request.method, request.target, key);

    // 2. accept_upgrade() checks it (GET, version 13, a 16-byte key...) and writes the 101
    //    answer carrying base64(SHA-1(key + GUID)); or a 400/426 refusal, and hangs up.
    auto connection = ws::accept_upgrade(loop_, request, std::move(tcp), std::move(leftover));
    if (!connection) {
        lesson::say("server: refused the upgrade");
        return;
    }
    lesson::say("server: answers 101 Switching Protocols, Sec-WebSocket-Accept {}",
                ws::compute_accept_key(key));

    // 3. From here on: frames. Listeners first, then start().
    const std::uint64_t id = next_id_++;
    ws::WebSocket& socket = connection->socket();
    socket.on(events::frame, [this](const ws::FrameInfo& frame) { on_frame(frame); });
    socket.on(events::message, [this, &socket](const ws::Message& message) {
        ++seen_.messages;
        const ws::Opcode kind =
            message.kind == ws::MessageKind::Text ? ws::Opcode::Text : ws::Opcode::Binary;
        lesson::say("server: message {}{}; echoes it in one frame",
                    describe_payload(kind, message.payload),
                    data_frames_in_message_ > 1
                        ? fmt::format(", joined from {} frames", data_frames_in_message_)
                        : std::string{});
        data_frames_in_message_ = 0;
        socket.send(message);
    });
    socket.on(events::ping, [this](std::string_view) {
        ++seen_.pings;
        lesson::say("server: answered the ping with a pong at once (same payload)");
    });
    socket.on(events::pong, [this](std::string_view payload) {
        ++seen_.pongs;
        lesson::say("server: pong \"{}\": the client answered our ping by itself", payload);
    });
    socket.on(events::close, [this, id](const ws::CloseInfo& info) {
        ++seen_.closes;
        lesson::say("server: on_close: code {}, reason \"{}\", {}", info.code, info.reason,
                    info.was_clean ? "clean (both close frames exchanged)" : "NOT clean");
        clients_.erase(id);   // allowed inside on_close (web_socket_connection.hpp)
    });
    clients_.emplace(id, std::move(connection)).first->second->start();
}

void EchoServer::on_frame(const ws::FrameInfo& frame) {
    ++seen_.frames;
    const ws::Opcode opcode = frame.header.opcode;
    lesson::say("server: parsed {}  {}", frame.header, describe_payload(opcode, frame.payload));
    if (!ws::is_control(opcode)) {
        ++data_frames_in_message_;
        if (!frame.header.fin)
            lesson::say("server:   FIN=0: a fragment; the message is still open");
    } else if (data_frames_in_message_ > 0) {
        lesson::say("server:   a control frame between the fragments of a message: allowed");
    }
    if (opcode == ws::Opcode::Close)
        lesson::say("server:   echoes the close frame, then closes TCP: the server hangs up first");
}

void EchoServer::ping_everyone(std::string_view payload) {
    for (auto& [id, connection] : clients_)
        connection->socket().ping(payload);
}

}   // namespace framer
