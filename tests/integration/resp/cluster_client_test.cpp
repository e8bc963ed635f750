// tests/integration/resp/cluster_client_test.cpp — resp::ClusterClient against a real
// 3-master Redis Cluster (tests/support/redis_cluster.hpp, one shared by every test here) and
// against a plain Redis 7: routing by slot, MOVED after a slot moves, ASK during a migration,
// the redirection limit, sharded pub/sub across shards, resubscribing when a slot moves, a
// node killed and restarted. Each test leaves the cluster as it found it.
#include "resp_test_support.hpp"
#include "support/redis_cluster.hpp"
#include "support/refusing_tcp_port.hpp"

#include "looplab/lesson/redis_server.hpp"
#include "looplab/resp/cluster_client.hpp"

#include <fmt/format.h>

#include <map>
#include <set>

using namespace looplab;
using namespace looplab::resp;
using namespace looplab::resp::test;
using looplab::lesson::RedisServer;
using looplab::testing::RedisCluster;
using looplab::testing::RefusingTcpPort;
using looplab::testing::shared_redis_cluster;

namespace {

ClientOptions quick_options() {
    ClientOptions options;
    options.backoff.initial_delay = Millis{10};
    options.backoff.max_delay = Millis{50};
    options.command_timeout = Millis{3'000};
    return options;
}

Result<Reply> call(loop::EventLoop& loop, ClusterClient& client, std::string_view key,
                   std::initializer_list<std::string_view> args) {
    std::optional<Result<Reply>> outcome;
    client.command_for_key(key, args,
                           [&](Result<Reply> reply) { outcome.emplace(std::move(reply)); });
    REQUIRE(loop.run_until([&] { return outcome.has_value(); }, kWait));
    return std::move(*outcome);
}

void wait_ready(loop::EventLoop& loop, ClusterClient& client) {
    REQUIRE(loop.run_until([&] { return client.is_ready(); }, kWait));
}

// A name with `prefix` whose slot node `index` of the cluster owns.
std::string name_on(RedisCluster& cluster, std::string_view prefix, std::size_t index) {
    const SlotMap map = cluster.slot_map();
    for (int i = 0;; ++i) {
        std::string name = fmt::format("{}{}", prefix, i);
        if (*map.owner(slot_of(name)) == cluster.address(index)) return name;
    }
}

struct ShardLog {
    std::vector<std::string> lines;
    void attach(ClusterClient& client) {
        for (const char* name : {"smessage", "ssubscribe", "sunsubscribe"})
            client.pubsub().on(name, [this, name](const PubSubMessage& m) {
                lines.push_back(name == std::string_view{"smessage"}
                                    ? fmt::format("{} {} {}", name, m.channel, m.payload)
                                    : fmt::format("{} {}", name, m.channel));
            });
    }
    std::size_t count(const std::string& line) const {
        return static_cast<std::size_t>(std::count(lines.begin(), lines.end(), line));
    }
};

}   // namespace

TEST_CASE("the cluster client learns the slot map and sends each key to its master",
          "[resp][cluster][integration]") {
    RedisCluster& cluster = shared_redis_cluster();
    loop::EventLoop loop;
    ClusterClient client{loop, {cluster.address(0)}, quick_options()};   // one seed is enough
    client.connect();
    wait_ready(loop, client);
    CHECK_FALSE(client.is_standalone());
    CHECK(client.slot_map().ranges() == cluster.slot_map().ranges());

    std::set<std::size_t> nodes_used;
    for (int i = 0; i < 30; ++i) {
        const std::string key = fmt::format("route:{}", i);
        auto set = call(loop, client, key, {"SET", key, fmt::format("v{}", i)});
        REQUIRE(set);
        // The node that owns the slot has the key (asked directly); CLUSTER KEYSLOT agrees.
        const std::size_t owner = cluster.owner_index(slot_of(key));
        nodes_used.insert(owner);
        CHECK(cluster.query(owner, {"CLUSTER", "KEYSLOT", key}).integer == slot_of(key));
        CHECK(cluster.query(owner, {"GET", key}).text == fmt::format("v{}", i));
        CHECK(client.owner_of(key) == cluster.address(owner));
    }
    CHECK(nodes_used.size() == 3);
    CHECK(client.connection_count() == 3);   // one command connection per master, no more

    // Hash tags keep keys together; keys of two slots in one command are the server's error.
    auto together = call(loop, client, "{user1}.a", {"MSET", "{user1}.a", "1", "{user1}.b", "2"});
    REQUIRE(together);
    auto apart = call(loop, client, "a", {"MSET", "a", "1", "b", "2"});
    REQUIRE_FALSE(apart);
    CHECK(apart.error().message() == "CROSSSLOT Keys in request don't hash to the same slot");
}

TEST_CASE("a MOVED after a slot moves: the command follows and the map is refreshed",
          "[resp][cluster][integration]") {
    RedisCluster& cluster = shared_redis_cluster();
    loop::EventLoop loop;
    ClusterClient client{loop, cluster.addresses(), quick_options()};
    client.connect();
    wait_ready(loop, client);
    const std::string key = "moving-key";
    const std::uint16_t slot = slot_of(key);
    const std::size_t from = cluster.owner_index(slot);
    const std::size_t to = (from + 1) % 3;
    REQUIRE(call(loop, client, key, {"SET", key, "here"}));
    const std::size_t maps_before = client.refresh_count();

    cluster.move_slot(slot, to);                          // the key goes too (MIGRATE)
    auto moved = call(loop, client, key, {"GET", key});   // asks `from`, which answers MOVED
    REQUIRE(moved);
    CHECK(moved->text == "here");
    CHECK(*client.slot_map().owner(slot) == cluster.address(to));
    REQUIRE(loop.run_until([&] { return client.refresh_count() > maps_before; },
                           kWait));   // one refresh

    cluster.move_slot(slot, from);   // and back, for the next test
    auto back = call(loop, client, key, {"GET", key});
    REQUIRE(back);
    CHECK(back->text == "here");
    CHECK(*client.slot_map().owner(slot) == cluster.address(from));
}

TEST_CASE("an ASK during a migration: ASKING at the target, this once, the map unchanged",
          "[resp][cluster][integration]") {
    RedisCluster& cluster = shared_redis_cluster();
    loop::EventLoop loop;
    ClusterClient client{loop, cluster.addresses(), quick_options()};
    client.connect();
    wait_ready(loop, client);
    const std::uint16_t slot = slot_of("{ask}");
    const std::size_t from = cluster.owner_index(slot);
    const std::size_t to = (from + 2) % 3;
    REQUIRE(call(loop, client, "{ask}gone", {"SET", "{ask}gone", "moved-already"}));
    REQUIRE(call(loop, client, "{ask}stays", {"SET", "{ask}stays", "not-yet"}));

    cluster.begin_migration(slot, to);
    cluster.migrate_key("{ask}gone", from, to);
    auto gone = call(loop, client, "{ask}gone", {"GET", "{ask}gone"});   // from: -ASK to
    REQUIRE(gone);
    CHECK(gone->text == "moved-already");
    auto stays = call(loop, client, "{ask}stays", {"GET", "{ask}stays"});   // from still has it
    REQUIRE(stays);
    CHECK(stays->text == "not-yet");
    CHECK(*client.slot_map().owner(slot) == cluster.address(from));   // ASK changes no map
    cluster.finish_migration(slot, from, to);
    cluster.move_slot(slot, from);
}

TEST_CASE("redirections that never end stop at kRespClusterMaxRedirections",
          "[resp][cluster][integration]") {
    RedisCluster& cluster = shared_redis_cluster();
    loop::EventLoop loop;
    ClusterClient client{loop, cluster.addresses(), quick_options()};
    client.connect();
    wait_ready(loop, client);
    // The owner MIGRATING to a node that is not IMPORTING: the owner says ASK there, and
    // there the answer is MOVED back to the owner, and so on.
    const std::string key = "{loop}missing";
    const std::uint16_t slot = slot_of(key);
    const std::size_t from = cluster.owner_index(slot);
    const std::size_t to = (from + 1) % 3;
    REQUIRE_FALSE(
        cluster
            .query(from, {"CLUSTER", "SETSLOT", std::to_string(slot), "MIGRATING", cluster.id(to)})
            .is_error());

    auto looped = call(loop, client, key, {"GET", key});
    cluster.query(from, {"CLUSTER", "SETSLOT", std::to_string(slot), "STABLE"});
    REQUIRE_FALSE(looped);
    CHECK_THAT(looped.error().message(),
               Catch::StartsWith("resp cluster: GET gave up after 5 redirections; the last: "));
    CHECK(looped.error().code() == 0);
}

TEST_CASE(
    "TRYAGAIN (keys of one command split by a migration) is retried after a delay, within the "
    "limit",
    "[resp][cluster][integration]") {
    RedisCluster& cluster = shared_redis_cluster();
    loop::EventLoop loop;
    ClusterClient client{loop, cluster.addresses(), quick_options()};
    client.connect();
    wait_ready(loop, client);
    const std::uint16_t slot = slot_of("{try}");
    const std::size_t from = cluster.owner_index(slot);
    const std::size_t to = (from + 1) % 3;
    REQUIRE(call(loop, client, "{try}", {"MSET", "{try}a", "1", "{try}b", "2"}));
    cluster.begin_migration(slot, to);
    cluster.migrate_key("{try}a", from, to);   // one key here, one there: MGET cannot be served

    const auto started = loop.now();
    auto split = call(loop, client, "{try}", {"MGET", "{try}a", "{try}b"});
    const auto waited = loop.now() - started;
    REQUIRE_FALSE(split);
    CHECK_THAT(
        split.error().message(),
        Catch::StartsWith("resp cluster: MGET gave up after 5 redirections; the last: TRYAGAIN"));
    CHECK(waited >= kRespClusterTryAgainDelay * 5);   // each retry waited its delay

    cluster.finish_migration(slot, from, to);   // now both keys are at `to`: MOVED, then served
    auto joined = call(loop, client, "{try}", {"MGET", "{try}a", "{try}b"});
    REQUIRE(joined);
    CHECK(describe(*joined) == "[\"1\", \"2\"]");
    cluster.move_slot(slot, from);
}

TEST_CASE("an SSUBSCRIBE sent to a slot's old owner follows the MOVED",
          "[resp][cluster][integration]") {
    RedisCluster& cluster = shared_redis_cluster();
    loop::EventLoop loop;
    ClusterClient subscriber{loop, cluster.addresses(), quick_options()};
    ShardLog log;
    log.attach(subscriber);
    subscriber.connect();
    wait_ready(loop, subscriber);
    const std::string channel = "late:channel";
    const std::uint16_t slot = slot_of(channel);
    const std::size_t from = cluster.owner_index(slot);
    const std::size_t to = (from + 2) % 3;
    cluster.move_slot(slot, to);   // the subscriber's map still says `from`

    std::optional<Result<Reply>> subscribed;
    subscriber.ssubscribe({channel}, [&](Result<Reply> r) { subscribed.emplace(std::move(r)); });
    REQUIRE(loop.run_until([&] { return subscribed.has_value(); }, kWait));
    REQUIRE(*subscribed);
    CHECK((*subscribed)->integer == 1);
    CHECK(subscriber.shard_channels().at(channel) == cluster.address(to));
    CHECK(*subscriber.slot_map().owner(slot) == cluster.address(to));
    CHECK(log.count("ssubscribe " + channel) == 1);   // confirmed once, at the new owner
    cluster.move_slot(slot, from);
    REQUIRE(loop.run_until([&] { return log.count("ssubscribe " + channel) == 2; },
                           kWait));   // and back
}

TEST_CASE("sharded pub/sub across three shards: SSUBSCRIBE, SPUBLISH, SHARDNUMSUB",
          "[resp][cluster][integration]") {
    RedisCluster& cluster = shared_redis_cluster();
    loop::EventLoop loop;
    ClientOptions options = quick_options();
    options.resp3 = GENERATE(false, true);
    CAPTURE(options.resp3);
    ClusterClient subscriber{loop, {cluster.address(1)}, options};
    ClusterClient publisher{loop, {cluster.address(2)}, quick_options()};
    ShardLog log;
    log.attach(subscriber);
    subscriber.connect();
    publisher.connect();
    const std::vector<std::string> channels{
        name_on(cluster, "room:", 0), name_on(cluster, "room:", 1), name_on(cluster, "room:", 2)};

    std::optional<Result<Reply>> subscribed;   // issued before the map is known: it waits
    subscriber.ssubscribe(channels, [&](Result<Reply> r) { subscribed.emplace(std::move(r)); });
    REQUIRE(loop.run_until([&] { return subscribed.has_value(); }, kWait));
    REQUIRE(*subscribed);
    CHECK((*subscribed)->integer == 3);
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(log.count("ssubscribe " + channels[i]) == 1);
        CHECK(subscriber.shard_channels().at(channels[i]) == cluster.address(i));
    }

    wait_ready(loop, publisher);
    for (const std::string& channel : channels) {
        auto receivers = call(loop, publisher, channel, {"SPUBLISH", channel, "hi " + channel});
        REQUIRE(receivers);
        CHECK(receivers->integer == 1);   // one subscriber, in that shard
    }
    // Three shards, three connections: their messages arrive in any order.
    const auto heard = [&](const std::string& channel) {
        return log.count("smessage " + channel + " hi " + channel);
    };
    REQUIRE(loop.run_until(
        [&] { return heard(channels[0]) + heard(channels[1]) + heard(channels[2]) == 3; }, kWait));
    for (const std::string& channel : channels) CHECK(heard(channel) == 1);

    std::optional<Result<std::int64_t>> counted;
    publisher.pubsub_shardnumsub(channels[0],
                                 [&](Result<std::int64_t> n) { counted.emplace(std::move(n)); });
    REQUIRE(loop.run_until([&] { return counted.has_value(); }, kWait));
    REQUIRE(*counted);
    CHECK(**counted == 1);

    std::optional<Result<Reply>> left;
    subscriber.sunsubscribe({channels[0]}, [&](Result<Reply> r) { left.emplace(std::move(r)); });
    REQUIRE(loop.run_until([&] { return left.has_value(); }, kWait));
    REQUIRE(*left);
    CHECK((*left)->integer == 2);
    counted.reset();
    publisher.pubsub_shardnumsub(channels[0],
                                 [&](Result<std::int64_t> n) { counted.emplace(std::move(n)); });
    REQUIRE(loop.run_until([&] { return counted.has_value(); }, kWait));
    CHECK(**counted == 0);
}

TEST_CASE("when a channel's slot moves, the subscription follows it to the new owner",
          "[resp][cluster][integration]") {
    RedisCluster& cluster = shared_redis_cluster();
    loop::EventLoop loop;
    ClientOptions options = quick_options();
    options.resp3 = GENERATE(false, true);
    CAPTURE(options.resp3);
    ClusterClient subscriber{loop, cluster.addresses(), options};
    ClusterClient publisher{loop, cluster.addresses(), quick_options()};
    ShardLog log;
    log.attach(subscriber);
    subscriber.connect();
    publisher.connect();
    const std::string channel = "orders:follow";
    const std::uint16_t slot = slot_of(channel);
    const std::size_t from = cluster.owner_index(slot);
    const std::size_t to = (from + 1) % 3;
    subscriber.ssubscribe({channel});
    REQUIRE(loop.run_until([&] { return log.count("ssubscribe " + channel) == 1; }, kWait));

    // Redis unsubscribes the channel at the old owner by itself; the client subscribes it
    // again at the new one.
    cluster.move_slot(slot, to);
    REQUIRE(loop.run_until([&] { return log.count("ssubscribe " + channel) == 2; }, kWait));
    CHECK(log.count("sunsubscribe " + channel) == 1);
    CHECK(subscriber.shard_channels().at(channel) == cluster.address(to));
    auto receivers = call(loop, publisher, channel, {"SPUBLISH", channel, "after the move"});
    REQUIRE(receivers);
    CHECK(receivers->integer == 1);
    REQUIRE(loop.run_until(
        [&] { return log.count("smessage " + channel + " after the move") == 1; }, kWait));

    cluster.move_slot(slot, from);   // and back: it follows again
    REQUIRE(loop.run_until([&] { return log.count("ssubscribe " + channel) == 3; }, kWait));
    CHECK(subscriber.shard_channels().at(channel) == cluster.address(from));
    REQUIRE(call(loop, publisher, channel, {"SPUBLISH", channel, "home"}));
    REQUIRE(loop.run_until([&] { return log.count("smessage " + channel + " home") == 1; }, kWait));
}

TEST_CASE(
    "a slot that moved while the subscriber was away: the restore is refused, the channel placed "
    "anew",
    "[resp][cluster][integration]") {
    RedisCluster& cluster = shared_redis_cluster();
    loop::EventLoop loop;
    ClientOptions options = quick_options();
    // Long enough to move a slot (a few ms of blocking queries) before the subscriber is back.
    options.backoff.initial_delay = Millis{400};
    options.backoff.max_delay = Millis{400};
    ClusterClient subscriber{loop, {cluster.address(0)}, options};
    ClusterClient publisher{loop, {cluster.address(0)}, quick_options()};
    ShardLog log;
    log.attach(subscriber);
    subscriber.connect();
    publisher.connect();
    const std::size_t home = 1;
    const std::string moving = name_on(cluster, "moving:", home);
    std::string staying = name_on(cluster, "staying:", home);
    REQUIRE(slot_of(moving) != slot_of(staying));   // restored with one SSUBSCRIBE per slot
    const std::uint16_t slot = slot_of(moving);
    std::optional<Result<Reply>> subscribed;
    subscriber.ssubscribe({moving, staying},
                          [&](Result<Reply> r) { subscribed.emplace(std::move(r)); });
    REQUIRE(loop.run_until([&] { return subscribed.has_value(); }, kWait));
    REQUIRE(*subscribed);

    // The subscriber connection drops (the node stays up), and the slot moves meanwhile.
    const Reply killed = cluster.query(home, {"CLIENT", "KILL", "TYPE", "pubsub"});
    REQUIRE(killed.integer == 1);
    cluster.move_slot(slot, (home + 1) % 3);
    // Back, the Client subscribes both again: `staying` is confirmed, `moving` is refused
    // with -MOVED and reported as unsubscribed; the cluster client places it at the new owner.
    REQUIRE(loop.run_until([&] { return log.count("ssubscribe " + moving) == 2; }, kWait));
    CHECK(log.count("sunsubscribe " + moving) == 1);
    CHECK(log.count("ssubscribe " + staying) == 2);
    CHECK(subscriber.shard_channels().at(moving) == cluster.address((home + 1) % 3));
    CHECK(subscriber.shard_channels().at(staying) == cluster.address(home));
    wait_ready(loop, publisher);
    REQUIRE(call(loop, publisher, moving, {"SPUBLISH", moving, "m"}));
    REQUIRE(call(loop, publisher, staying, {"SPUBLISH", staying, "s"}));
    REQUIRE(loop.run_until(
        [&] {
            return log.count("smessage " + moving + " m") == 1 &&
                   log.count("smessage " + staying + " s") == 1;
        },
        kWait));
    cluster.move_slot(slot, home);
}

TEST_CASE("before any map: commands wait (bounded), close() fails them",
          "[resp][cluster][integration]") {
    loop::EventLoop loop;
    const RefusingTcpPort refusing;   // held for the whole test: nobody can listen there
    const net::Address nobody = refusing.address();
    ClientOptions options = quick_options();
    options.max_offline_commands = 2;
    ClusterClient client{loop, {nobody}, options};
    std::vector<std::string> outcomes;
    const auto record = [&](Result<Reply> r) {
        outcomes.push_back(r ? describe(*r) : r.error().message());
    };
    bool ended = false;
    client.connection().on("end", [&](const ClusterEvent&) { ended = true; });
    client.connect();
    client.command_for_key("a", {"GET", "a"}, record);
    client.ssubscribe({"room"}, record);
    client.command_for_key("b", {"GET", "b"}, record);   // the third: refused at once
    REQUIRE(loop.run_until([&] { return outcomes.size() == 1; }, kWait));
    CHECK(outcomes[0] ==
          "resp cluster: refused: 2 commands already wait for the slot map (max_offline_commands)");
    (void)loop.run_until([] { return false; }, Millis{100});   // nobody answers: they wait
    CHECK(outcomes.size() == 1);
    CHECK_FALSE(client.is_ready());
    client.close();
    REQUIRE(loop.run_until([&] { return outcomes.size() == 3 && ended; }, kWait));
    CHECK(outcomes[1] == "resp cluster: client closed");
    CHECK(outcomes[2] == "resp cluster: client closed");
    client.command_for_key("c", {"GET", "c"}, record);
    REQUIRE(loop.run_until([&] { return outcomes.size() == 4; }, kWait));
    CHECK(outcomes[3] == "resp cluster: client closed");
}

TEST_CASE("a plain Redis 7 works through the same class: one node owns every slot",
          "[resp][cluster][integration]") {
    loop::EventLoop loop;
    RedisServer redis;
    ClusterClient client{loop, {redis.address()}, quick_options()};
    ShardLog log;
    log.attach(client);
    client.connect();
    wait_ready(loop, client);
    CHECK(client.is_standalone());
    CHECK(client.slot_map().ranges() == std::vector<SlotRange>{{0, 16383, redis.address()}});

    REQUIRE(call(loop, client, "a", {"SET", "a", "1"}));
    auto got = call(loop, client, "a", {"GET", "a"});
    REQUIRE(got);
    CHECK(got->text == "1");

    std::optional<Result<Reply>> subscribed;
    client.ssubscribe({"room:a", "room:b"},
                      [&](Result<Reply> r) { subscribed.emplace(std::move(r)); });
    REQUIRE(loop.run_until([&] { return subscribed.has_value(); }, kWait));
    REQUIRE(*subscribed);
    CHECK((*subscribed)->integer == 2);
    std::optional<Result<Reply>> published;
    client.spublish("room:b", "hello", [&](Result<Reply> r) { published.emplace(std::move(r)); });
    REQUIRE(loop.run_until([&] { return log.count("smessage room:b hello") == 1; }, kWait));
    REQUIRE(published);
    CHECK((*published)->integer == 1);
    std::optional<Result<std::int64_t>> counted;
    client.pubsub_shardnumsub("room:a",
                              [&](Result<std::int64_t> n) { counted.emplace(std::move(n)); });
    REQUIRE(loop.run_until([&] { return counted.has_value(); }, kWait));
    CHECK(**counted == 1);
}

TEST_CASE(
    "a plain Redis restarted: errors at once while it is down, then commands and subscriptions "
    "again",
    "[resp][cluster][integration]") {
    loop::EventLoop loop;
    RedisServer redis;
    ClusterClient client{loop, {redis.address()}, quick_options()};
    ShardLog log;
    log.attach(client);
    std::vector<std::string> events;
    for (const char* name : {"disconnect", "node-ready"})
        client.connection().on(name, [&events, name](const ClusterEvent& e) {
            events.push_back(
                fmt::format("{} {}", name, e.is_subscriber ? "subscriber" : "commands"));
        });
    client.connect();
    client.ssubscribe({"room:1"});
    REQUIRE(loop.run_until([&] { return log.count("ssubscribe room:1") == 1; }, kWait));

    redis.kill();
    REQUIRE(loop.run_until(
        [&] { return std::count(events.begin(), events.end(), "disconnect commands") == 1; },
        kWait));
    auto refused = call(loop, client, "k", {"GET", "k"});
    REQUIRE_FALSE(refused);
    CHECK_THAT(
        refused.error().message(),
        Catch::StartsWith(fmt::format("resp cluster: node {} is unreachable", redis.address())));

    redis.start();
    REQUIRE(
        loop.run_until([&] { return log.count("ssubscribe room:1") == 2; }, kWait));   // restored
    REQUIRE(loop.run_until(
        [&] { return std::count(events.begin(), events.end(), "node-ready commands") == 2; },
        kWait));
    auto published = call(loop, client, "room:1", {"SPUBLISH", "room:1", "back"});
    REQUIRE(published);
    CHECK(published->integer == 1);
    REQUIRE(loop.run_until([&] { return log.count("smessage room:1 back") == 1; }, kWait));
    CHECK(client.is_standalone());
}

TEST_CASE("a node killed: clear errors at once, then recovery when it restarts",
          "[resp][cluster][integration]") {
    RedisCluster& cluster = shared_redis_cluster();
    loop::EventLoop loop;
    const std::size_t victim = 2;
    ClusterClient client{loop, {cluster.address(0), cluster.address(1)}, quick_options()};
    ClusterClient subscriber{loop, {cluster.address(0)}, quick_options()};
    ShardLog log;
    log.attach(subscriber);
    std::vector<std::string> events;
    client.connection().on("disconnect", [&](const ClusterEvent& e) {
        events.push_back(fmt::format("disconnect {}", e.node));
    });
    client.connection().on("node-ready", [&](const ClusterEvent& e) {
        events.push_back(fmt::format("node-ready {}", e.node));
    });
    client.connect();
    subscriber.connect();
    const std::string key = name_on(cluster, "victim:", victim);
    const std::string channel = name_on(cluster, "news:", victim);
    const std::string other = name_on(cluster, "alerts:", victim);   // same node, another slot
    REQUIRE(slot_of(channel) != slot_of(other));
    REQUIRE(call(loop, client, key, {"SET", key, "before"}));
    subscriber.ssubscribe({channel, other});
    REQUIRE(loop.run_until([&] { return log.count("ssubscribe " + other) == 1; }, kWait));

    cluster.kill(victim);
    const std::string lost = fmt::format("disconnect {}", cluster.address(victim));
    REQUIRE(
        loop.run_until([&] { return std::count(events.begin(), events.end(), lost) == 1; }, kWait));
    auto refused = call(loop, client, key, {"GET", key});
    REQUIRE_FALSE(refused);
    // "resp cluster: node 127.0.0.1:P is unreachable, the slot map will be refreshed; the
    // server at 127.0.0.1:P closed the connection: Connection reset by peer" (or refused).
    CHECK_THAT(
        refused.error().message(),
        Catch::StartsWith(fmt::format("resp cluster: node {} is unreachable, the slot map will be "
                                      "refreshed; ",
                                      cluster.address(victim))));
    CHECK(refused.error().code() != 0);
    // Keys on the other masters are not affected.
    const std::string elsewhere = name_on(cluster, "victim:", (victim + 1) % 3);
    REQUIRE(call(loop, client, elsewhere, {"SET", elsewhere, "fine"}));

    cluster.restart(victim);   // same port, same slots
    REQUIRE(loop.run_until(
        [&] {
            return std::count(events.begin(), events.end(),
                              fmt::format("node-ready {}", cluster.address(victim))) >= 2;
        },
        kWait));
    auto back = call(loop, client, key, {"GET", key});
    REQUIRE(back);
    CHECK(back->is_null());   // persistence is off: the restarted node is empty
    // The subscriber's connection to that node came back and subscribed the channel again.
    // (One SSUBSCRIBE per slot: one for both would be refused with -CROSSSLOT.)
    REQUIRE(loop.run_until(
        [&] {
            return log.count("ssubscribe " + channel) == 2 && log.count("ssubscribe " + other) == 2;
        },
        kWait));
    REQUIRE(call(loop, client, channel, {"SPUBLISH", channel, "back"}));
    REQUIRE(loop.run_until([&] { return log.count("smessage " + channel + " back") == 1; }, kWait));
}

TEST_CASE("a seed that refuses connections: the next seed answers",
          "[resp][cluster][integration]") {
    RedisCluster& cluster = shared_redis_cluster();
    loop::EventLoop loop;
    const RefusingTcpPort refusing;   // held for the whole test: nobody can listen there
    const net::Address nobody = refusing.address();
    ClusterClient client{loop, {nobody, cluster.address(1)}, quick_options()};
    std::optional<ClusterEvent> ready;
    client.connection().on("ready", [&](const ClusterEvent& e) { ready = e; });
    client.connect();
    REQUIRE(loop.run_until([&] { return ready.has_value(); }, kWait));
    CHECK(ready->node == cluster.address(1));
    REQUIRE(call(loop, client, "x", {"SET", "x", "1"}));
}

TEST_CASE("destroying the cluster client inside its callbacks and listeners is safe",
          "[resp][cluster][integration]") {
    RedisCluster& cluster = shared_redis_cluster();
    loop::EventLoop loop;
    SECTION("inside a command callback; the next callback is never called") {
        auto client = std::make_unique<ClusterClient>(loop, cluster.addresses(), quick_options());
        client->connect();
        int called = 0;
        client->command_for_key("a", {"GET", "a"}, [&](Result<Reply>) {
            ++called;
            client.reset();
        });
        client->command_for_key("a", {"GET", "a"}, [&](Result<Reply>) { ++called; });
        REQUIRE(loop.run_until([&] { return client == nullptr; }, kWait));
        (void)loop.run_until([] { return false; }, Millis{50});
        CHECK(called == 1);
    }
    SECTION("inside an smessage listener") {
        auto client = std::make_unique<ClusterClient>(loop, cluster.addresses(), quick_options());
        ClusterClient publisher{loop, cluster.addresses(), quick_options()};
        client->pubsub().on("smessage", [&](const PubSubMessage&) { client.reset(); });
        client->connect();
        publisher.connect();
        bool subscribed = false;
        client->ssubscribe({"bye"}, [&](Result<Reply> r) { subscribed = r.has_value(); });
        REQUIRE(loop.run_until([&] { return subscribed; }, kWait));
        publisher.spublish("bye", "now");
        REQUIRE(loop.run_until([&] { return client == nullptr; }, kWait));
    }
}
