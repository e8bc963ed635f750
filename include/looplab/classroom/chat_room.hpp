// looplab/classroom/chat_room.hpp
//
// ChatRoom — the server side of the classroom chat (`make demo`, http://localhost:3000/):
// nicknames, rooms, messages with delivery ticks, "who is typing" and presence, on top of a
// socketio::Server's "/" namespace. The page is src/web/index.html + chat.js.
// Teaches: lesson 18 — what events, acknowledgements, rooms and volatile emits are for.
//
// The protocol (every name below is a Socket.IO event; payloads are JSON):
//
//   CONNECT with auth {nickname, rooms?}
//       nickname: required, 1..kChatMaxNicknameBytes bytes once trimmed, no control
//       characters. Refused otherwise: CONNECT_ERROR {"message": "<why>"}.
//       A nickname already in use is made unique, not refused ("ada" -> "ada-2"): a page
//       that reconnects must never be locked out by its own ghost. rooms: the rooms to be
//       in (a reconnecting page passes the rooms it was in); absent or empty: [kChatLobby].
//       A room name that fails its check or a limit is skipped: welcome.rooms says which
//       rooms were joined.
//   server -> "welcome"  {id, nickname, rooms: [joined...], limits: {nickname, room,
//                         message, rooms_per_member}}
//   server -> "rooms"    [{name, members}] — every room with people in it (kChatLobby
//                         always), to everyone, whenever a count changes
//   server -> "presence" {room, members: [nicknames in join order]} — to the room, on every
//                         join, leave, rename and disconnect
//   "join"  (room, ack)  -> ack {ok: true, room, members} | {error}
//   "leave" (room, ack)  -> ack {ok: true, room} | {error}
//   "nickname" (name, ack) -> ack {ok: true, nickname} | {error} — a rename is REFUSED when
//                         the name is taken (the person chose it and can choose again)
//   "message" ({room, text}, ack) -> broadcast "message" {id, room, from, text, at} to the
//                         room except the sender, THEN ack {id, at}: the sender's ✓.
//                         {error} when the text is empty or too long, or the sender is not
//                         in the room. id: a server-wide counter; at: ms since the epoch.
//   server -> "history" {room, messages: [message...]} — to a member who joins a room (at
//                         CONNECT too) that has some: its last kChatHistoryMessages messages,
//                         oldest first, so a page that was away (a restart, a dropped
//                         connection) gets what was said meanwhile; pages skip those they
//                         have. History lives in memory: a restart forgets it, and ids count
//                         from 1 again (so (id, at) is what tells two messages apart)
//   "typing" ({room, typing}) -> volatile broadcast "typing" {room, nickname, typing} to
//                         the room except the sender (no ack; lost ones do not matter)
//
// Every error answer is {error: "<a sentence>"}; an event sent without an ack that fails is
// dropped (there is nobody to tell). Bad payload types are errors, never crashes.
//
// Across servers (classroom-server --adapter redis or redis-sharded, `make demo SERVERS=2`,
// lesson 19): the rooms span servers, so "message" and "typing" reach members on every
// server (the adapter publishes them). "presence" and "rooms" are computed from
// fetch_sockets(), which asks every server (each socket's data carries its nickname), and
// each server sends them to its OWN sockets only: after a change on one server, it tells the others
// with a server-side event
// ("chat:changed" [rooms...]) and each recomputes for its members, so every page ends with
// the cluster's view, never one server's part of it. What stays per server:
//   - nickname uniqueness ("ada" on A and "ada" on B can both exist);
//   - history: a server remembers the messages said in a room (on any server: they come as
//     "chat:message" server-side events) while it has members there; a server with nobody in
//     a room has no history for it;
//   - message ids: each server counts its own (pages sort by time, then id);
//   - kChatMaxRooms counts this server's rooms.
// Without Redis (the in-memory adapter) nothing of this costs anything: fetch_sockets()
// answers at once and server-side events go nowhere.
//
// Costs: each join, leave, connect and disconnect sends "rooms" to everyone (O(people)); on
// a cluster each also costs every server two fetch_sockets() round trips through Redis (the
// room's members, and every socket for the counts): fine for a classroom, not for a stadium.
// "typing" is not rate-limited (it is volatile and goes to one room).
//
// Where: src/classroom/chat_room.cpp is the chat on one server (checks, members, rooms,
// messages, history); src/classroom/chat_room_cluster.cpp is what crosses servers
// (fetch_sockets() member lists, the "chat:changed" / "chat:message" server-side events).
//
// Contract: loop thread only. Destroy it before the socketio::Server it serves.
#pragma once

#include "looplab/socketio/server.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace looplab::classroom {

namespace json = codec::json;

// ---- limits (each checked; going over is an {error} answer or a refused CONNECT) ------------
// Bytes of a nickname once trimmed: a name to show in a list, not a biography.
inline constexpr std::size_t kChatMaxNicknameBytes = 32;
// Bytes of a room name once trimmed.
inline constexpr std::size_t kChatMaxRoomNameBytes = 32;
// Bytes of one message's text: a classroom chat line, far from the engine's 1 MB payload.
inline constexpr std::size_t kChatMaxMessageBytes = 2000;
// Rooms one person may be in at once.
inline constexpr std::size_t kChatMaxRoomsPerMember = 10;
// Rooms with people in them, server-wide: each costs a map entry and a line in "rooms".
inline constexpr std::size_t kChatMaxRooms = 100;
// Messages a room remembers for those who join it (its history); dropped with the room
// when its last member leaves. At most kChatMaxRooms x this x kChatMaxMessageBytes bytes.
inline constexpr std::size_t kChatHistoryMessages = 50;
// How many "-2", "-3"... suffixes are tried to make a nickname unique before giving up.
inline constexpr std::size_t kChatMaxNicknameSuffix = 1000;

// The room everyone starts in, and which is always listed.
inline constexpr std::string_view kChatLobby = "lobby";

class ChatRoom {
public:
    // Milliseconds since the epoch for a message's "at" (tests pass a fixed clock).
    using WallClock = std::function<std::int64_t()>;

    explicit ChatRoom(socketio::Server& io, WallClock clock = {});
    ~ChatRoom();
    ChatRoom(const ChatRoom&) = delete;
    ChatRoom& operator=(const ChatRoom&) = delete;

    // ---- looking inside (tests, --help) --------------------------------------------------------
    std::size_t member_count() const { return members_.size(); }
    // Nicknames in `room`, in join order (empty when nobody is there).
    std::vector<std::string> members_of(std::string_view room) const;
    std::uint64_t messages_sent() const { return next_message_id_ - 1; }

private:
    struct Member {
        std::string nickname;
        std::vector<std::string> rooms;   // in join order
    };

    void on_connection(socketio::Socket& socket);
    void on_join(socketio::Socket& socket, const socketio::Args& args, const socketio::Ack& ack);
    void on_leave(socketio::Socket& socket, const socketio::Args& args, const socketio::Ack& ack);
    void on_nickname(socketio::Socket& socket, const socketio::Args& args,
                     const socketio::Ack& ack);
    void on_message(socketio::Socket& socket, const socketio::Args& args, const socketio::Ack& ack);
    void on_typing(socketio::Socket& socket, const socketio::Args& args);
    void on_disconnect(socketio::Socket& socket);

    // Joins `room` (already checked); false with `why` set when a limit says no.
    bool join(socketio::Socket& socket, Member& member, const std::string& room, std::string& why);
    void leave(socketio::Socket& socket, Member& member, const std::string& room);
    Member* member_of(const socketio::Socket& socket);
    bool is_taken(std::string_view nickname) const;
    std::string unique_nickname(const std::string& wanted) const;

    void send_history(socketio::Socket& socket, const std::string& room);
    void remember(const std::string& room, json::Value message);
    json::Value member_list(std::string_view room) const;

    // ---- across servers (chat_room_cluster.cpp) ----------------------------------------------
    // Hears "chat:changed" and "chat:message" from the other servers (the constructor).
    void listen_to_other_servers();
    // After a change here: fresh "presence" for `rooms` and a fresh "rooms" list for this
    // server's sockets, and the same news for the other servers (server-side "chat:changed").
    void changed(const std::vector<std::string>& rooms);
    // A message said here, for the other servers' histories (server-side "chat:message").
    void share_message(const json::Value& message);
    void send_presence(const std::string& room);
    void send_room_list();

    socketio::Server& io_;
    WallClock clock_;
    std::unordered_map<std::string, Member> members_;                       // by socket id
    std::map<std::string, std::vector<std::string>, std::less<>> rooms_;    // room -> socket ids
    std::map<std::string, std::deque<json::Value>, std::less<>> history_;   // room -> last messages
    std::uint64_t next_message_id_ = 1;
    // Cluster answers (fetch_sockets) may come after this ChatRoom is gone: they check this.
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
    events::ListenerId changed_listener_ = 0;   // server-side "chat:changed"
    events::ListenerId message_listener_ = 0;   // server-side "chat:message"
};

// ---- the checks, pure (tests call them directly) ------------------------------------------
// The trimmed name, or an error sentence ("a nickname ..."/"a room name ...").
Result<std::string> check_nickname(const json::Value& value);
Result<std::string> check_room_name(const json::Value& value);
// The text as given (not trimmed: spaces may matter), or an error sentence.
Result<std::string> check_message_text(const json::Value& value);

}   // namespace looplab::classroom
