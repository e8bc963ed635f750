// tests/integration/socketio_redis/redis_adapter_test.cpp — two and three looplab servers
// joined by a real redis-server: rooms, broadcasts with except, acks across servers, the
// cluster questions, server-side events, a server that does not answer, Redis restarting.
#include "cluster_support.hpp"

#include "looplab/socketio/socket.hpp"

#include <algorithm>
#include <set>

using namespace redis_cluster_test;

namespace {

std::set<std::string> ids_of(const std::vector<socketio::SocketInfo>& sockets) {
    std::set<std::string> ids;
    for (const socketio::SocketInfo& info : sockets) ids.insert(info.id);
    return ids;
}

// Each server's sockets join the room their client asks for.
void join_on_request(Node& node) {
    node.io->on_connection([](socketio::Socket& s) {
        s.on("join", [&s](const socketio::Args& args, const socketio::Ack& ack) {
            s.join(args[0].as_string());
            ack("joined");
        });
        s.on("say",
             [&s](const socketio::Args& args) { s.to(args[0].as_string()).emit("said", args[1]); });
    });
}

void join(Cluster& cluster, socketio_client::Socket& socket, std::string_view room) {
    bool done = false;
    socket.emit_with_ack("join", room, 2000ms,
                         [&](Result<socketio::Args> reply) { done = reply.has_value(); });
    REQUIRE(cluster.run_until([&] { return done; }));
}

}   // namespace

TEST_CASE("redis adapters: a room spans two servers; except and the sender are honoured",
          "[socketio_redis][integration]") {
    const Backend backend =
        GENERATE(Backend::Classic, Backend::ShardedPlain, Backend::ShardedCluster);
    INFO("backend " << static_cast<int>(backend)
                    << " (0 classic, 1 sharded on one Redis, 2 sharded on a cluster)");
    Cluster cluster{2, {}, backend};
    join_on_request(cluster.node(0));
    join_on_request(cluster.node(1));
    socketio_client::Socket& ada = cluster.connect(0);
    socketio_client::Socket& bob = cluster.connect(1);
    socketio_client::Socket& cy = cluster.connect(1);   // in no room
    Inbox ada_in{ada}, bob_in{bob}, cy_in{cy};
    join(cluster, ada, "lobby");
    join(cluster, bob, "lobby");
    REQUIRE(cluster.wait_for_room_channel("lobby", 2));

    // A member says something on server A: the member on server B gets it, the sender and
    // the non-member do not.
    REQUIRE(ada.emit("say", "lobby", "hi from A"));
    REQUIRE(cluster.run_until([&] { return !bob_in.events.empty(); }));
    cluster.run_for(50ms);
    CHECK(bob_in.events == std::vector<std::string>{R"(said ["hi from A"])"});
    CHECK(ada_in.events.empty());
    CHECK(cy_in.events.empty());

    // From the server side: to everybody except the lobby; and with binary, to one room.
    cluster.node(1).nsp().except("lobby").emit("news", 1);
    cluster.node(0).nsp().to("lobby").emit("bin", json::Value::bytes(std::string{"\x00\xff", 2}));
    REQUIRE(cluster.run_until([&] {
        return cy_in.events.size() == 1 && bob_in.events.size() == 2 && ada_in.events.size() == 1;
    }));
    cluster.run_for(50ms);
    CHECK(cy_in.events == std::vector<std::string>{R"(news [1])"});
    CHECK(ada_in.events.size() == 1);
    CHECK(bob_in.events[1] == R"(bin ["<bytes 00ff>"])");
    for (const std::string& line : cluster.node(0).status)
        CHECK(line.find("ignored") == std::string::npos);
}

TEST_CASE("redis adapter: fetch_sockets, sockets and all_rooms see every server",
          "[socketio_redis][integration]") {
    const Backend backend =
        GENERATE(Backend::Classic, Backend::ShardedPlain, Backend::ShardedCluster);
    INFO("backend " << static_cast<int>(backend)
                    << " (0 classic, 1 sharded on one Redis, 2 sharded on a cluster)");
    Cluster cluster{3, {}, backend};
    for (std::size_t i = 0; i < 3; ++i) join_on_request(cluster.node(i));
    std::vector<std::string> ids;
    for (std::size_t i = 0; i < 3; ++i) {
        cluster.node(i).io->on_connection([&ids](socketio::Socket& s) {
            ids.emplace_back(s.id());
            s.data() =
                json::Value::object({{"name", json::Value{"user" + std::to_string(ids.size())}}});
        });
    }
    socketio_client::Socket& a = cluster.connect(0);
    socketio_client::Socket& b = cluster.connect(1);
    cluster.connect(2);
    join(cluster, a, "vip");
    join(cluster, b, "vip");

    std::optional<std::vector<socketio::SocketInfo>> everyone;
    cluster.node(2).nsp().fetch_sockets(
        [&](std::vector<socketio::SocketInfo> found) { everyone = std::move(found); });
    REQUIRE(cluster.run_until([&] { return everyone.has_value(); }));
    CHECK(ids_of(*everyone) == std::set<std::string>(ids.begin(), ids.end()));
    for (const socketio::SocketInfo& info : *everyone) {
        if (info.local != nullptr) continue;
        // A remote socket: described by its own server, the JS handshake shape included.
        CHECK(info.handshake["url"].as_string().starts_with("/socket.io/"));
        CHECK(info.handshake["address"] == json::Value{"127.0.0.1"});
        CHECK(info.handshake["query"]["EIO"] == json::Value{"4"});
        CHECK(info.data["name"].is_string());
        CHECK(std::find(info.rooms.begin(), info.rooms.end(), info.id) != info.rooms.end());
    }

    std::optional<std::vector<socketio::SocketInfo>> vips;
    cluster.node(2).nsp().to("vip").fetch_sockets(
        [&](std::vector<socketio::SocketInfo> found) { vips = std::move(found); });
    std::optional<std::vector<socketio::SocketId>> vip_ids;
    cluster.node(0).nsp().adapter().sockets(
        std::vector<socketio::Room>{"vip"},
        [&](std::vector<socketio::SocketId> found) { vip_ids = std::move(found); });
    std::optional<std::vector<socketio::Room>> rooms;
    cluster.node(1).nsp().adapter().all_rooms(
        [&](std::vector<socketio::Room> found) { rooms = std::move(found); });
    REQUIRE(cluster.run_until([&] { return vips && vip_ids && rooms; }));
    CHECK(ids_of(*vips) == std::set<std::string>{ids[0], ids[1]});
    CHECK(std::set<std::string>(vip_ids->begin(), vip_ids->end()) ==
          std::set<std::string>{ids[0], ids[1]});
    const std::set<std::string> all_rooms(rooms->begin(), rooms->end());
    CHECK(all_rooms.contains("vip"));
    for (const std::string& id : ids) CHECK(all_rooms.contains(id));
}

TEST_CASE("redis adapter: sockets_join, sockets_leave and disconnect_sockets reach other servers",
          "[socketio_redis][integration]") {
    const Backend backend =
        GENERATE(Backend::Classic, Backend::ShardedPlain, Backend::ShardedCluster);
    INFO("backend " << static_cast<int>(backend)
                    << " (0 classic, 1 sharded on one Redis, 2 sharded on a cluster)");
    Cluster cluster{2, {}, backend};
    socketio_client::Socket& a = cluster.connect(0);
    socketio_client::Socket& b = cluster.connect(1);
    Inbox a_in{a}, b_in{b};
    std::vector<std::string> disconnects;
    a.on_disconnect([&](socketio_client::DisconnectReason reason) {
        disconnects.emplace_back(to_string(reason));
    });
    b.on_disconnect([&](socketio_client::DisconnectReason reason) {
        disconnects.emplace_back(to_string(reason));
    });

    cluster.node(0).nsp().sockets_join("team");   // every socket, on both servers
    REQUIRE(
        cluster.run_until([&] { return cluster.node(1).nsp().adapter().room_size("team") == 1; }));
    CHECK(cluster.node(0).nsp().adapter().room_size("team") == 1);
    REQUIRE(cluster.wait_for_room_channel("team", 2));
    cluster.node(1).nsp().to("team").emit("hello");
    REQUIRE(cluster.run_until([&] { return a_in.events.size() == 1 && b_in.events.size() == 1; }));

    cluster.node(1)
        .nsp()
        .in(std::string{a.id()})
        .sockets_leave("team");   // only a, which lives on server 0
    REQUIRE(
        cluster.run_until([&] { return cluster.node(0).nsp().adapter().room_size("team") == 0; }));
    CHECK(cluster.node(1).nsp().adapter().room_size("team") == 1);

    cluster.node(1).nsp().except("team").disconnect_sockets();   // a only
    REQUIRE(cluster.run_until([&] { return disconnects.size() == 1; }));
    CHECK(disconnects[0] == "io server disconnect");
    CHECK(b.connected());
}

TEST_CASE("redis adapter: a broadcast's acks are gathered from every server",
          "[socketio_redis][integration]") {
    const Backend backend =
        GENERATE(Backend::Classic, Backend::ShardedPlain, Backend::ShardedCluster);
    INFO("backend " << static_cast<int>(backend)
                    << " (0 classic, 1 sharded on one Redis, 2 sharded on a cluster)");
    Cluster cluster{2, {}, backend};
    std::vector<socketio_client::Socket*> clients{&cluster.connect(0), &cluster.connect(1),
                                                  &cluster.connect(1)};
    int n = 0;
    for (socketio_client::Socket* client : clients) {
        const int mine = ++n;
        client->on("poll", [mine](const socketio::Args& args, const socketio_client::Ack& ack) {
            ack(args[0].as_string() + std::to_string(mine));
        });
    }
    std::optional<std::optional<socketio::AckError>> error;
    json::Array answers;
    cluster.node(0).nsp().timeout(2000ms).emit_with_ack(
        "poll", "vote", [&](std::optional<socketio::AckError> e, const json::Array& got) {
            error = e;
            answers = got;
        });
    REQUIRE(cluster.run_until([&] { return error.has_value(); }));
    CHECK_FALSE(error->has_value());
    std::set<std::string> got;
    for (const json::Value& answer : answers) got.insert(answer.as_string());
    CHECK(got == std::set<std::string>{"vote1", "vote2", "vote3"});
}

TEST_CASE("redis adapter: server-side events and their answers", "[socketio_redis][integration]") {
    const Backend backend =
        GENERATE(Backend::Classic, Backend::ShardedPlain, Backend::ShardedCluster);
    INFO("backend " << static_cast<int>(backend)
                    << " (0 classic, 1 sharded on one Redis, 2 sharded on a cluster)");
    Cluster cluster{3, {}, backend};
    std::vector<std::string> heard;
    for (std::size_t i = 1; i < 3; ++i) {
        cluster.node(i).nsp().on_server_side(
            "ping",
            [&heard, i](const socketio::Args& args, const socketio::ServerSideReply& reply) {
                heard.push_back(std::to_string(i) + ":" + json::write(args[0]));
                reply("pong" + std::to_string(i));
                reply("twice");   // ignored
            });
    }
    bool heard_self = false;
    cluster.node(0).nsp().on_server_side("ping", [&](const socketio::Args&) { heard_self = true; });

    CHECK(cluster.node(0).nsp().server_side_emit("ping", 1));
    REQUIRE(cluster.run_until([&] { return heard.size() == 2; }));

    std::optional<std::optional<socketio::AckError>> error;
    json::Array answers;
    cluster.node(0).nsp().server_side_emit_with_ack(
        "ping", 2, [&](std::optional<socketio::AckError> e, const json::Array& got) {
            error = e;
            answers = got;
        });
    REQUIRE(cluster.run_until([&] { return error.has_value(); }));
    CHECK_FALSE(error->has_value());
    std::set<std::string> got;
    for (const json::Value& answer : answers) got.insert(answer.as_string());
    CHECK(got == std::set<std::string>{"pong1", "pong2"});
    CHECK_FALSE(heard_self);   // a server does not hear its own server-side events
}

TEST_CASE("redis adapter: a server that never answers ends the question at the timeout",
          "[socketio_redis][integration]") {
    socketio_redis::RedisAdapterOptions options;
    options.requests_timeout = 300ms;
    Cluster cluster{1, options};
    cluster.connect(0);
    // Something subscribed to the request channel counts as a server, and says nothing: a
    // server that died between the count and its answer looks exactly like this.
    resp::Client mute{cluster.loop, cluster.redis().address()};
    mute.connect();
    bool subscribed = false;
    mute.subscribe({"socket.io-request#/#"},
                   [&](Result<resp::Reply> reply) { subscribed = reply.has_value(); });
    REQUIRE(cluster.run_until([&] { return subscribed; }));

    std::optional<std::vector<socketio::SocketInfo>> found;
    cluster.node(0).nsp().fetch_sockets(
        [&](std::vector<socketio::SocketInfo> sockets) { found = std::move(sockets); });
    std::optional<std::optional<socketio::AckError>> error;
    cluster.node(0).nsp().server_side_emit_with_ack(
        "ping", [&](std::optional<socketio::AckError> e, const json::Array&) { error = e; });
    REQUIRE(cluster.run_until([&] { return found.has_value() && error.has_value(); }, 2000ms));
    CHECK(found->size() == 1);   // what did answer: this server's own socket
    REQUIRE(error->has_value());
    CHECK((*error)->reason == socketio::kAckTimedOut);
    const auto& status = cluster.node(0).status;
    CHECK(std::any_of(status.begin(), status.end(), [](const std::string& line) {
        return line.find("fetch_sockets: 1 of 2 servers did not answer within 300 ms") !=
               std::string::npos;
    }));
}

TEST_CASE(
    "redis adapter: Redis restarting; local delivery goes on, the servers find each other again",
    "[socketio_redis][integration]") {
    const Backend backend = GENERATE(Backend::Classic, Backend::ShardedPlain);
    Cluster cluster{2, {}, backend};
    join_on_request(cluster.node(0));
    join_on_request(cluster.node(1));
    socketio_client::Socket& a = cluster.connect(0);
    socketio_client::Socket& a2 = cluster.connect(0);
    socketio_client::Socket& b = cluster.connect(1);
    Inbox a2_in{a2}, b_in{b};
    join(cluster, a, "room");
    join(cluster, a2, "room");
    join(cluster, b, "room");
    REQUIRE(cluster.wait_for_room_channel("room", 2));

    cluster.redis().kill();
    const auto lost = [&] {
        return std::any_of(cluster.node(0).status.begin(), cluster.node(0).status.end(),
                           [](const std::string& line) {
                               return line.find("connection") != std::string::npos &&
                                      line.find("lost") != std::string::npos;
                           });
    };
    REQUIRE(cluster.run_until(lost));
    REQUIRE(a.emit("say", "room", "while redis is down"));
    REQUIRE(cluster.run_until([&] { return a2_in.events.size() == 1; }));   // same server: at once

    cluster.redis().start();
    REQUIRE(cluster.wait_for_servers(2));   // both resubscribed
    REQUIRE(cluster.wait_for_room_channel("room", 2));
    b_in.events.clear();
    REQUIRE(a.emit("say", "room", "after the restart"));
    REQUIRE(cluster.run_until([&] {
        return std::find(b_in.events.begin(), b_in.events.end(), R"(said ["after the restart"])") !=
               b_in.events.end();
    }));
}

TEST_CASE("redis adapter: garbage on the channels is reported and ignored",
          "[socketio_redis][integration]") {
    Cluster cluster{2};
    socketio_client::Socket& a = cluster.connect(0);
    Inbox a_in{a};
    resp::Client rogue{cluster.loop, cluster.redis().address()};
    rogue.connect();
    int published = 0;
    const auto count = [&](Result<resp::Reply>) { ++published; };
    rogue.publish("socket.io#/#", "\xc1 not msgpack", count);
    rogue.publish("socket.io#/#", std::string{"\x93\xa1x\x01\x80", 5}, count);   // packet not a map
    rogue.publish("socket.io-request#/#", "{\"type\":5,\"requestId\":", count);   // cut JSON
    rogue.publish("socket.io-request#/#", "{\"type\":2,\"opts\":{\"rooms\":7}}", count);
    REQUIRE(cluster.run_until([&] { return published == 4; }));
    cluster.run_for(50ms);
    CHECK(cluster.node(0).status.size() >= 4);
    // Still working afterwards.
    cluster.node(1).nsp().emit("still", "here");
    REQUIRE(cluster.run_until([&] { return a_in.events.size() == 1; }));
    CHECK(a_in.events[0] == R"(still ["here"])");
}
