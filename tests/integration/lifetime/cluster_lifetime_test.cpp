// tests/integration/lifetime/cluster_lifetime_test.cpp — the one lifetime rule
// (include/looplab/README.md) for the callbacks that only a clustered adapter calls: a
// socketio::Server destroyed inside the answer to a cluster question (fetch_sockets,
// server_side_emit_with_ack, the acks of a broadcast gathered from another server), with
// both Redis adapters. The answer comes from the other server through Redis, so the asker's
// adapter goes with its server while it is still handling that Redis message. The callback
// must run once, nothing may run after it, and the other server must live on.
#include "../socketio_redis/cluster_support.hpp"
#include "looplab/socketio/socket.hpp"

#include <string>

using namespace redis_cluster_test;

namespace {

// Short, so that the test outlives every timer the asker's adapter had set: a timer that
// survived the adapter would fire within the test (and ASan or valgrind would see it).
constexpr Millis kQuestionTimeout = 500ms;

}   // namespace

TEST_CASE(
    "a socketio::Server with a Redis adapter may be destroyed inside the answer to a "
    "cluster question",
    "[lifetime][socketio_redis][integration]") {
    const Backend backend =
        GENERATE(Backend::Classic, Backend::ShardedPlain, Backend::ShardedCluster);
    const std::string question =
        GENERATE(as<std::string>{}, "fetch_sockets", "server_side_emit_with_ack", "emit_with_ack");
    INFO("backend " << static_cast<int>(backend)
                    << " (0 classic, 1 sharded on one Redis, 2 sharded on a cluster)");
    CAPTURE(question);
    socketio_redis::RedisAdapterOptions options;
    options.requests_timeout = kQuestionTimeout;
    Cluster cluster{2, options, backend};
    // The other server, B: one client that answers every "poll", and a server-side listener
    // that answers every "ping".
    socketio_client::Socket& client = cluster.connect(1);
    client.on("poll", [](const socketio::Args&, const socketio_client::Ack& ack) { ack("yes"); });
    cluster.node(1).nsp().on_server_side(
        "ping",
        [](const socketio::Args&, const socketio::ServerSideReply& reply) { reply("pong"); });

    int answers = 0;
    const auto destroy_the_asker = [&] {
        ++answers;
        cluster.node(0).io.reset();
    };
    socketio::Namespace& asker = cluster.node(0).nsp();
    if (question == "fetch_sockets") {
        asker.fetch_sockets([&](std::vector<socketio::SocketInfo> found) {
            CHECK(found.size() == 1);   // B's client
            destroy_the_asker();
        });
    } else if (question == "server_side_emit_with_ack") {
        asker.server_side_emit_with_ack(
            "ping", 1, [&](std::optional<socketio::AckError> error, const json::Array& got) {
                CHECK_FALSE(error.has_value());
                CHECK(got == json::Array{json::Value{"pong"}});
                destroy_the_asker();
            });
    } else {
        asker.timeout(kQuestionTimeout)
            .emit_with_ack("poll", 1,
                           [&](std::optional<socketio::AckError> error, const json::Array& got) {
                               CHECK_FALSE(error.has_value());
                               CHECK(got == json::Array{json::Value{"yes"}});
                               destroy_the_asker();
                           });
    }
    REQUIRE(cluster.run_until([&] { return answers > 0; }));
    // Past every timeout the asker had set: a second call, or a timer of the gone adapter,
    // would come now.
    cluster.run_for(kQuestionTimeout + 200ms);
    CHECK(answers == 1);

    // B lives on: its client still hears it.
    bool heard = false;
    client.on("still-here", [&heard] { heard = true; });
    cluster.node(1).nsp().emit("still-here");
    CHECK(cluster.run_until([&] { return heard; }));
}
