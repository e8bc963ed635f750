// The classroom chat across servers: what one ChatRoom tells the other servers of a cluster
// and hears from them (the server-side events "chat:changed" and "chat:message"), and the
// member lists it builds from fetch_sockets(), which asks every server. With the in-memory
// adapter all of this stays on one server: fetch_sockets() answers at once and server-side
// events go nowhere. The single-server chat (checks, joins, messages, history) is in
// chat_room.cpp; the protocol, the limits and what stays per server are in chat_room.hpp.
#include "looplab/classroom/chat_room.hpp"

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace looplab::classroom {

using socketio::Args;

// News from the other servers of a cluster (only a cluster adapter delivers these).
void ChatRoom::listen_to_other_servers() {
    socketio::Namespace& main = io_.main_namespace();
    // Another server's rooms changed: recompute what our members of those rooms see.
    changed_listener_ = main.on_server_side("chat:changed", [this](const Args& args) {
        if (args.size() < 1 || !args[0].is_array()) return;
        for (const json::Value& room : args[0].as_array())
            if (room.is_string() && rooms_.contains(room.as_string()))
                send_presence(room.as_string());
        send_room_list();
    });
    // A message said on another server: kept in the history of a room we have members in.
    message_listener_ = main.on_server_side("chat:message", [this](const Args& args) {
        if (args.size() < 1 || !args[0].is_object()) return;
        const json::Value* room = args[0].find("room");
        if (room != nullptr && room->is_string() && rooms_.contains(room->as_string()))
            remember(room->as_string(), args[0]);
    });
}

ChatRoom::~ChatRoom() {
    io_.main_namespace().off_server_side(changed_listener_);
    io_.main_namespace().off_server_side(message_listener_);
}

void ChatRoom::changed(const std::vector<std::string>& rooms) {
    for (const std::string& room : rooms) send_presence(room);
    send_room_list();
    json::Array names(rooms.begin(), rooms.end());
    io_.main_namespace().server_side_emit("chat:changed", std::move(names));
}

// A message said here, for the other servers' histories (the adapter already carries the
// "message" broadcast itself to their members).
void ChatRoom::share_message(const json::Value& message) {
    io_.main_namespace().server_side_emit("chat:message", message);
}

// To this server's members of `room`: every member on every server, ours first in join
// order, then the others as their servers described them.
void ChatRoom::send_presence(const std::string& room) {
    io_.in(room).fetch_sockets([this, alive = std::weak_ptr<bool>{alive_},
                                room](std::vector<socketio::SocketInfo> sockets) {
        if (alive.expired()) return;
        json::Array names;
        for (std::string& name : members_of(room)) names.emplace_back(std::move(name));
        for (const socketio::SocketInfo& info : sockets) {
            if (info.local != nullptr) continue;
            const json::Value* nickname =
                info.data.is_object() ? info.data.find("nickname") : nullptr;
            if (nickname != nullptr && nickname->is_string()) names.push_back(*nickname);
        }
        io_.local().to(room).emit(
            "presence", json::Value::object({{"room", room}, {"members", std::move(names)}}));
    });
}

// To this server's sockets: every room with people in it on any server, with its count
// (kChatLobby first and always; a socket's own id is a room too, and is not listed).
void ChatRoom::send_room_list() {
    io_.fetch_sockets(
        [this, alive = std::weak_ptr<bool>{alive_}](std::vector<socketio::SocketInfo> sockets) {
            if (alive.expired()) return;
            std::map<std::string, std::size_t, std::less<>> counts;
            for (const socketio::SocketInfo& info : sockets)
                for (const socketio::Room& room : info.rooms)
                    if (room != info.id) ++counts[room];
            json::Array list;
            const auto entry = [](std::string_view name, std::size_t count) {
                return json::Value::object({{"name", name}, {"members", count}});
            };
            const auto lobby = counts.find(kChatLobby);
            list.push_back(entry(kChatLobby, lobby == counts.end() ? 0 : lobby->second));
            for (const auto& [name, count] : counts)
                if (name != kChatLobby) list.push_back(entry(name, count));
            io_.local().emit("rooms", std::move(list));
        });
}

}   // namespace looplab::classroom
