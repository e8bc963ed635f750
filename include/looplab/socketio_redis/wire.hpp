// looplab/socketio_redis/wire.hpp
//
// What Socket.IO servers say to each other through Redis — byte for byte the format of the
// official `@socket.io/redis-adapter` 8.x ("classic" mode, Redis PUBLISH / PSUBSCRIBE), so a
// looplab server and a Node server can share one Redis. Pure: no sockets, no Redis here.
// Teaches: lesson 19 (a room spanning two servers: what actually crosses Redis).
// Read: PROTOCOLS.md §4.1, notes/19-rooms-across-servers.md.
//
// Channels, for namespace "/chat" and the default key prefix "socket.io":
//
//     socket.io#/chat#             a broadcast to several rooms, or to everybody
//     socket.io#/chat#lobby#       a broadcast to exactly one room ("lobby")
//     socket.io-request#/chat#     questions to every server (fetch sockets, join, ...)
//     socket.io-response#/chat#    their answers
//
// A server PSUBSCRIBEs to `socket.io#/chat#*` and SUBSCRIBEs to the request and response
// channels. Redis counts the subscribers of the request channel: that count is the number
// of servers (PUBSUB NUMSUB), which says how many answers a question waits for.
//
// A broadcast is msgpack of a 3-element array (what notepack.io writes for the JS objects):
//
//     [ "k3Jv9Q",                                   the sender's uid (6 characters)
//       { "type": 2, "data": ["chat", "hi"], "nsp": "/chat" },     the Socket.IO packet, decoded
//       { "rooms": ["lobby"], "except": [], "flags": {} } ]        who gets it
//
//     93 a6 6b 33 4a 76 39 51 83 a4 74 79 70 65 02 a4 64 61 74 61 92 a4 63 68 61 74 ...
//
// Binary arguments travel as msgpack bin (no placeholders). Requests and responses are JSON
// text `{"uid":..,"requestId":..,"type":N,..}`, except the broadcast-with-acks request (type 7)
// and its acks (type 9), which are msgpack because they carry packets; a receiver tells them
// apart by the first byte ('{' is JSON).
//
// Contract: pure functions; the decoders take untrusted bytes (another server, or anyone who
// can PUBLISH to Redis) and answer with an Error, never a crash.
#pragma once

#include "looplab/codec/json.hpp"
#include "looplab/core/result.hpp"
#include "looplab/socketio/adapter.hpp"
#include "looplab/socketio/packet.hpp"

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace looplab::socketio_redis {

namespace json = codec::json;

// The `key` option of the official adapter: the first word of every channel name.
inline constexpr std::string_view kRedisDefaultChannelPrefix = "socket.io";
// Length of a server's uid and of a request id (uid2(6) in the official adapter).
inline constexpr std::size_t kRedisUidLength = 6;

// The channel names of one namespace.
class Channels {
public:
    explicit Channels(std::string_view nsp, std::string_view prefix = kRedisDefaultChannelPrefix);

    const std::string& broadcast() const { return broadcast_; }   // socket.io#/chat#
    std::string pattern() const { return broadcast_ + "*"; }      // socket.io#/chat#*
    std::string room(std::string_view room) const;                // socket.io#/chat#lobby#
    const std::string& request() const { return request_; }       // socket.io-request#/chat#
    const std::string& response() const { return response_; }     // socket.io-response#/chat#
    // The opt-in channel for answers to one server: socket.io-response#/chat#<uid>#.
    std::string response_for(std::string_view uid) const;

    // For a channel of this namespace's broadcasts: the room it names ("" when none);
    // nullopt for any other channel.
    std::optional<std::string_view> room_of(std::string_view channel) const;
    // True for the response channel and for the one-server response channels.
    bool is_response(std::string_view channel) const;

private:
    std::string broadcast_;
    std::string request_;
    std::string response_;
};

// The cluster questions and answers (the official RequestType, same numbers).
enum class RequestType : std::uint8_t {
    Sockets = 0,                // ids of the sockets in some rooms
    AllRooms = 1,               // every room of every server
    RemoteJoin = 2,             // make the selected sockets join rooms
    RemoteLeave = 3,            // ... leave rooms
    RemoteDisconnect = 4,       // ... disconnect
    RemoteFetch = 5,            // describe the selected sockets
    ServerSideEmit = 6,         // an event for the other servers (and its answers)
    Broadcast = 7,              // a broadcast whose recipients answer (msgpack)
    BroadcastClientCount = 8,   // answer: how many recipients this server reached
    BroadcastAck = 9,           // answer: one recipient's answer (msgpack)
};

// A random id of kRedisUidLength letters and digits, like uid2(6).
std::string make_uid(std::minstd_rand& random);

// ---- broadcasts ----------------------------------------------------------------------------

struct BroadcastMessage {
    std::string uid;           // the sender
    socketio::Packet packet;   // an EVENT; its data holds Bytes where bin arrived
    socketio::BroadcastOptions opts;
};

// The msgpack bytes of [uid, packet, {rooms, except, flags}]. Rooms and except are written
// once each, in their order (a JS Set has no duplicates). A packet id is written when set.
std::string encode_broadcast(std::string_view uid, const socketio::Packet& packet,
                             const socketio::BroadcastOptions& opts);
// Reads one back. Errors name what is wrong: "redis adapter: a broadcast must be a
// 3-element array", "redis adapter: packet.data must be an array", ...
// A packet without nsp is "/" (as the official adapter reads it).
[[nodiscard]] Result<BroadcastMessage> decode_broadcast(std::string_view bytes);

// ---- requests and responses ----------------------------------------------------------------

// A request or response as JSON text (`{` first) or msgpack (anything else), read into one
// json::Value that must be an object (msgpack bin becomes Bytes).
[[nodiscard]] Result<json::Value> decode_message(std::string_view bytes);
// JSON text, for every request and response except the two below.
std::string encode_json_message(const json::Value& message);
// msgpack, for type 7 (it carries a packet that may hold binary) and type 9.
std::string encode_msgpack_message(const json::Value& message);
// A decoded request's or response's "type" (-1 when missing or not an integer), and one of
// its string fields ("" when missing or not a string): what a receiver reads first.
int message_type(const json::Value& message);
std::string message_text(const json::Value& message, std::string_view field);

// The packet of a request as the official adapter writes it: {type, data, nsp[, id]}.
json::Value packet_to_json(const socketio::Packet& packet);
// And back: an EVENT (type 2, or 5 written by a peer that pre-encoded binary).
[[nodiscard]] Result<socketio::Packet> packet_from_json(const json::Value& value);

// True when every string (and key) in `value` is UTF-8: what JSON text may hold. The msgpack
// decoders refuse messages that fail it ("... holds a string that is not UTF-8").
bool holds_only_utf8(const json::Value& value);

// {rooms: [...], except: [...]} (and `flags` when asked), and back. Missing arrays are empty;
// a room that is a number (JS allows it) becomes its text.
json::Value options_to_json(const socketio::BroadcastOptions& opts, bool with_flags);
[[nodiscard]] Result<socketio::BroadcastOptions> options_from_json(const json::Value& value);

}   // namespace looplab::socketio_redis
