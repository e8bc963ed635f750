// tests/integration/classroom/chat_room_test.cpp — the classroom chat's server side
// (ChatRoom) on a real socketio::Server on 127.0.0.1, port 0, talked to by hand-written
// Socket.IO clients over WebSocket (sio_integration_support.hpp): nicknames, rooms,
// messages with acks, typing, presence, the limits; then the whole ClassroomServer, where
// Socket.IO and the plain WebSocket echo share one port.
#include "looplab/classroom/chat_room.hpp"
#include "looplab/classroom/classroom_server.hpp"
#include "integration/socketio/sio_integration_support.hpp"

#include <algorithm>

using namespace sio_integration;
using classroom::ChatRoom;

namespace {

constexpr std::int64_t kFixedTime = 1'700'000'000'000;

// One Socket.IO packet a client received, taken apart: type, ack id, the JSON after them.
struct Packet {
    char type = '?';
    std::optional<std::uint64_t> ack_id;
    json::Value data;
};

Packet parse_packet(const Msg& message) {
    REQUIRE_FALSE(message.is_binary);
    Packet packet;
    std::string_view text = message.data;
    REQUIRE_FALSE(text.empty());
    packet.type = text[0];
    text.remove_prefix(1);
    std::size_t digits = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
    if (digits > 0) packet.ack_id = std::stoull(std::string{text.substr(0, digits)});
    text.remove_prefix(digits);
    if (!text.empty()) {
        auto parsed = json::parse(text);
        REQUIRE(parsed);
        packet.data = std::move(parsed).value();
    }
    return packet;
}

// A chat client: one WebSocket, CONNECTed with auth; events are kept until taken.
class ChatClient {
public:
    ChatClient(SioFixture& fixture, const json::Value& auth) : fixture_(fixture), ws_(fixture) {
        REQUIRE(fixture.run_until([&] { return ws_.is_connected() && !ws_.frames.empty(); }));
        ws_.send("0" + json::write(auth));
        REQUIRE(fixture.run_until([&] { return !ws_.received.empty(); }));
        connect_reply = parse_packet(take(ws_, 1)[0]);
    }

    // The next event `name` not yet taken (its arguments); fails the test after 3 s.
    json::Array event(std::string_view name) {
        json::Array found;
        // The loop may ask a condition again after it was true: taking happens once.
        bool got = false;
        (void)fixture_.run_until([&] { return got = got || take_event(name, found); });
        if (!got) {
            std::string seen;
            for (const Packet& p : pending_)
                seen += fmt::format("{}:{} ", p.type, p.data.is_null() ? "-" : json::write(p.data));
            for (const Msg& m : ws_.frames) seen += "|" + m.data.substr(0, 60);
            FAIL("no event " << name << "; pending: " << seen);
        }
        return found;
    }
    // True when an event `name` is there now (after a round trip it would be).
    bool has_event(std::string_view name) {
        json::Array ignored;
        return take_event(name, ignored);
    }
    // Sends EVENT [event, args...] asking for an ack; returns the ack's arguments.
    json::Array ask(std::string_view event, const json::Value& arg) {
        const std::uint64_t id = next_ack_++;
        ws_.send(fmt::format("2{}[{},{}]", id, json::write(json::Value{std::string{event}}),
                             json::write(arg)));
        json::Array answer;
        bool got = false;
        REQUIRE(fixture_.run_until([&] {
            if (got) return true;
            drain();
            const auto found = std::find_if(pending_.begin(), pending_.end(), [&](const Packet& p) {
                return p.type == '3' && p.ack_id == id;
            });
            if (found == pending_.end()) return false;
            answer = found->data.as_array();
            pending_.erase(found);
            return got = true;
        }));
        return answer;
    }
    // An ask whose answer comes after everything the server sent before it (one ordered
    // stream): after it, an event that is not there was not sent. (Leaving a room one is not
    // in changes nothing.)
    void round_trip() { ask("leave", json::Value{"-"}); }
    void tell(std::string_view event, const json::Value& arg) {
        ws_.send(fmt::format("2[{},{}]", json::write(json::Value{std::string{event}}),
                             json::write(arg)));
    }
    void close() { ws_.close(); }

    Packet connect_reply;

private:
    void drain() {
        while (!ws_.received.empty()) pending_.push_back(parse_packet(take(ws_, 1)[0]));
    }
    bool take_event(std::string_view name, json::Array& out) {
        drain();
        const auto found = std::find_if(pending_.begin(), pending_.end(), [&](const Packet& p) {
            return p.type == '2' && p.data.is_array() && p.data[0].is_string() &&
                   p.data[0].as_string() == name;
        });
        if (found == pending_.end()) return false;
        const json::Array& all = found->data.as_array();
        out.assign(all.begin() + 1, all.end());
        pending_.erase(found);
        return true;
    }

    SioFixture& fixture_;
    WsClient ws_;
    std::deque<Packet> pending_;
    std::uint64_t next_ack_ = 1;
};

json::Value auth(std::string_view nickname, std::initializer_list<std::string_view> rooms = {}) {
    json::Array list;
    for (const std::string_view room : rooms) list.emplace_back(room);
    json::Value value = json::Value::object({{"nickname", nickname}});
    if (rooms.size() > 0) value.set("rooms", std::move(list));
    return value;
}

json::Value names(std::initializer_list<std::string_view> list) {
    json::Array out;
    for (const std::string_view name : list) out.emplace_back(name);
    return out;
}

json::Value presence(std::string_view room, std::initializer_list<std::string_view> members) {
    return json::Value::object({{"room", room}, {"members", names(members)}});
}

std::string error_of(const json::Array& answer) {
    REQUIRE(answer.size() == 1);
    const json::Value* error = answer[0].find("error");
    REQUIRE(error != nullptr);
    return error->as_string();
}

struct ChatFixture {
    SioFixture sio;
    ChatRoom chat{sio.io, [] { return kFixedTime; }};
};

}   // namespace

TEST_CASE("the chat checks names and texts: trimmed, bounded, no control characters", "[chat]") {
    CHECK(*classroom::check_nickname(json::Value{"  ada \t"}) == "ada");
    CHECK(classroom::check_nickname(json::Value{std::string(32, 'n')}));
    CHECK(classroom::check_nickname(json::Value{std::string(33, 'n')}).error().message() ==
          "a nickname is too long (33 bytes; at most 32)");
    CHECK(classroom::check_nickname(json::Value{"   "}).error().message() ==
          "a nickname cannot be empty");
    CHECK(classroom::check_nickname(json::Value{3}).error().message() ==
          "a nickname must be a string");
    CHECK(classroom::check_nickname(json::Value{"a\x01z"}).error().message() ==
          "a nickname cannot contain control characters");
    CHECK(classroom::check_room_name(json::Value{std::string(33, 'r')}).error().message() ==
          "a room name is too long (33 bytes; at most 32)");
    CHECK(*classroom::check_message_text(json::Value{" spaced "}) == " spaced ");
    CHECK(classroom::check_message_text(
        json::Value{std::string(classroom::kChatMaxMessageBytes, 'x')}));
    CHECK(classroom::check_message_text(
              json::Value{std::string(classroom::kChatMaxMessageBytes + 1, 'x')})
              .error()
              .message() == "a message is too long (2001 bytes; at most 2000)");
    CHECK(classroom::check_message_text(json::Value{" \n "}).error().message() ==
          "a message cannot be empty");
    CHECK(classroom::check_message_text(json::Value{}).error().message() ==
          "a message's text must be a string");
}

TEST_CASE("two chat clients: welcome, presence, a message with its ack, typing, leave, disconnect",
          "[chat]") {
    ChatFixture f;
    ChatClient ada{f.sio, auth("ada")};
    REQUIRE(ada.connect_reply.type == '0');
    const json::Array welcome = ada.event("welcome");
    REQUIRE(welcome.size() == 1);
    CHECK(welcome[0]["nickname"].as_string() == "ada");
    CHECK(welcome[0]["rooms"] == names({"lobby"}));
    CHECK(welcome[0]["limits"]["message"].as_int() == 2000);
    CHECK(ada.event("presence")[0] == presence("lobby", {"ada"}));
    CHECK(ada.event("rooms")[0] ==
          json::Value{json::Array{json::Value::object({{"name", "lobby"}, {"members", 1}})}});

    ChatClient bob{f.sio, auth("bob")};
    bob.event("welcome");
    CHECK(bob.event("presence")[0] == presence("lobby", {"ada", "bob"}));
    CHECK(ada.event("presence")[0] == presence("lobby", {"ada", "bob"}));
    CHECK(f.chat.member_count() == 2);

    // A message: the room gets it, the sender gets the ack with the same id and time.
    const json::Array ack =
        ada.ask("message", json::Value::object({{"room", "lobby"}, {"text", "hi bob"}}));
    CHECK(ack == json::Array{json::Value::object({{"id", 1}, {"at", kFixedTime}})});
    CHECK(bob.event("message")[0] == json::Value::object({{"id", 1},
                                                          {"room", "lobby"},
                                                          {"from", "ada"},
                                                          {"text", "hi bob"},
                                                          {"at", kFixedTime}}));
    ada.round_trip();
    CHECK_FALSE(ada.has_event("message"));
    CHECK(f.chat.messages_sent() == 1);

    // Typing reaches the others only.
    bob.tell("typing", json::Value::object({{"room", "lobby"}, {"typing", true}}));
    CHECK(ada.event("typing")[0] ==
          json::Value::object({{"room", "lobby"}, {"nickname", "bob"}, {"typing", true}}));
    bob.ask("join", json::Value{"side"});
    bob.round_trip();
    CHECK_FALSE(bob.has_event("typing"));

    // A new room: presence there, a room list with both.
    CHECK(bob.event("presence")[0] == presence("side", {"bob"}));
    json::Array rooms;
    do rooms = ada.event("rooms");
    while (rooms[0].size() < 2);
    CHECK(rooms[0] ==
          json::Value{json::Array{json::Value::object({{"name", "lobby"}, {"members", 2}}),
                                  json::Value::object({{"name", "side"}, {"members", 1}})}});
    CHECK(f.chat.members_of("side") == std::vector<std::string>{"bob"});
    CHECK(error_of(ada.ask("message", json::Value::object({{"room", "side"}, {"text", "x"}}))) ==
          "join the room 'side' before writing to it");

    // Leaving and disconnecting tell the room.
    CHECK(bob.ask("leave", json::Value{"lobby"}) ==
          json::Array{json::Value::object({{"ok", true}, {"room", "lobby"}})});
    CHECK(ada.event("presence")[0] == presence("lobby", {"ada"}));
    CHECK(error_of(bob.ask("leave", json::Value{"lobby"})) == "you are not in the room 'lobby'");
    ada.close();
    REQUIRE(f.sio.run_until([&] { return f.chat.member_count() == 1; }));
    CHECK(f.chat.members_of("lobby").empty());
    // Joining a room twice is no error; the answer lists its members.
    CHECK(bob.ask("join", json::Value{"side"})[0]["members"] == names({"bob"}));
    // The lobby is always listed, even empty.
    do rooms = bob.event("rooms");
    while (rooms[0][0]["members"] != json::Value{0});
    CHECK(rooms[0][0]["name"] == json::Value{"lobby"});
}

TEST_CASE(
    "chat nicknames: required and checked at CONNECT, made unique, renames refused when taken",
    "[chat]") {
    ChatFixture f;
    ChatClient nobody{f.sio, json::Value::object()};
    CHECK(nobody.connect_reply.type == '4');
    CHECK(nobody.connect_reply.data["message"].as_string() ==
          "a nickname is required: connect with auth {nickname}");
    ChatClient too_long{f.sio, auth(std::string(40, 'x'))};
    CHECK(too_long.connect_reply.type == '4');
    CHECK(too_long.connect_reply.data["message"].as_string() ==
          "a nickname is too long (40 bytes; at most 32)");
    CHECK(f.chat.member_count() == 0);

    ChatClient first{f.sio, auth("sam", {"r"})};
    CHECK(first.event("welcome")[0]["nickname"].as_string() == "sam");
    ChatClient second{f.sio, auth(" sam ", {"r"})};
    CHECK(second.event("welcome")[0]["nickname"].as_string() == "sam-2");
    // A long name keeps the suffix within the limit.
    ChatClient long_one{f.sio, auth(std::string(32, 'L'))};
    ChatClient long_two{f.sio, auth(std::string(32, 'L'))};
    CHECK(long_two.event("welcome")[0]["nickname"].as_string() == std::string(30, 'L') + "-2");

    CHECK(error_of(second.ask("nickname", json::Value{"sam"})) == "the nickname 'sam' is taken");
    CHECK(second.ask("nickname", json::Value{"kim"}) ==
          json::Array{json::Value::object({{"ok", true}, {"nickname", "kim"}})});
    json::Array seen;
    do seen = first.event("presence");
    while (seen[0] != presence("r", {"sam", "kim"}));
}

TEST_CASE("chat limits: rooms per member, room and message sizes, bad payloads answer {error}",
          "[chat]") {
    ChatFixture f;
    ChatClient eve{f.sio, auth("eve", {"a", "a", "b"})};
    CHECK(eve.event("welcome")[0]["rooms"] == names({"a", "b"}));
    for (std::size_t i = 2; i < classroom::kChatMaxRoomsPerMember; ++i)
        CHECK(eve.ask("join", json::Value{fmt::format("room-{}", i)})[0]["ok"] ==
              json::Value{true});
    CHECK(error_of(eve.ask("join", json::Value{"one-more"})) ==
          "you are in 10 rooms already (at most 10): leave one first");
    CHECK(error_of(eve.ask("join", json::Value{std::string(33, 'r')})) ==
          "a room name is too long (33 bytes; at most 32)");
    CHECK(error_of(eve.ask("message", json::Value{"text only"})) ==
          "a message is an object {room, text}");
    CHECK(error_of(eve.ask(
              "message", json::Value::object({{"room", "a"}, {"text", std::string(2001, 'x')}}))) ==
          "a message is too long (2001 bytes; at most 2000)");
    CHECK(error_of(eve.ask("message", json::Value::object({{"text", "no room"}}))) ==
          "a room name must be a string");
    CHECK(error_of(eve.ask("nickname", json::Value{json::Array{}})) ==
          "a nickname must be a string");
    // Events without an ack that fail are dropped; the connection goes on.
    eve.tell("message", json::Value{"no ack wanted"});
    eve.tell("typing", json::Value{7});
    CHECK(
        eve.ask("message", json::Value::object({{"room", "a"}, {"text", "still here"}}))[0]["id"] ==
        json::Value{1});
}

TEST_CASE("the server-wide room limit refuses a new room, not an existing one", "[chat]") {
    ChatFixture f;
    std::vector<std::unique_ptr<ChatClient>> clients;
    std::size_t room = 0;
    while (room < classroom::kChatMaxRooms - 1) {   // the lobby is the first room
        auto client = std::make_unique<ChatClient>(f.sio, auth(fmt::format("p{}", clients.size())));
        for (std::size_t i = 1;
             i < classroom::kChatMaxRoomsPerMember && room < classroom::kChatMaxRooms - 1; ++i)
            REQUIRE(client->ask("join", json::Value{fmt::format("r{}", room++)})[0]["ok"] ==
                    json::Value{true});
        clients.push_back(std::move(client));
    }
    ChatClient late{f.sio, auth("late")};
    CHECK(error_of(late.ask("join", json::Value{"brand-new"})) ==
          "the server has 100 rooms already (at most 100): join one of them");
    CHECK(late.ask("join", json::Value{"r0"})[0]["ok"] == json::Value{true});
}

TEST_CASE(
    "the classroom server: the chat on /socket.io/, the plain WebSocket echo and the pages on one "
    "port",
    "[chat]") {
    loop::EventLoop loop;
    classroom::ClassroomOptions options;
    options.web_root = "src/web";
    classroom::ClassroomServer server{loop, options};
    REQUIRE(server.listen(net::Address::loopback(0)));
    const net::Address address = server.local_address();

    // The seed snippet's echo on "/".
    ws::WebSocketClient echo_client{loop};
    std::unique_ptr<ws::WebSocketConnection> echo;
    std::string echoed;
    echo_client.connect(
        address, "localhost", "/", [&](Result<std::unique_ptr<ws::WebSocketConnection>> made) {
            REQUIRE(made);
            echo = std::move(made).value();
            echo->socket().on(events::message, [&](const ws::Message& m) { echoed = m.payload; });
            echo->start();
            REQUIRE(echo->socket().send_text("Hello!"));
        });
    REQUIRE(loop.run_until([&] { return echoed == "Hello!"; }, 3000ms));

    // Socket.IO on the same port: the Engine.IO open packet, then the chat's welcome.
    ws::WebSocketClient sio_client{loop};
    std::unique_ptr<ws::WebSocketConnection> sio;
    std::vector<std::string> frames;
    sio_client.connect(address, "localhost", "/socket.io/?EIO=4&transport=websocket",
                       [&](Result<std::unique_ptr<ws::WebSocketConnection>> made) {
                           REQUIRE(made);
                           sio = std::move(made).value();
                           sio->socket().on(events::message, [&](const ws::Message& m) {
                               frames.push_back(m.payload);
                           });
                           sio->start();
                       });
    REQUIRE(loop.run_until([&] { return frames.size() == 1; }, 3000ms));
    CHECK(frames[0].starts_with(R"(0{"sid":")"));
    REQUIRE(sio->socket().send_text(R"(40{"nickname":"ada"})"));
    REQUIRE(loop.run_until([&] { return frames.size() >= 3; }, 3000ms));
    CHECK(frames[1].starts_with(R"(40{"sid":")"));
    CHECK(frames[2].starts_with(R"(42["welcome",{"id":")"));
    CHECK(server.chat_room().member_count() == 1);

    // The pages, with the types a browser needs (an ES module must be JavaScript).
    struct Page {
        std::string path;
        std::string type;
        std::string contains;
    };
    for (const Page& page :
         {Page{"/", "text/html", "looplab — classroom chat"},
          Page{"/inspector.html", "text/html", "WebSocket classroom"},
          Page{"/chat.js", "text/javascript", "import { io } from \"/looplab-client.js\""},
          Page{"/looplab-client.js", "text/javascript", "export function io("},
          Page{"/chat.css", "text/css", ""}}) {
        CAPTURE(page.path);
        testing::RawClient raw{loop, address};
        raw.send(fmt::format("GET {} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", page.path));
        REQUIRE(loop.run_until([&] { return raw.closed; }, 3000ms));
        CHECK(raw.received.starts_with("HTTP/1.1 200 "));
        CHECK(raw.received.find("Content-Type: " + page.type) != std::string::npos);
        CHECK(raw.received.find(page.contains) != std::string::npos);
    }

    // Shutting down closes the Socket.IO connection (no DISCONNECT packet: its clients
    // reconnect by themselves) and says goodbye to the plain WebSocket.
    bool sio_closed = false;
    bool echo_closed = false;
    sio->socket().on(events::close, [&](const ws::CloseInfo&) { sio_closed = true; });
    echo->socket().on(events::close, [&](const ws::CloseInfo&) { echo_closed = true; });
    const std::size_t before = frames.size();
    server.shut_down();
    REQUIRE(loop.run_until([&] { return sio_closed && echo_closed; }, 3000ms));
    for (std::size_t i = before; i < frames.size(); ++i) CHECK_FALSE(frames[i].starts_with("41"));
    CHECK(server.chat_room().member_count() == 0);
}

TEST_CASE("a room's history: who joins gets its last messages; an emptied room forgets them",
          "[chat]") {
    ChatFixture f;
    ChatClient ada{f.sio, auth("ada", {"h"})};
    const std::size_t sent = classroom::kChatHistoryMessages + 2;
    for (std::size_t i = 1; i <= sent; ++i)
        REQUIRE(
            ada.ask("message", json::Value::object(
                                   {{"room", "h"}, {"text", fmt::format("m{}", i)}}))[0]["id"] ==
            json::Value{i});
    ada.round_trip();
    CHECK_FALSE(ada.has_event("history"));   // nobody gets their own messages back

    ChatClient bob{f.sio, auth("bob", {"h"})};
    const json::Array history = bob.event("history");
    REQUIRE(history.size() == 1);
    CHECK(history[0]["room"] == json::Value{"h"});
    const json::Value& messages = history[0]["messages"];
    REQUIRE(messages.size() == classroom::kChatHistoryMessages);
    CHECK(messages[0] ==
          json::Value::object(
              {{"id", 3}, {"room", "h"}, {"from", "ada"}, {"text", "m3"}, {"at", kFixedTime}}));
    CHECK(messages[classroom::kChatHistoryMessages - 1]["text"] ==
          json::Value{fmt::format("m{}", sent)});

    // A room without messages sends no history; a room everybody left forgets its own.
    bob.ask("join", json::Value{"quiet"});
    bob.round_trip();
    CHECK_FALSE(bob.has_event("history"));
    ada.ask("leave", json::Value{"h"});
    bob.ask("leave", json::Value{"h"});
    bob.ask("join", json::Value{"h"});
    bob.round_trip();
    CHECK_FALSE(bob.has_event("history"));
}
