// lessons/18-realtime-chat/chat_server.cpp — see chat_lesson.hpp.
//
// The whole chat server is on_connection() below: a Socket.IO server is a set of listeners,
// one per event name, on each connected socket (lesson 04, across the network).
#include "chat_lesson.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string>

using namespace looplab;

namespace chat {

ChatServer::ChatServer(loop::EventLoop& loop, Transcript& transcript) : transcript_(transcript) {
    socketio::ServerOptions options;
    // Protocol errors of a peer are logged by the server; the lesson prints them in the story.
    const auto log = [this](std::string_view line) {
        transcript_.add(log_actor, fmt::format("server log: {}", line));
    };
    options.log = log;
    options.engine.log = log;
    http_ = std::make_unique<http::Server>(loop);
    io_ = std::make_unique<socketio::Server>(loop, std::move(options));
    io_->attach(*http_);
    io_->on_connection([this](socketio::Socket& socket) { on_connection(socket); });
}

Status ChatServer::listen(const net::Address& where) { return http_->listen(where); }

void ChatServer::on_connection(socketio::Socket& socket) {
    const socketio::json::Value* given = socket.auth().find("name");
    const std::string name = given != nullptr && given->is_string() ? given->as_string() : "?";
    transcript_.name_id(socket.id(), "sid");
    transcript_.add(name, fmt::format("  server: io.on(\"connection\"): {} is socket {}, auth {{\"name\":\"{}\"}}",
                                      name, socket.id(), name));

    // "join" [room]: rooms live on the server only; a client cannot see them, only ask.
    socket.on("join", [this, name, &socket](const socketio::Args& args, const socketio::Ack& ack) {
        if (args.size() < 1 || !args[0].is_string()) return;
        const std::string room = args[0].as_string();
        socket.join(room);
        const std::size_t size = socket.nsp().adapter().room_size(room);
        transcript_.add(name, fmt::format("  server: socket.join(\"{}\"): the room holds {} socket{}; ack({})",
                                          room, size, size == 1 ? "" : "s", size));
        ack(size);
    });

    // "chat" [room, text]: to everyone in the room, the sender too if it is in it.
    socket.on("chat", [this, name, &socket](const socketio::Args& args, const socketio::Ack& ack) {
        if (args.size() < 2 || !args[0].is_string() || !args[1].is_string()) return;
        const std::string room = args[0].as_string();
        const std::size_t size = socket.nsp().adapter().room_size(room);
        const auto mine = socket.rooms();
        const bool member = std::find(mine.begin(), mine.end(), room) != mine.end();
        transcript_.add(name, fmt::format("  server: \"chat\" from {} ({}in {}): io.to(\"{}\").emit(\"chat\", \"{}\", \"{}\")",
                                          name, member ? "" : "NOT ", room, room, name,
                                          args[1].as_string()));
        transcript_.add(name, fmt::format("          reaches the {} socket{} in {}; ack({})", size,
                                          size == 1 ? "" : "s", room, size));
        io_->to(room).emit("chat", name, args[1].as_string());
        ack(size);
    });

    socket.on_disconnect([this, name, &socket](socketio::DisconnectReason reason) {
        ++disconnects_;
        transcript_.add(name, fmt::format("  server: socket {} of {} is gone: \"disconnect\" (\"{}\")",
                                          socket.id(), name, to_string(reason)));
    });
}

}   // namespace chat
