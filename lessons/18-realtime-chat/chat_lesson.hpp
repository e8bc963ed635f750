// lessons/18-realtime-chat/chat_lesson.hpp
//
// What the files of lesson 18 share:
//
//   transcript.cpp      Transcript: the kit's lesson::Transcript (names for the random ids,
//                       <session-1>, <sid-1>, and one line buffer per actor, printed actor by
//                       actor at the end of a step) plus the packets this lesson shows
//   chat_server.cpp     ChatServer: an http::Server with our socketio::Server attached, and
//                       the chat's three events ("join", "chat", and the connection itself)
//   realtime_chat_demo.cpp  main(): the story, step by step, on one loop
//
// Why a buffer per actor: when the server broadcasts, alice's and bob's connections both have
// bytes to read in the same turn of the loop, and the order in which a poller reports two
// ready sockets is its own business (epoll and poll differ). Each actor's lines are in the
// order that actor saw them; printing alice's, then bob's, once the step is over, makes the
// transcript the same on every poller without hiding anything.
#pragma once

#include "looplab/http/server.hpp"
#include "looplab/lesson/transcript.hpp"
#include "looplab/loop/event_loop.hpp"
#include "looplab/socketio/server.hpp"

#include <cstddef>
#include <utility>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace chat {

// ---- transcript.cpp --------------------------------------------------------------------------

// The shared kit's Transcript (looplab/lesson/transcript.hpp: a line buffer per actor, random
// ids named), plus what this lesson shows: Engine.IO / Socket.IO packets and their ids.
class Transcript : public looplab::lesson::Transcript {
public:
    using looplab::lesson::Transcript::Transcript;

    // Names the ids a packet announces: "sid" of an open packet (a session) or of a CONNECT
    // answer (a socket).
    void name_ids_in_packet(std::string_view packet);
    // One packet `actor` sent (->) or received (<-), with what it means.
    void add_packet(std::string_view actor, std::string_view arrow, std::string_view packet,
                    bool is_binary);
};

// ---- chat_server.cpp -------------------------------------------------------------------------

// The lesson's chat server. A socket says who it is in its CONNECT auth ({"name":"alice"});
// "join" [room] puts it in a room (ack: the room's size); "chat" [room, text] sends
// "chat" [name, text] to everyone in the room (ack: how many sockets the room held).
// Whatever it does is told in the transcript, under the name of the client that caused it.
class ChatServer {
public:
    ChatServer(looplab::loop::EventLoop& loop, Transcript& transcript);

    // Listens on `where` (port 0: any free port; the port it got: address()).
    [[nodiscard]] looplab::Status listen(const looplab::net::Address& where);
    const looplab::net::Address& address() const { return http_->local_address(); }
    std::size_t socket_count() const { return io_->main_namespace().socket_count(); }
    std::size_t disconnects() const { return disconnects_; }

    // Under which actor the server's log lines (a peer that broke the protocol) are told.
    std::string log_actor = "log";

private:
    void on_connection(looplab::socketio::Socket& socket);

    Transcript& transcript_;
    std::unique_ptr<looplab::http::Server> http_;
    std::unique_ptr<looplab::socketio::Server> io_;
    std::size_t disconnects_ = 0;
};

}   // namespace chat
