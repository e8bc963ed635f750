// lessons/19-rooms-across-servers/cluster_lesson.hpp
//
// What the files of lesson 19 share:
//
//   Transcript          the kit's lesson::Transcript (looplab/lesson/transcript.hpp): stable
//                       names for random ids (<sid-1>, <uid-A>) and one line buffer per actor,
//                       printed actor by actor at the end of a step
//   msgpack_dump.cpp    dump_broadcast(): the bytes of one broadcast through Redis, in hex,
//                       part by part, with what each part means
//   chat_node.cpp       ChatNode: one Socket.IO server (HTTP + Socket.IO + its two Redis
//                       connections) with the lesson's chat: "join" and "chat"
//   rooms_across_servers_demo.cpp  main(): the story, step by step, on one loop
//
// Why a buffer per actor (as in lesson 18): one message said on server A reaches alice, the
// lesson's Redis watcher and server B in the same turn of the loop, and the order in which a
// poller reports ready sockets is its own business. Each actor's lines are in the order that
// actor saw them; printing them actor by actor keeps the transcript the same on every poller.
#pragma once

#include "looplab/http/server.hpp"
#include "looplab/lesson/transcript.hpp"
#include "looplab/loop/event_loop.hpp"
#include "looplab/resp/client.hpp"
#include "looplab/socketio/server.hpp"
#include "looplab/socketio_redis/redis_adapter.hpp"

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cluster {

// The shared kit's Transcript (looplab/lesson/transcript.hpp): stable names for random ids
// and one line buffer per actor; this lesson needs nothing more of it.
using Transcript = looplab::lesson::Transcript;

// ---- msgpack_dump.cpp ------------------------------------------------------------------------

// The lines that show one broadcast as it crossed Redis: `[uid, packet, opts]` in msgpack,
// part by part, each part's bytes in hex beside what they mean. The uid's bytes are random:
// in --demo they are shown as "..". Bytes that do not decode are said to be so (the lesson's
// watcher hears whatever anyone publishes).
std::vector<std::string> dump_broadcast(std::string_view bytes, const Transcript& transcript);

// ---- chat_node.cpp ---------------------------------------------------------------------------

// How fast a node's Redis connections come back after Redis went away.
struct Reconnection {
    looplab::Millis delay;   // every attempt after this long (no growth, no jitter)
};

// One chat server of the cluster: HTTP + Socket.IO + a RedisBus, sharing nothing with the
// other node but Redis (as two machines would). A socket says who it is in its CONNECT auth
// ({"name":"alice"}); "join" [room] puts it in a room (ack: [sockets of the room on this
// server, sockets of the room on every server]); "chat" [room, text] sends "chat" [name,
// text] to the whole room, on every server. What the server does is told in the transcript
// under the actor "server <name>".
class ChatNode {
public:
    ChatNode(looplab::loop::EventLoop& loop, std::string name, const looplab::net::Address& redis,
             Reconnection reconnection, Transcript& transcript);
    ~ChatNode();
    ChatNode(const ChatNode&) = delete;
    ChatNode& operator=(const ChatNode&) = delete;

    [[nodiscard]] looplab::Status listen(const looplab::net::Address& where);
    const looplab::net::Address& address() const { return http_->local_address(); }
    const std::string& actor() const { return actor_; }
    looplab::socketio_redis::RedisBus& bus() { return *bus_; }
    looplab::socketio_redis::RedisAdapter& adapter();
    // Both Redis connections ready (subscriptions restored).
    bool redis_ready() const;
    // Both Redis connections have reported "disconnect" since the last call of reset_lost().
    bool redis_lost() const { return lost_ >= 2; }
    void reset_lost() { lost_ = 0; }
    std::size_t chats_handled() const { return chats_; }
    std::size_t answers() const { return answers_; }
    // Its own broadcasts heard back from Redis (the adapter drops them).
    std::size_t echoes() const { return echoes_; }

private:
    void on_connection(looplab::socketio::Socket& socket);
    void on_redis_message(const looplab::resp::PubSubMessage& message);

    std::string actor_;   // "server A"
    Transcript& transcript_;
    std::unique_ptr<looplab::socketio_redis::RedisBus> bus_;
    std::unique_ptr<looplab::http::Server> http_;
    std::unique_ptr<looplab::socketio::Server> io_;
    int lost_ = 0;
    std::size_t chats_ = 0;
    std::size_t answers_ = 0;   // join answers sent (fetch_sockets done)
    std::size_t echoes_ = 0;
};

}   // namespace cluster
