// tests/integration/resp/redis_client_test.cpp — resp::Client against a real redis-server
// (looplab/lesson/redis_server.hpp starts one per test on a free port): pipelining, server
// errors, pub/sub on RESP2 and RESP3, subscribe mode, PUBSUB NUMSUB, AUTH, a server that
// restarts (reconnect + resubscribe), a server killed with replies pending, timeouts.
#include "resp_test_support.hpp"
#include "looplab/lesson/redis_server.hpp"

#include <fmt/format.h>

#include <cerrno>

using namespace looplab;
using namespace looplab::resp;
using namespace looplab::resp::test;
using looplab::lesson::RedisServer;

namespace {

// Backoff short enough that a reconnect takes milliseconds, not seconds.
ClientOptions quick_options() {
    ClientOptions options;
    options.backoff.initial_delay = Millis{10};
    options.backoff.max_delay = Millis{50};
    return options;
}

}   // namespace

TEST_CASE("1000 pipelined commands get their replies in order", "[redis][integration]") {
    loop::EventLoop loop;
    RedisServer redis;
    Client client{loop, redis.address()};
    client.connect();   // commands issued now wait offline, then leave together

    std::vector<std::int64_t> counts;
    std::vector<std::string> values;
    for (int i = 0; i < 1000; ++i) {
        client.command({"INCR", "counter"}, [&](Result<Reply> reply) {
            REQUIRE(reply);
            counts.push_back(reply->integer);
        });
        const std::string key = fmt::format("key:{}", i);
        client.command({"SET", key, fmt::format("value {}", i)});
        client.command({"GET", key}, [&](Result<Reply> reply) {
            REQUIRE(reply);
            values.push_back(reply->text);
        });
    }
    CHECK(client.queued() == 3000);
    REQUIRE(loop.run_until([&] { return values.size() == 1000; }, kWait));
    REQUIRE(counts.size() == 1000);
    for (int i = 0; i < 1000; ++i) {
        CHECK(counts[i] == i + 1);
        CHECK(values[i] == fmt::format("value {}", i));
    }
    CHECK(client.pending() == 0);
    CHECK(client.queued() == 0);
}

TEST_CASE("a server error is an error Result and the pipeline goes on", "[redis][integration]") {
    loop::EventLoop loop;
    RedisServer redis;
    Client client{loop, redis.address()};
    client.connect();

    std::vector<std::string> seen;
    client.command({"SET", "k", "v"}, [&](Result<Reply> r) {
        seen.push_back(r ? describe(*r) : r.error().message());
    });
    client.command({"NOPE", "x"}, [&](Result<Reply> r) {
        seen.push_back(r ? describe(*r) : r.error().message());
    });
    client.command({"INCR", "k"}, [&](Result<Reply> r) {
        seen.push_back(r ? describe(*r) : r.error().message());
    });
    client.command({"GET", "k"}, [&](Result<Reply> r) {
        seen.push_back(r ? describe(*r) : r.error().message());
    });
    client.command({"GET", "missing"}, [&](Result<Reply> r) {
        seen.push_back(r ? describe(*r) : r.error().message());
    });
    REQUIRE(loop.run_until([&] { return seen.size() == 5; }, kWait));
    CHECK(seen == std::vector<std::string>{
                      "OK",
                      "ERR unknown command 'NOPE', with args beginning with: 'x' ",
                      "ERR value is not an integer or out of range",
                      "\"v\"",
                      "(nil)",
                  });
    // The error's code is 0: the server said no, the system did not fail.
    auto refused = call(loop, client, {"NOPE"});
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code() == 0);
}

TEST_CASE("pub/sub over RESP2: messages, pattern messages, shard messages",
          "[redis][integration]") {
    loop::EventLoop loop;
    RedisServer redis;
    Client publisher{loop, redis.address()};
    Client subscriber{loop, redis.address()};
    PubSubLog log;
    log.attach(subscriber);
    publisher.connect();
    subscriber.connect();

    std::optional<Result<Reply>> subscribed, psubscribed, ssubscribed;
    subscriber.subscribe({"chat", "news"},
                         [&](Result<Reply> r) { subscribed.emplace(std::move(r)); });
    subscriber.psubscribe({"ch*"}, [&](Result<Reply> r) { psubscribed.emplace(std::move(r)); });
    subscriber.ssubscribe({"orders"}, [&](Result<Reply> r) { ssubscribed.emplace(std::move(r)); });
    REQUIRE(loop.run_until([&] { return subscribed && psubscribed && ssubscribed; }, kWait));
    REQUIRE(*subscribed);
    CHECK((*subscribed)->integer == 2);   // channels + patterns after the last confirmation
    CHECK((*psubscribed)->integer == 3);
    CHECK((*ssubscribed)->integer == 1);   // shard channels count apart
    CHECK(log.has("subscribe chat 1"));
    CHECK(log.has("subscribe news 2"));
    CHECK(log.has("psubscribe ch* 3"));
    CHECK(log.has("ssubscribe orders 1"));
    CHECK(subscriber.is_in_subscribe_mode());

    auto receivers = call(loop, publisher, {"PUBLISH", "chat", "hi"});
    REQUIRE(receivers);
    CHECK(receivers->integer == 2);   // once for the channel, once for the pattern
    auto shard_receivers = call(loop, publisher, {"SPUBLISH", "orders", "o1"});
    REQUIRE(shard_receivers);
    CHECK(shard_receivers->integer == 1);
    REQUIRE(loop.run_until([&] { return log.has("smessage orders o1"); }, kWait));
    CHECK(log.has("message chat hi"));
    CHECK(log.has("pmessage ch* chat hi"));

    // Unsubscribing from everything leaves subscribe mode.
    std::optional<Result<Reply>> left;
    subscriber.unsubscribe({}, [&](Result<Reply> r) { left.emplace(std::move(r)); });
    subscriber.punsubscribe();
    subscriber.sunsubscribe();
    REQUIRE(loop.run_until([&] { return left.has_value(); }, kWait));
    CHECK_FALSE(subscriber.is_in_subscribe_mode());
    auto after = call(loop, subscriber, {"SET", "free", "again"});
    REQUIRE(after);
    CHECK(after->text == "OK");
}

TEST_CASE("a RESP2 subscriber refuses ordinary commands with a clear error",
          "[redis][integration]") {
    loop::EventLoop loop;
    RedisServer redis;
    Client subscriber{loop, redis.address()};
    subscriber.connect();
    std::optional<Result<Reply>> done;
    subscriber.subscribe({"chat"}, [&](Result<Reply> r) { done.emplace(std::move(r)); });
    REQUIRE(loop.run_until([&] { return done.has_value(); }, kWait));

    bool called_inside = false;
    std::optional<Result<Reply>> refused;
    subscriber.command({"get", "x"}, [&](Result<Reply> r) {
        called_inside = !refused.has_value() && !done;
        refused.emplace(std::move(r));
    });
    CHECK_FALSE(refused.has_value());   // never inside command()
    REQUIRE(loop.run_until([&] { return refused.has_value(); }, kWait));
    REQUIRE_FALSE(*refused);
    CHECK(refused->error().message() ==
          "resp: GET refused: this connection is subscribed (RESP2 subscribe mode), where only "
          "(P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PING, QUIT and RESET are allowed; use a second "
          "Client for other commands, or ClientOptions::resp3");
    CHECK_FALSE(called_inside);

    // PING is allowed, and in subscribe mode it answers as an array.
    auto pong = call(loop, subscriber, {"PING"});
    REQUIRE(pong);
    CHECK(describe(*pong) == "[\"pong\", \"\"]");
    // SUBSCRIBE through command() is refused: its replies are counted per channel.
    auto direct = call(loop, subscriber, {"SUBSCRIBE", "x"});
    REQUIRE_FALSE(direct);
    CHECK(direct.error().message() ==
          "resp: send SUBSCRIBE with Client::subscribe() (its replies are counted per channel)");
}

TEST_CASE("pub/sub over RESP3: pushes, and any command while subscribed", "[redis][integration]") {
    loop::EventLoop loop;
    RedisServer redis;
    ClientOptions options;
    options.resp3 = true;
    Client client{loop, redis.address(), options};   // one connection: subscriber and publisher
    PubSubLog log;
    log.attach(client);
    client.connect();
    wait_ready(loop, client);
    CHECK(client.protocol() == 3);

    std::optional<Result<Reply>> subscribed;
    client.subscribe({"chat"}, [&](Result<Reply> r) { subscribed.emplace(std::move(r)); });
    client.psubscribe({"c*"});
    client.ssubscribe({"orders"});
    REQUIRE(loop.run_until([&] { return subscribed.has_value() && log.has("ssubscribe orders 1"); },
                           kWait));
    CHECK(log.has("psubscribe c* 2"));
    CHECK_FALSE(client.is_in_subscribe_mode());   // RESP3 has no such mode

    // Replies stay in band and keep their order while pushes interleave.
    std::vector<std::string> order;
    client.publish("chat", "one", [&](Result<Reply> r) {
        order.push_back(fmt::format("publish {}", r->integer));
    });
    client.command({"SET", "k", "v"}, [&](Result<Reply> r) { order.push_back(r->text); });
    client.spublish("orders", "two", [&](Result<Reply> r) {
        order.push_back(fmt::format("spublish {}", r->integer));
    });
    client.command({"GET", "k"}, [&](Result<Reply> r) { order.push_back(r->text); });
    auto pong = call(loop, client, {"PING"});
    REQUIRE(pong);
    CHECK(pong->text == "PONG");   // in band, not the RESP2 subscribe-mode array
    CHECK(order == std::vector<std::string>{"publish 2", "OK", "spublish 1", "v"});
    REQUIRE(loop.run_until([&] { return log.has("smessage orders two"); }, kWait));
    CHECK(log.has("message chat one"));
    CHECK(log.has("pmessage c* chat one"));

    // Unsubscribing is confirmed by pushes only (redis#11784): on_done still runs.
    std::optional<Result<Reply>> left;
    client.unsubscribe({"chat"}, [&](Result<Reply> r) { left.emplace(std::move(r)); });
    auto after = call(loop, client, {"ECHO", "after"});
    REQUIRE(after);
    REQUIRE(loop.run_until([&] { return left.has_value(); }, kWait));
    REQUIRE(*left);
    CHECK((*left)->integer == 1);   // the pattern remains
}

TEST_CASE("PUBSUB NUMSUB counts subscribers per channel", "[redis][integration]") {
    loop::EventLoop loop;
    RedisServer redis;
    Client a{loop, redis.address()}, b{loop, redis.address()}, asker{loop, redis.address()};
    for (Client* c : {&a, &b, &asker}) c->connect();
    int confirmed = 0;
    a.subscribe({"room:1", "room:2"}, [&](Result<Reply>) { ++confirmed; });
    b.subscribe({"room:1"}, [&](Result<Reply>) { ++confirmed; });
    b.psubscribe({"room:*"}, [&](Result<Reply>) { ++confirmed; });   // patterns are not counted
    REQUIRE(loop.run_until([&] { return confirmed == 3; }, kWait));

    std::optional<Result<std::vector<std::pair<std::string, std::int64_t>>>> counts;
    const std::vector<std::string> channels{"room:1", "room:2", "room:3"};
    asker.pubsub_numsub(channels, [&](auto r) { counts.emplace(std::move(r)); });
    REQUIRE(loop.run_until([&] { return counts.has_value(); }, kWait));
    REQUIRE(*counts);
    CHECK(**counts == std::vector<std::pair<std::string, std::int64_t>>{
                          {"room:1", 2}, {"room:2", 1}, {"room:3", 0}});
}

TEST_CASE("AUTH with a password, with a user and password, and refused", "[redis][integration]") {
    loop::EventLoop loop;
    RedisServer redis{
        {"--requirepass", "secret", "--user", "alice", "on", ">wonderland", "~*", "&*", "+@all"}};

    SECTION("no password: commands get the server's NOAUTH error") {
        Client client{loop, redis.address()};
        client.connect();
        auto reply = call(loop, client, {"GET", "k"});
        REQUIRE_FALSE(reply);
        CHECK(reply.error().message() == "NOAUTH Authentication required.");

        // A refused SUBSCRIBE subscribes to nothing: no subscribe mode afterwards.
        std::optional<Result<Reply>> subscribed;
        client.subscribe({"chat"}, [&](Result<Reply> r) { subscribed.emplace(std::move(r)); });
        REQUIRE(loop.run_until([&] { return subscribed.has_value(); }, kWait));
        REQUIRE_FALSE(*subscribed);
        CHECK(subscribed->error().message() == "NOAUTH Authentication required.");
        CHECK(client.channels().empty());
        CHECK_FALSE(client.is_in_subscribe_mode());
    }
    SECTION("AUTH password, RESP2") {
        ClientOptions options;
        options.password = "secret";
        Client client{loop, redis.address(), options};
        client.connect();
        auto reply = call(loop, client, {"SET", "k", "v"});
        REQUIRE(reply);
        CHECK(reply->text == "OK");
    }
    SECTION("AUTH user password, RESP2 and RESP3 (HELLO 3 AUTH)") {
        for (bool resp3 : {false, true}) {
            ClientOptions options;
            options.user = "alice";
            options.password = "wonderland";
            options.resp3 = resp3;
            Client client{loop, redis.address(), options};
            client.connect();
            auto who = call(loop, client, {"ACL", "WHOAMI"});
            REQUIRE(who);
            CHECK(who->text == "alice");
            CHECK(client.protocol() == (resp3 ? 3 : 2));
        }
    }
    SECTION("a wrong password ends the client with the server's reason") {
        ClientOptions options;
        options.password = "wrong";
        Client client{loop, redis.address(), options};
        ConnectionLog events;
        events.attach(client);
        client.connect();
        std::optional<Result<Reply>> reply;
        client.command({"GET", "k"}, [&](Result<Reply> r) { reply.emplace(std::move(r)); });
        REQUIRE(loop.run_until([&] { return events.count("end") == 1 && reply; }, kWait));
        REQUIRE(events.last_error);
        CHECK(
            events.last_error->message() ==
            fmt::format(
                "AUTH refused by {}: WRONGPASS invalid username-password pair or user is disabled.",
                redis.address()));
        REQUIRE_FALSE(*reply);   // the queued command fails with the same reason
        CHECK_THAT(reply->error().message(), Catch::Contains("WRONGPASS"));
        CHECK(client.state() == ClientState::Closed);
    }
}

TEST_CASE("after a server restart the client reconnects and subscribes again",
          "[redis][integration]") {
    for (bool resp3 : {false, true}) {
        CAPTURE(resp3);
        loop::EventLoop loop;
        RedisServer redis;
        ClientOptions options = quick_options();
        options.resp3 = resp3;
        Client subscriber{loop, redis.address(), options};
        Client publisher{loop, redis.address(), quick_options()};
        PubSubLog log;
        log.attach(subscriber);
        ConnectionLog events;
        events.attach(subscriber);
        subscriber.connect();
        publisher.connect();
        subscriber.subscribe({"news"});
        subscriber.psubscribe({"n*"});
        REQUIRE(loop.run_until([&] { return log.has("psubscribe n* 2"); }, kWait));

        redis.kill();
        REQUIRE(loop.run_until([&] { return events.count("disconnect") == 1; }, kWait));
        REQUIRE(events.last_error);
        CHECK(events.count("reconnecting") >= 1);
        redis.start();   // same port

        // "ready" comes only after the subscriptions were confirmed again.
        REQUIRE(loop.run_until([&] { return events.count("ready") == 2; }, kWait));
        CHECK(log.count_of("subscribe news") == 2);
        CHECK(log.count_of("psubscribe n*") == 2);
        wait_ready(loop, publisher);
        auto receivers = call(loop, publisher, {"PUBLISH", "news", "back"});
        REQUIRE(receivers);
        CHECK(receivers->integer == 2);
        REQUIRE(loop.run_until([&] { return log.has("pmessage n* news back"); }, kWait));
        CHECK(log.has("message news back"));
    }
}

TEST_CASE("a server killed with replies pending fails each pending command once",
          "[redis][integration]") {
    loop::EventLoop loop;
    RedisServer redis;
    ClientOptions options = quick_options();
    Client client{loop, redis.address(), options};
    client.connect();
    wait_ready(loop, client);

    // BLPOP on an empty list with no timeout: Redis holds the reply (and those behind it).
    std::vector<Result<Reply>> outcomes;
    client.command({"BLPOP", "empty", "0"},
                   [&](Result<Reply> r) { outcomes.push_back(std::move(r)); });
    client.command({"GET", "a"}, [&](Result<Reply> r) { outcomes.push_back(std::move(r)); });
    client.command({"INCR", "b"}, [&](Result<Reply> r) { outcomes.push_back(std::move(r)); });
    REQUIRE(loop.run_until([&] { return client.pending() == 3; }, kWait));
    redis.kill();
    REQUIRE(loop.run_until([&] { return outcomes.size() == 3; }, kWait));
    for (const auto& outcome : outcomes) {
        REQUIRE_FALSE(outcome);
        CHECK_THAT(outcome.error().message(),
                   Catch::StartsWith(fmt::format("resp: connection to {} lost before the reply",
                                                 redis.address())));
        CHECK(outcome.error().code() != 0);
    }
    // None twice: a few more turns change nothing.
    (void)loop.run_until([] { return false; }, Millis{50});
    CHECK(outcomes.size() == 3);

    // Commands issued while the server is down wait offline and run after it is back.
    std::optional<Result<Reply>> later;
    client.command({"ECHO", "back"}, [&](Result<Reply> r) { later.emplace(std::move(r)); });
    redis.start();
    REQUIRE(loop.run_until([&] { return later.has_value(); }, kWait));
    REQUIRE(*later);
    CHECK((*later)->text == "back");
}

TEST_CASE("a command that times out fails with ETIMEDOUT and its late reply is dropped",
          "[redis][integration]") {
    loop::EventLoop loop;
    RedisServer redis;
    ClientOptions options;
    options.command_timeout = Millis{100};
    Client client{loop, redis.address(), options};
    Client pusher{loop, redis.address()};
    client.connect();
    pusher.connect();
    wait_ready(loop, client);

    std::optional<Result<Reply>> blocked, behind;
    client.command({"BLPOP", "jobs", "0"}, [&](Result<Reply> r) { blocked.emplace(std::move(r)); });
    REQUIRE(loop.run_until([&] { return blocked.has_value(); }, kWait));
    REQUIRE_FALSE(*blocked);
    CHECK(blocked->error().code() == ETIMEDOUT);
    CHECK(blocked->error().message() == "resp: BLPOP timed out after 100 ms: Connection timed out");

    // The BLPOP is still pending on the server; its reply, when it comes, must not be taken
    // for the reply of the ECHO behind it.
    client.command({"ECHO", "mine"}, [&](Result<Reply> r) { behind.emplace(std::move(r)); });
    auto pushed = call(loop, pusher, {"RPUSH", "jobs", "job-1"});
    REQUIRE(pushed);
    REQUIRE(loop.run_until([&] { return behind.has_value(); }, kWait));
    REQUIRE(*behind);
    CHECK((*behind)->text == "mine");
}
