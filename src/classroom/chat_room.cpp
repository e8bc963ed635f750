// The classroom chat on one server: the checks of nicknames, room names and texts, and what
// a member does (connect, join, leave, rename, write, type, go). See chat_room.hpp for the
// protocol and its limits; what crosses to the other servers of a cluster (presence and room
// lists from fetch_sockets(), the "chat:changed" and "chat:message" server-side events) is in
// chat_room_cluster.cpp.
#include "looplab/classroom/chat_room.hpp"

#include <algorithm>
#include <chrono>

namespace looplab::classroom {
namespace {

using socketio::Ack;
using socketio::Args;
using socketio::Socket;

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string_view trim(std::string_view text) {
    const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    return text;
}

bool has_control_byte(std::string_view text) {
    return std::any_of(text.begin(), text.end(), [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return byte < 0x20 || byte == 0x7f;
    });
}

// A short name (nickname, room): a trimmed string of 1..limit bytes without control bytes.
Result<std::string> check_name(const json::Value& value, std::string_view what, std::size_t limit) {
    if (!value.is_string()) return Error::because(fmt::format("{} must be a string", what));
    const std::string_view name = trim(value.as_string());
    if (name.empty()) return Error::because(fmt::format("{} cannot be empty", what));
    if (name.size() > limit)
        return Error::because(
            fmt::format("{} is too long ({} bytes; at most {})", what, name.size(), limit));
    if (has_control_byte(name))
        return Error::because(fmt::format("{} cannot contain control characters", what));
    return std::string{name};
}

json::Value error_answer(std::string_view why) {
    return json::Value::object({{"error", std::string{why}}});
}

}   // namespace

Result<std::string> check_nickname(const json::Value& value) {
    return check_name(value, "a nickname", kChatMaxNicknameBytes);
}

Result<std::string> check_room_name(const json::Value& value) {
    return check_name(value, "a room name", kChatMaxRoomNameBytes);
}

Result<std::string> check_message_text(const json::Value& value) {
    if (!value.is_string()) return Error::because("a message's text must be a string");
    const std::string& text = value.as_string();
    if (trim(text).empty()) return Error::because("a message cannot be empty");
    if (text.size() > kChatMaxMessageBytes)
        return Error::because(fmt::format("a message is too long ({} bytes; at most {})",
                                          text.size(), kChatMaxMessageBytes));
    return text;
}

ChatRoom::ChatRoom(socketio::Server& io, WallClock clock)
    : io_(io), clock_(clock ? std::move(clock) : WallClock{now_ms}) {
    // The nickname is checked before the socket is let in: a bad one is a CONNECT_ERROR the
    // page can show, not a connection that half works.
    io_.use([](Socket& socket, socketio::Next next) {
        const json::Value* wanted = socket.auth().find("nickname");
        if (wanted == nullptr)
            return next({.message = "a nickname is required: connect with auth {nickname}"});
        if (auto nickname = check_nickname(*wanted); !nickname)
            return next({.message = nickname.error().message()});
        next();
    });
    io_.on_connection([this](Socket& socket) { on_connection(socket); });
    listen_to_other_servers();
}

std::vector<std::string> ChatRoom::members_of(std::string_view room) const {
    std::vector<std::string> names;
    if (const auto found = rooms_.find(room); found != rooms_.end())
        for (const std::string& id : found->second) names.push_back(members_.at(id).nickname);
    return names;
}

ChatRoom::Member* ChatRoom::member_of(const Socket& socket) {
    const auto found = members_.find(std::string{socket.id()});
    return found == members_.end() ? nullptr : &found->second;
}

bool ChatRoom::is_taken(std::string_view nickname) const {
    return std::any_of(members_.begin(), members_.end(),
                       [&](const auto& entry) { return entry.second.nickname == nickname; });
}

std::string ChatRoom::unique_nickname(const std::string& wanted) const {
    if (!is_taken(wanted)) return wanted;
    for (std::size_t suffix = 2; suffix <= kChatMaxNicknameSuffix; ++suffix) {
        const std::string tail = fmt::format("-{}", suffix);
        // Keep the result within the limit: shorten the wanted part, not the suffix (and never
        // cut a UTF-8 character in half).
        std::size_t keep = std::min(wanted.size(), kChatMaxNicknameBytes - tail.size());
        while (keep > 0 && keep < wanted.size() &&
               (static_cast<unsigned char>(wanted[keep]) & 0xC0) == 0x80)
            --keep;
        std::string candidate = wanted.substr(0, keep) + tail;
        if (!is_taken(candidate)) return candidate;
    }
    // A thousand people with one name: the socket id is unique by construction.
    return fmt::format("guest-{}", io_.new_id().substr(0, 8));
}

void ChatRoom::on_connection(Socket& socket) {
    Member& member = members_[std::string{socket.id()}];
    member.nickname = unique_nickname(*check_nickname(*socket.auth().find("nickname")));
    // Other servers learn the nickname from fetch_sockets(), which reports socket.data.
    socket.data() = json::Value::object({{"nickname", member.nickname}});

    // The rooms asked for (a reconnecting page asks for those it was in), else the lobby.
    std::vector<std::string> wanted;
    if (const json::Value* rooms = socket.auth().find("rooms"); rooms && rooms->is_array())
        for (const json::Value& room : rooms->as_array())
            if (auto name = check_room_name(room);
                name && std::find(wanted.begin(), wanted.end(), *name) == wanted.end())
                wanted.push_back(*name);
    if (wanted.empty()) wanted.emplace_back(kChatLobby);
    std::string why_not;
    for (const std::string& room : wanted) (void)join(socket, member, room, why_not);

    json::Array joined(member.rooms.begin(), member.rooms.end());
    socket.emit("welcome",
                json::Value::object({
                    {"id", socket.id()},
                    {"nickname", member.nickname},
                    {"rooms", std::move(joined)},
                    {"limits", json::Value::object({{"nickname", kChatMaxNicknameBytes},
                                                    {"room", kChatMaxRoomNameBytes},
                                                    {"message", kChatMaxMessageBytes},
                                                    {"rooms_per_member", kChatMaxRoomsPerMember}})},
                }));
    changed(member.rooms);
    for (const std::string& room : member.rooms) send_history(socket, room);

    socket.on("join",
              [this, &socket](const Args& args, const Ack& ack) { on_join(socket, args, ack); });
    socket.on("leave",
              [this, &socket](const Args& args, const Ack& ack) { on_leave(socket, args, ack); });
    socket.on("nickname", [this, &socket](const Args& args, const Ack& ack) {
        on_nickname(socket, args, ack);
    });
    socket.on("message",
              [this, &socket](const Args& args, const Ack& ack) { on_message(socket, args, ack); });
    socket.on("typing", [this, &socket](const Args& args) { on_typing(socket, args); });
    socket.on_disconnect([this, &socket](socketio::DisconnectReason) { on_disconnect(socket); });
}

bool ChatRoom::join(Socket& socket, Member& member, const std::string& room, std::string& why) {
    if (std::find(member.rooms.begin(), member.rooms.end(), room) != member.rooms.end())
        return true;   // already there: joining twice is not an error
    if (member.rooms.size() >= kChatMaxRoomsPerMember) {
        why = fmt::format("you are in {} rooms already (at most {}): leave one first",
                          member.rooms.size(), kChatMaxRoomsPerMember);
        return false;
    }
    if (!rooms_.contains(room) && rooms_.size() >= kChatMaxRooms) {
        why = fmt::format("the server has {} rooms already (at most {}): join one of them",
                          rooms_.size(), kChatMaxRooms);
        return false;
    }
    rooms_[room].emplace_back(socket.id());
    member.rooms.push_back(room);
    socket.join(room);
    return true;
}

void ChatRoom::leave(Socket& socket, Member& member, const std::string& room) {
    std::erase(member.rooms, room);
    if (socket.connected()) socket.leave(room);   // a gone socket has left its rooms already
    if (const auto found = rooms_.find(room); found != rooms_.end()) {
        std::erase(found->second, socket.id());
        if (found->second.empty()) {
            rooms_.erase(found);
            history_.erase(room);
        }
    }
}

void ChatRoom::on_join(Socket& socket, const Args& args, const Ack& ack) {
    Member* member = member_of(socket);
    if (member == nullptr) return;
    auto room = check_room_name(args[0]);
    if (!room) return ack(error_answer(room.error().message()));
    std::string why;
    if (!join(socket, *member, *room, why)) return ack(error_answer(why));
    // members: this server's; the "presence" that follows has the whole cluster's.
    ack(json::Value::object({{"ok", true}, {"room", *room}, {"members", member_list(*room)}}));
    changed({*room});
    send_history(socket, *room);
}

void ChatRoom::on_leave(Socket& socket, const Args& args, const Ack& ack) {
    Member* member = member_of(socket);
    if (member == nullptr) return;
    auto room = check_room_name(args[0]);
    if (!room) return ack(error_answer(room.error().message()));
    if (std::find(member->rooms.begin(), member->rooms.end(), *room) == member->rooms.end())
        return ack(error_answer(fmt::format("you are not in the room '{}'", *room)));
    leave(socket, *member, *room);
    ack(json::Value::object({{"ok", true}, {"room", *room}}));
    changed({*room});
}

void ChatRoom::on_nickname(Socket& socket, const Args& args, const Ack& ack) {
    Member* member = member_of(socket);
    if (member == nullptr) return;
    auto nickname = check_nickname(args[0]);
    if (!nickname) return ack(error_answer(nickname.error().message()));
    if (*nickname != member->nickname && is_taken(*nickname))
        return ack(error_answer(fmt::format("the nickname '{}' is taken", *nickname)));
    member->nickname = *nickname;
    socket.data() = json::Value::object({{"nickname", member->nickname}});
    ack(json::Value::object({{"ok", true}, {"nickname", *nickname}}));
    changed(member->rooms);
}

void ChatRoom::on_message(Socket& socket, const Args& args, const Ack& ack) {
    Member* member = member_of(socket);
    if (member == nullptr) return;
    const json::Value& message = args[0];
    if (!message.is_object()) return ack(error_answer("a message is an object {room, text}"));
    const json::Value* room_value = message.find("room");
    auto room = check_room_name(room_value ? *room_value : json::Value{});
    if (!room) return ack(error_answer(room.error().message()));
    if (std::find(member->rooms.begin(), member->rooms.end(), *room) == member->rooms.end())
        return ack(error_answer(fmt::format("join the room '{}' before writing to it", *room)));
    const json::Value* text_value = message.find("text");
    auto text = check_message_text(text_value ? *text_value : json::Value{});
    if (!text) return ack(error_answer(text.error().message()));

    const std::uint64_t id = next_message_id_++;
    const std::int64_t at = clock_();
    json::Value sent = json::Value::object({{"id", id},
                                            {"room", *room},
                                            {"from", member->nickname},
                                            {"text", std::move(*text)},
                                            {"at", at}});
    socket.to(*room).emit("message", sent);
    share_message(sent);   // for the other servers' histories
    remember(*room, std::move(sent));
    // The broadcast has been handed to every member's transport: the sender's tick.
    ack(json::Value::object({{"id", id}, {"at", at}}));
}

void ChatRoom::on_typing(Socket& socket, const Args& args) {
    Member* member = member_of(socket);
    if (member == nullptr || !args[0].is_object()) return;
    const json::Value* room_value = args[0].find("room");
    auto room = check_room_name(room_value ? *room_value : json::Value{});
    if (!room ||
        std::find(member->rooms.begin(), member->rooms.end(), *room) == member->rooms.end())
        return;
    const json::Value* typing = args[0].find("typing");
    const bool is_typing = typing != nullptr && typing->is_bool() && typing->as_bool();
    socket.to(*room).volatile_().emit(
        "typing", json::Value::object(
                      {{"room", *room}, {"nickname", member->nickname}, {"typing", is_typing}}));
}

void ChatRoom::on_disconnect(Socket& socket) {
    const auto found = members_.find(std::string{socket.id()});
    if (found == members_.end()) return;
    const std::vector<std::string> rooms = found->second.rooms;
    for (const std::string& room : rooms) leave(socket, found->second, room);
    members_.erase(found);
    changed(rooms);
}

void ChatRoom::remember(const std::string& room, json::Value message) {
    std::deque<json::Value>& history = history_[room];
    history.push_back(std::move(message));
    if (history.size() > kChatHistoryMessages) history.pop_front();
}

json::Value ChatRoom::member_list(std::string_view room) const {
    json::Array names;
    for (std::string& name : members_of(room)) names.emplace_back(std::move(name));
    return names;
}

void ChatRoom::send_history(Socket& socket, const std::string& room) {
    const auto found = history_.find(room);
    if (found == history_.end() || found->second.empty()) return;
    json::Array messages(found->second.begin(), found->second.end());
    socket.emit("history",
                json::Value::object({{"room", room}, {"messages", std::move(messages)}}));
}

}   // namespace looplab::classroom
