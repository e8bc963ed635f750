// socketio_redis/socket_description.cpp — a socket described for another server, and read back.
#include "looplab/socketio_redis/socket_description.hpp"

#include "looplab/engineio/session.hpp"
#include "looplab/socketio/socket.hpp"

#include <cctype>
#include <ctime>
#include <string>

namespace looplab::socketio_redis {

namespace {

// JavaScript's Date.prototype.toString() in UTC: "Mon Dec 07 2026 03:00:00 GMT+0000 (Coordinated
// Universal Time)" — what socket.io puts in handshake.time.
std::string js_date_text(std::int64_t epoch_ms) {
    const std::time_t seconds = static_cast<std::time_t>(epoch_ms / 1000);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[96];
    const std::size_t size = std::strftime(
        text, sizeof text, "%a %b %d %Y %H:%M:%S GMT+0000 (Coordinated Universal Time)", &utc);
    return std::string(text, size);
}

}   // namespace

json::Value describe_handshake(const socketio::Socket& socket) {
    const engineio::Handshake& handshake = socket.handshake();
    json::Value headers = json::Value::object();
    const http::Headers sent = handshake.headers();   // a copy: keep it alive while walking it
    for (const auto& [name, value] : sent.all()) {
        std::string lower = name;
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (headers.find(lower) == nullptr) headers.set(std::move(lower), value);
    }
    json::Value query = json::Value::object();
    http::QueryParams params = handshake.query();
    for (auto& [name, value] : params)
        if (query.find(name) == nullptr) query.set(std::move(name), std::move(value));
    json::Value out = json::Value::object();
    out.set("headers", std::move(headers));
    out.set("time", js_date_text(handshake.issued_ms()));
    out.set("address", handshake.peer_address().ip());
    out.set("xdomain", handshake.header("origin").has_value());
    out.set("secure", false);   // looplab speaks no TLS (a terminator in front does)
    out.set("issued", handshake.issued_ms());
    out.set("url", handshake.url());
    out.set("query", std::move(query));
    out.set("auth", socket.auth());
    return out;
}

json::Value describe_socket(const socketio::Socket& socket) {
    json::Array rooms;
    for (std::string& room : socket.rooms()) rooms.emplace_back(std::move(room));
    json::Value out = json::Value::object();
    out.set("id", std::string{socket.id()});
    out.set("handshake", describe_handshake(socket));
    out.set("rooms", json::Value{std::move(rooms)});
    out.set("data", socket.data());
    return out;
}

std::optional<socketio::SocketInfo> read_socket_description(const json::Value& description) {
    if (!description.is_object()) return std::nullopt;
    const json::Value* id = description.find("id");
    if (id == nullptr || !id->is_string()) return std::nullopt;
    socketio::SocketInfo info;
    info.id = id->as_string();
    if (const json::Value* rooms = description.find("rooms"); rooms != nullptr && rooms->is_array())
        for (const json::Value& room : rooms->as_array())
            if (room.is_string()) info.rooms.push_back(room.as_string());
    if (const json::Value* data = description.find("data")) info.data = *data;
    if (const json::Value* handshake = description.find("handshake")) info.handshake = *handshake;
    return info;
}

}   // namespace looplab::socketio_redis
