// tests/integration/classroom/chat_cluster_test.cpp — the classroom chat (ChatRoom) on two
// servers joined by Redis, as `make demo SERVERS=2` runs it: member lists and room counts of
// the whole cluster on every page, messages and typing across servers, the other servers'
// messages in a room's history. With the classic adapter and with the sharded one (on a
// plain Redis 7 and on the shared 3-master Redis Cluster).
#include "integration/socketio_redis/cluster_support.hpp"

#include "looplab/classroom/chat_room.hpp"

#include <algorithm>

using namespace redis_cluster_test;

namespace {

constexpr std::int64_t kFixedTime = 1'700'000'000'000;

// One chat page: a client socket with a nickname, and the last event of each name it got.
struct Page {
    socketio_client::Socket* socket = nullptr;
    std::vector<std::pair<std::string, json::Value>> events;   // name, first argument

    Page(Cluster& cluster, std::size_t server, std::string_view nickname) {
        socketio_client::ManagerOptions options;
        options.reconnection = false;
        cluster.managers.push_back(std::make_unique<socketio_client::Manager>(
            cluster.loop, socketio_client::server_url(cluster.node(server).address), options));
        socket = &cluster.managers.back()->socket(
            "/", {.auth = json::Value::object({{"nickname", std::string{nickname}}})});
        socket->on_any([this](std::string_view event, const socketio::Args& args,
                              const socketio_client::Ack&) {
            events.emplace_back(std::string{event}, args.size() > 0 ? args[0] : json::Value{});
        });
        socket->connect();
        REQUIRE(
            cluster.run_until([&] { return socket->connected() && last("welcome") != nullptr; }));
    }

    // The last `event` received (for presence: the last one about `room`), or nullptr.
    const json::Value* last(std::string_view event, std::string_view room = {}) const {
        for (auto it = events.rbegin(); it != events.rend(); ++it) {
            if (it->first != event) continue;
            if (!room.empty()) {
                const json::Value* about = it->second.find("room");
                if (about == nullptr || *about != json::Value{std::string{room}}) continue;
            }
            return &it->second;
        }
        return nullptr;
    }
    std::size_t count(std::string_view event) const {
        return static_cast<std::size_t>(std::count_if(
            events.begin(), events.end(), [&](const auto& e) { return e.first == event; }));
    }

    // The members the last "presence" about `room` listed, sorted (each server lists its own
    // members first; the order across servers is not known to anyone).
    std::vector<std::string> members(std::string_view room) const {
        std::vector<std::string> names;
        if (const json::Value* presence = last("presence", room))
            for (const json::Value& name : (*presence)["members"].as_array())
                names.push_back(name.as_string());
        std::sort(names.begin(), names.end());
        return names;
    }
    // The count the last "rooms" gave `room` (-1: not listed).
    std::int64_t room_count(std::string_view room) const {
        if (const json::Value* rooms = last("rooms"))
            for (const json::Value& entry : rooms->as_array())
                if (entry["name"] == json::Value{std::string{room}})
                    return entry["members"].as_int();
        return -1;
    }

    json::Value ask(Cluster& cluster, std::string_view event, const json::Value& arg) {
        std::optional<json::Value> answer;
        socket->emit_with_ack(event, arg, 3000ms, [&](Result<socketio::Args> reply) {
            answer = reply && reply->size() > 0 ? (*reply)[0] : json::Value{"no answer"};
        });
        REQUIRE(cluster.run_until([&] { return answer.has_value(); }));
        return *answer;
    }
};

std::vector<std::string> sorted(std::vector<std::string> names) {
    std::sort(names.begin(), names.end());
    return names;
}

}   // namespace

TEST_CASE("the classroom chat on two servers joined by Redis: members, counts, messages, history",
          "[chat][socketio_redis][integration]") {
    const Backend backend =
        GENERATE(Backend::Classic, Backend::ShardedPlain, Backend::ShardedCluster);
    CAPTURE(static_cast<int>(backend));
    Cluster cluster{2, {}, backend};
    classroom::ChatRoom chat_a{*cluster.node(0).io, [] { return kFixedTime; }};
    classroom::ChatRoom chat_b{*cluster.node(1).io, [] { return kFixedTime; }};

    Page ada{cluster, 0, "ada"};
    Page bob{cluster, 1, "bob"};
    CHECK(ada.ask(cluster, "join", json::Value{"r"})["ok"] == json::Value{true});
    CHECK(bob.ask(cluster, "join", json::Value{"r"})["ok"] == json::Value{true});

    // Every page ends with the whole cluster's member list and counts, though each server
    // holds one of the two.
    REQUIRE(cluster.run_until([&] {
        return ada.members("r") == sorted({"ada", "bob"}) &&
               bob.members("r") == sorted({"ada", "bob"}) && ada.room_count("r") == 2 &&
               bob.room_count("r") == 2 && ada.room_count("lobby") == 2 &&
               bob.room_count("lobby") == 2;
    }));
    REQUIRE(cluster.wait_for_room_channel("r", 2));

    // A message on A: bob on B gets it (once B's subscription to the room's own channel is in
    // place: the sharded adapter makes it when a server's first member joins), ada only her ack (no
    // echo through Redis).
    const json::Value ack =
        ada.ask(cluster, "message", json::Value::object({{"room", "r"}, {"text", "from A"}}));
    CHECK(ack == json::Value::object({{"id", 1}, {"at", kFixedTime}}));
    REQUIRE(cluster.run_until([&] { return bob.last("message") != nullptr; }));
    CHECK(*bob.last("message") ==
          json::Value::object(
              {{"id", 1}, {"room", "r"}, {"from", "ada"}, {"text", "from A"}, {"at", kFixedTime}}));
    // "typing" from B reaches A.
    REQUIRE(bob.socket->emit("typing", json::Value::object({{"room", "r"}, {"typing", true}})));
    REQUIRE(cluster.run_until([&] { return ada.last("typing") != nullptr; }));
    CHECK(*ada.last("typing") ==
          json::Value::object({{"room", "r"}, {"nickname", "bob"}, {"typing", true}}));
    cluster.run_for(50ms);
    CHECK(ada.count("message") == 0);

    // cy arrives on B and joins r: B's history of r holds ada's message, said on A.
    Page cy{cluster, 1, "cy"};
    CHECK(cy.ask(cluster, "join", json::Value{"r"})["ok"] == json::Value{true});
    REQUIRE(cluster.run_until([&] { return cy.last("history", "r") != nullptr; }));
    const json::Value& messages = (*cy.last("history", "r"))["messages"];
    REQUIRE(messages.as_array().size() == 1);
    CHECK(messages[0]["text"] == json::Value{"from A"});
    CHECK(messages[0]["from"] == json::Value{"ada"});
    REQUIRE(cluster.run_until([&] {
        return ada.members("r") == sorted({"ada", "bob", "cy"}) && ada.room_count("r") == 3;
    }));

    // A rename on B shows on A; bob leaving on B shrinks A's list and count.
    CHECK(bob.ask(cluster, "nickname", json::Value{"robert"})["ok"] == json::Value{true});
    REQUIRE(cluster.run_until([&] { return ada.members("r") == sorted({"ada", "robert", "cy"}); }));
    CHECK(bob.ask(cluster, "leave", json::Value{"r"})["ok"] == json::Value{true});
    REQUIRE(cluster.run_until([&] {
        return ada.members("r") == sorted({"ada", "cy"}) && ada.room_count("r") == 2 &&
               cy.members("r") == sorted({"ada", "cy"});
    }));

    // ada disconnects from A: B's pages follow.
    ada.socket->disconnect();
    REQUIRE(cluster.run_until([&] {
        return cy.members("r") == sorted({"cy"}) && cy.room_count("r") == 1 &&
               cy.room_count("lobby") == 2;
    }));

    // Every socket gone before the ChatRooms are (their listeners hear the disconnects).
    cluster.managers.clear();
    REQUIRE(cluster.run_until([&] {
        return cluster.node(0).nsp().socket_count() == 0 &&
               cluster.node(1).nsp().socket_count() == 0;
    }));
}
