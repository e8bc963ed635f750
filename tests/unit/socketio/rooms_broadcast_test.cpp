// tests/unit/socketio/rooms_broadcast_test.cpp — rooms (join/leave, the own-id room, left on
// disconnect), broadcast selections (to/in/except, union each socket once, sender excluded),
// broadcasts with acks under a timeout, and the cluster utilities on the in-memory adapter.
#include "sio_test_support.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

using namespace sio_test;
using socketio::AckError;
using socketio::Args;
using socketio::Socket;

namespace {

// N peers on "/", each with its server-side socket; peer i joins the rooms given for it.
struct Room {
    explicit Room(std::size_t count, socketio::ServerOptions options = {}) : h(std::move(options)) {
        h.io.on_connection([this](Socket& s) { sockets.push_back(&s); });
        for (std::size_t i = 0; i < count; ++i) peers.push_back(&h.connect());
    }
    // Which peers got exactly `text` since the last call (by index), then forgets everything.
    std::vector<std::size_t> got(std::string_view text) {
        std::vector<std::size_t> who;
        for (std::size_t i = 0; i < peers.size(); ++i) {
            const auto texts = peers[i]->take_texts();
            const auto n = std::count(texts.begin(), texts.end(), std::string{text});
            CHECK(n <= 1);   // never twice
            if (n == 1) who.push_back(i);
        }
        return who;
    }
    SioHarness h;
    std::vector<FakeSession*> peers;
    std::vector<Socket*> sockets;
};

using Who = std::vector<std::size_t>;

}   // namespace

TEST_CASE("join, leave, rooms(): the own id first; room sizes count the own-id room",
          "[socketio]") {
    Room t{2};
    Socket& a = *t.sockets[0];
    a.join("lobby");
    a.join({"game", "lobby"});   // joining twice is once
    auto rooms = a.rooms();
    CHECK(rooms.front() == a.id());
    std::sort(rooms.begin() + 1, rooms.end());
    CHECK(rooms == std::vector<std::string>{std::string{a.id()}, "game", "lobby"});
    socketio::Adapter& adapter = t.h.io.main_namespace().adapter();
    CHECK(adapter.room_size("lobby") == 1);
    CHECK(adapter.room_size(a.id()) == 1);
    CHECK(adapter.room_size("nobody") == 0);
    a.leave("game");
    a.leave("never-joined");
    CHECK(a.rooms() == std::vector<std::string>{std::string{a.id()}, "lobby"});
    a.leave("lobby");
    CHECK(adapter.rooms().empty());   // an empty room does not linger
}

TEST_CASE("to(room) reaches its members; to(id) one socket; io.emit everyone", "[socketio]") {
    Room t{4};
    t.sockets[0]->join("lobby");
    t.sockets[2]->join("lobby");
    t.h.io.to("lobby").emit("m", 1);
    CHECK(t.got(R"(2["m",1])") == Who{0, 2});
    t.h.io.to(t.sockets[3]->id()).emit("m", 2);
    CHECK(t.got(R"(2["m",2])") == Who{3});
    t.h.io.emit("m", 3);
    CHECK(t.got(R"(2["m",3])") == Who{0, 1, 2, 3});
    t.h.io.to("empty").emit("m", 4);
    CHECK(t.got(R"(2["m",4])").empty());
}

TEST_CASE("a union of rooms reaches each socket once; except removes members (or an id)",
          "[socketio]") {
    Room t{5};
    t.sockets[0]->join({"a", "b"});
    t.sockets[1]->join("a");
    t.sockets[2]->join("b");
    t.sockets[3]->join({"b", "muted"});
    t.h.io.to("a").to("b").emit("m", 1);
    CHECK(t.got(R"(2["m",1])") == Who{0, 1, 2, 3});
    t.h.io.to({"a", "b"}).except("muted").emit("m", 2);
    CHECK(t.got(R"(2["m",2])") == Who{0, 1, 2});
    t.h.io.except("muted").except(t.sockets[4]->id()).emit("m", 3);
    CHECK(t.got(R"(2["m",3])") == Who{0, 1, 2});
    t.h.io.in("a").except("b").emit("m", 4);
    CHECK(t.got(R"(2["m",4])") == Who{1});
}

TEST_CASE("a socket's broadcasts leave the sender out", "[socketio]") {
    Room t{3};
    for (Socket* s : t.sockets) s->join("lobby");
    Socket& sender = *t.sockets[1];
    sender.to("lobby").emit("m", 1);
    CHECK(t.got(R"(2["m",1])") == Who{0, 2});
    sender.broadcast().emit("m", 2);
    CHECK(t.got(R"(2["m",2])") == Who{0, 2});
    sender.except(t.sockets[0]->id()).emit("m", 3);
    CHECK(t.got(R"(2["m",3])") == Who{2});
    sender.to(sender.id()).emit("m", 4);   // to itself, but the sender is excluded
    CHECK(t.got(R"(2["m",4])").empty());
}

TEST_CASE("a broadcast from inside a listener, during another broadcast, is delivered whole",
          "[socketio]") {
    Room t{3};
    t.sockets[0]->on_any_outgoing([&](std::string_view event, const Args&) {
        if (event == "outer") t.h.io.emit("inner", 1);
    });
    t.h.io.emit("outer", 2);
    for (FakeSession* peer : t.peers) {
        const auto texts = peer->take_texts();
        CHECK(std::count(texts.begin(), texts.end(), R"(2["outer",2])") == 1);
        CHECK(std::count(texts.begin(), texts.end(), R"(2["inner",1])") == 1);
    }
}

TEST_CASE("every room is left on disconnect", "[socketio]") {
    Room t{2};
    t.sockets[0]->join({"a", "b"});
    t.sockets[1]->join("a");
    t.h.drop(*t.peers[0]);
    socketio::Adapter& adapter = t.h.io.main_namespace().adapter();
    CHECK(adapter.room_size("a") == 1);
    CHECK(adapter.room_size("b") == 0);
    CHECK(adapter.rooms() == std::vector<socketio::Room>{"a"});
    t.h.io.to("b").emit("m", 1);
    t.h.io.to("a").emit("m", 2);
    CHECK(t.got(R"(2["m",2])") == Who{1});
}

TEST_CASE("rooms joined in a connection middleware apply once connected", "[socketio]") {
    SioHarness h;
    h.io.use([](Socket& s, socketio::Next next) {
        s.join("vip");
        next();
    });
    FakeSession& peer = h.connect();
    CHECK(h.io.main_namespace().adapter().room_size("vip") == 1);
    h.io.to("vip").emit("m");
    CHECK(peer.take_one() == R"(2["m"])");
}

TEST_CASE("broadcast with acks gathers one answer per recipient", "[socketio]") {
    Room t{3};
    t.sockets[0]->join("poll");
    t.sockets[1]->join("poll");
    std::optional<std::string> result;
    const bool sent =
        t.h.io.to("poll")
            .timeout(Millis{1000})
            .emit_with_ack("vote?", "now",
                           [&](std::optional<AckError> error, const json::Array& answers) {
                               std::vector<std::string> each;
                               for (const json::Value& answer : answers)
                                   each.push_back(json::write(answer));
                               std::sort(each.begin(), each.end());
                               result = (error ? std::string{error->reason} : "ok");
                               for (const std::string& one : each) *result += " " + one;
                           });
    REQUIRE(sent);
    const std::string a = t.peers[0]->take_one();
    const std::string b = t.peers[1]->take_one();
    CHECK(t.peers[2]->sent.empty());
    CHECK(a == b);   // one id for the broadcast, the same bytes to everyone
    REQUIRE(a.starts_with("2"));
    const std::string id = a.substr(1, a.find('[') - 1);
    CHECK(a == "2" + id + R"(["vote?","now"])");
    t.h.send(*t.peers[0], "3" + id + R"(["yes","ignored second argument"])");
    CHECK_FALSE(result);
    t.h.send(*t.peers[1], "3" + id + R"([{"no":1}])");
    CHECK(result == R"(ok "yes" {"no":1})");
}

TEST_CASE("broadcast with acks: the timeout ends it with the answers that came", "[socketio]") {
    Room t{2};
    std::optional<std::string> result;
    t.h.io.timeout(Millis{30})
        .emit_with_ack("vote?", [&](std::optional<AckError> error, const json::Array& answers) {
            result = (error ? std::string{error->reason} : "ok") + " " +
                     json::write(json::Value{answers});
        });
    const std::string text = t.peers[0]->take_one();
    const std::string id = text.substr(1, text.find('[') - 1);
    t.h.send(*t.peers[0], "3" + id + R"(["only me"])");
    CHECK_FALSE(result);
    REQUIRE(t.h.run_until([&] { return result.has_value(); }));
    CHECK(result == std::string{socketio::kAckTimedOut} + R"( ["only me"])");
    t.h.send(*t.peers[1], "3" + id + R"(["late"])");   // after the end: ignored
    CHECK(result == std::string{socketio::kAckTimedOut} + R"( ["only me"])");
}

TEST_CASE("broadcast with acks to nobody completes at once with no answers", "[socketio]") {
    Room t{1};
    std::optional<std::string> result;
    t.h.io.to("empty")
        .timeout(Millis{1000})
        .emit_with_ack("x", [&](std::optional<AckError> error, const json::Array& answers) {
            result = (error ? "error" : "ok") + std::to_string(answers.size());
        });
    CHECK(result == "ok0");
}

TEST_CASE("fetch_sockets reports the selected sockets with rooms and data", "[socketio]") {
    Room t{3};
    t.sockets[0]->join("a");
    t.sockets[1]->join({"a", "b"});
    t.sockets[1]->data() = json::Value::object({{"name", "bob"}});
    std::vector<socketio::SocketInfo> found;
    t.h.io.in("a").except("b").fetch_sockets(
        [&](std::vector<socketio::SocketInfo> infos) { found = std::move(infos); });
    REQUIRE(found.size() == 1);
    CHECK(found[0].id == t.sockets[0]->id());
    CHECK(found[0].local == t.sockets[0]);
    t.h.io.fetch_sockets(
        [&](std::vector<socketio::SocketInfo> infos) { found = std::move(infos); });
    CHECK(found.size() == 3);
    t.h.io.to("b").fetch_sockets(
        [&](std::vector<socketio::SocketInfo> infos) { found = std::move(infos); });
    REQUIRE(found.size() == 1);
    CHECK(json::write(found[0].data) == R"({"name":"bob"})");
    auto rooms = found[0].rooms;
    std::sort(rooms.begin() + 1, rooms.end());
    CHECK(rooms == std::vector<std::string>{std::string{t.sockets[1]->id()}, "a", "b"});
}

TEST_CASE("sockets_join / sockets_leave / disconnect_sockets act on the selection", "[socketio]") {
    Room t{3};
    t.sockets[0]->join("a");
    t.sockets[1]->join("a");
    t.h.io.in("a").sockets_join("team");
    socketio::Adapter& adapter = t.h.io.main_namespace().adapter();
    CHECK(adapter.room_size("team") == 2);
    t.h.io.in(t.sockets[0]->id()).sockets_leave("team");
    CHECK(adapter.room_size("team") == 1);
    t.h.io.main_namespace().sockets_join("all");
    CHECK(adapter.room_size("all") == 3);

    std::vector<std::string> reasons;
    for (Socket* s : t.sockets)
        s->on_disconnect(
            [&](socketio::DisconnectReason r) { reasons.emplace_back(socketio::to_string(r)); });
    t.h.io.in("a").disconnect_sockets();
    CHECK(reasons ==
          std::vector<std::string>{"server namespace disconnect", "server namespace disconnect"});
    CHECK(t.peers[0]->take_one() == "1");
    CHECK(t.peers[1]->take_one() == "1");
    CHECK(t.peers[0]->is_open());
    CHECK(t.h.io.main_namespace().socket_count() == 1);
    t.h.io.disconnect_sockets(/*close_underlying=*/true);
    t.h.flush();
    CHECK(t.peers[2]->close_called);
    CHECK(t.h.io.main_namespace().socket_count() == 0);
}

TEST_CASE("volatile broadcasts skip only the recipients that cannot take them now", "[socketio]") {
    Room t{2};
    t.peers[1]->is_writable_ = false;
    t.h.io.volatile_().emit("tick", 1);
    CHECK(t.got(R"(2["tick",1])") == Who{0});
}

TEST_CASE("a broadcast in another namespace does not reach /", "[socketio]") {
    Room t{1};
    t.h.io.of("/other").emit("m");
    t.h.io.of("/other").to(t.sockets[0]->id()).emit("m");
    CHECK(t.peers[0]->sent.empty());
}

TEST_CASE("a dynamic parent's broadcast with acks gathers from every child; ids never meet",
          "[socketio]") {
    SioHarness h;
    socketio::Namespace& parent =
        h.io.of([](std::string_view name, const json::Value&) { return name.starts_with("/g-"); });
    std::vector<Socket*> sockets;
    parent.on_connection([&](Socket& s) { sockets.push_back(&s); });
    FakeSession& a = h.open();
    h.join(a, "/g-1");
    FakeSession& b = h.open();
    h.join(b, "/g-2");
    REQUIRE(sockets.size() == 2);

    std::string own;
    sockets[0]->emit_with_ack("own", Millis{1000}, [&](std::optional<AckError>, const Args& reply) {
        own = reply[0].as_string();
    });
    CHECK(a.take_one() == R"(2/g-1,0["own"])");
    std::optional<std::string> result;
    parent.timeout(Millis{1000})
        .emit_with_ack("poll", [&](std::optional<AckError> error, const json::Array& answers) {
            result = (error ? std::string{error->reason} : "ok") + " " +
                     json::write(json::Value{answers});
        });
    CHECK(a.take_one() == R"(2/g-1,1["poll"])");
    CHECK(b.take_one() == R"(2/g-2,1["poll"])");
    h.send(a, R"(3/g-1,1["A"])");
    CHECK_FALSE(result);
    h.send(b, R"(3/g-2,1["B"])");
    CHECK(result == R"(ok ["A","B"])");
    CHECK(own.empty());
    h.send(a, R"(3/g-1,0["mine"])");
    CHECK(own == "mine");
}
