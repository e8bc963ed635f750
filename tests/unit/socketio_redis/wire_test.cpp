// tests/unit/socketio_redis/wire_test.cpp — what crosses Redis, byte for byte. The expected
// bytes were written by the official encoder (notepack.io 3.0.1, the one
// @socket.io/redis-adapter 8.x uses) from the same JavaScript values.
#include "looplab/socketio_redis/wire.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace looplab;
namespace json = codec::json;
using socketio_redis::Channels;

namespace {

std::string from_hex(std::string_view hex) {
    std::string bytes;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        bytes.push_back(static_cast<char>(std::stoi(std::string{hex.substr(i, 2)}, nullptr, 16)));
    return bytes;
}

// ["k3Jv9Q", {type: 2, data: ["chat", "hi", 1.5, -3, <00 ff>], nsp: "/"},
//  {rooms: ["lobby"], except: ["abc"], flags: {volatile: true}}]
constexpr std::string_view kNotepackBroadcast =
    "93a66b334a76395183a47479706502a46461746195a463686174a26869cb3ff8000000000000fdc40200ffa36e7370"
    "a12f83a5726f6f6d7391a56c6f626279a665786365707491a3616263a5666c61677381a8766f6c6174696c65c3";

}   // namespace

TEST_CASE("redis wire: channel names are the official adapter's", "[socketio_redis]") {
    const Channels chat{"/chat"};
    CHECK(chat.broadcast() == "socket.io#/chat#");
    CHECK(chat.pattern() == "socket.io#/chat#*");
    CHECK(chat.room("lobby") == "socket.io#/chat#lobby#");
    CHECK(chat.request() == "socket.io-request#/chat#");
    CHECK(chat.response() == "socket.io-response#/chat#");
    CHECK(chat.response_for("k3Jv9Q") == "socket.io-response#/chat#k3Jv9Q#");
    CHECK(chat.room_of("socket.io#/chat#") == std::optional<std::string_view>{""});
    CHECK(chat.room_of("socket.io#/chat#lobby#") == std::optional<std::string_view>{"lobby"});
    CHECK_FALSE(chat.room_of("socket.io#/chatroom#").has_value());
    CHECK_FALSE(chat.room_of("socket.io#/chat#lobby").has_value());
    CHECK(Channels{"/", "app"}.broadcast() == "app#/#");
}

TEST_CASE("redis wire: a broadcast is encoded exactly as notepack encodes it", "[socketio_redis]") {
    socketio::Packet packet;
    packet.data =
        json::Value::array({"chat", "hi", 1.5, -3, json::Value::bytes(std::string{"\x00\xff", 2})});
    socketio::BroadcastOptions opts;
    opts.rooms = {"lobby", "lobby"};   // a Set on the JS side: written once
    opts.except = {"abc"};
    opts.flags.is_volatile = true;
    CHECK(socketio_redis::encode_broadcast("k3Jv9Q", packet, opts) == from_hex(kNotepackBroadcast));
}

TEST_CASE("redis wire: notepack's broadcast decodes to the packet and options",
          "[socketio_redis]") {
    auto message = socketio_redis::decode_broadcast(from_hex(kNotepackBroadcast));
    REQUIRE(message);
    CHECK(message->uid == "k3Jv9Q");
    CHECK(message->packet.nsp == "/");
    CHECK(message->packet.type == socketio::PacketType::Event);
    CHECK(*message->packet.data ==
          json::Value::array(
              {"chat", "hi", 1.5, -3, json::Value::bytes(std::string{"\x00\xff", 2})}));
    CHECK(message->opts.rooms == std::vector<std::string>{"lobby"});
    CHECK(message->opts.except == std::vector<std::string>{"abc"});
    CHECK(message->opts.flags.is_volatile);
    CHECK_FALSE(message->opts.flags.is_local);
}

TEST_CASE("redis wire: requests as JSON or msgpack, told apart by the first byte",
          "[socketio_redis]") {
    // {uid, requestId, type: 7, packet, opts: {.., flags: {timeout: 2000}}}, by notepack
    const std::string msgpack_request = from_hex(
        "85a3756964a66b334a763951a9726571756573744964a27231a47479706507a67061636b657483a47479706502"
        "a4"
        "6461746191a4706f6c6ca36e7370a12fa46f70747383a5726f6f6d7390a665786365707490a5666c61677381a7"
        "74"
        "696d656f7574cd07d0");
    auto request = socketio_redis::decode_message(msgpack_request);
    REQUIRE(request);
    CHECK((*request)["type"] == json::Value{7});
    auto packet = socketio_redis::packet_from_json((*request)["packet"]);
    REQUIRE(packet);
    CHECK(*packet->data == json::Value::array({"poll"}));
    auto opts = socketio_redis::options_from_json((*request)["opts"]);
    REQUIRE(opts);
    CHECK(opts->flags.timeout == Millis{2000});
    // And ours, from the same values, is the same bytes.
    json::Value ours =
        json::Value::object({{"uid", "k3Jv9Q"},
                             {"requestId", "r1"},
                             {"type", 7},
                             {"packet", socketio_redis::packet_to_json(*packet)},
                             {"opts", socketio_redis::options_to_json(*opts, true)}});
    CHECK(socketio_redis::encode_msgpack_message(ours) == msgpack_request);

    const std::string json_request =
        R"({"uid":"k3Jv9Q","requestId":"r2","type":5,"opts":{"rooms":["a"],"except":[]}})";
    auto fetch = socketio_redis::decode_message(json_request);
    REQUIRE(fetch);
    socketio::BroadcastOptions selection;
    selection.rooms = {"a"};
    json::Value again =
        json::Value::object({{"uid", "k3Jv9Q"},
                             {"requestId", "r2"},
                             {"type", 5},
                             {"opts", socketio_redis::options_to_json(selection, false)}});
    CHECK(socketio_redis::encode_json_message(again) == json_request);
}

TEST_CASE("redis wire: what is not a message is an error that says why", "[socketio_redis]") {
    const auto broadcast_error = [](std::string_view bytes) {
        auto decoded = socketio_redis::decode_broadcast(bytes);
        REQUIRE_FALSE(decoded);
        return decoded.error().message();
    };
    CHECK(broadcast_error("\xc1").find("not msgpack") != std::string::npos);
    CHECK(broadcast_error(from_hex("92a17801")).find("3-element array") != std::string::npos);
    CHECK(broadcast_error(from_hex("93a1780180")).find("packet must be an object") !=
          std::string::npos);
    CHECK(broadcast_error(from_hex("93a17881a47479706503"
                                   "80"))
              .find("packet.type must be 2") != std::string::npos);
    CHECK(broadcast_error(from_hex("93a17882a47479706502a46461746190"
                                   "80"))
              .find("packet.data must be an array") != std::string::npos);
    CHECK(broadcast_error(from_hex("93a17882a47479706502a46461746191a178"
                                   "81a5726f6f6d7307"))
              .find("opts.rooms must be an array") != std::string::npos);

    CHECK_FALSE(socketio_redis::decode_message(R"({"type":)"));
    CHECK_FALSE(
        socketio_redis::decode_message("[1,2]"));   // not msgpack either: '[' is a fixint 0x5b
    CHECK_FALSE(socketio_redis::decode_message(""));
    // A room that is a number (JavaScript allows it) becomes its text.
    auto opts =
        socketio_redis::options_from_json(*json::parse(R"({"rooms":[7,"b"],"except":null})"));
    REQUIRE(opts);
    CHECK(opts->rooms == std::vector<std::string>{"7", "b"});
    CHECK(opts->except.empty());
}
