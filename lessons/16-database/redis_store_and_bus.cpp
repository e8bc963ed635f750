// lessons/16-database/redis_store_and_bus.cpp — steps 4 and 5: the same Redis server used two
// ways. As a STORE, the data lives in the server: clients come and go and find it again (and
// whether it survives the server itself depends on Redis's own log, the same idea as step 1).
// As a BUS, nothing is kept at all: PUBLISH hands a message to whoever is subscribed at that
// moment and forgets it.
#include "database_lesson.hpp"

#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

using namespace looplab;
using namespace std::chrono_literals;

namespace database {

Result<resp::Reply> call(loop::EventLoop& loop, resp::Client& client,
                         std::initializer_list<std::string_view> args) {
    std::optional<Result<resp::Reply>> answer;
    client.command(args, [&](Result<resp::Reply> reply) { answer = std::move(reply); });
    if (!loop.run_until([&] { return answer.has_value(); }, kWaitLimit))
        lesson::fail(fmt::format("no reply to {} within {} ms", *args.begin(), kWaitLimit.count()));
    return std::move(*answer);
}

std::string show(const Result<resp::Reply>& reply) {
    if (!reply) return fmt::format("(error) {}", reply.error().message());
    switch (reply->type) {
        case resp::ReplyType::Null:
            return "(nil)";
        case resp::ReplyType::Integer:
            return fmt::format("(integer) {}", reply->integer);
        case resp::ReplyType::SimpleString:
            return reply->text;
        default:
            return fmt::format("\"{}\"", reply->text);
    }
}

namespace {

// A client that is connected and has answered one PING: ready for the story.
std::unique_ptr<resp::Client> connected_client(loop::EventLoop& loop, const RedisServer& server) {
    auto client = std::make_unique<resp::Client>(loop, server.address());
    client->connect();
    if (!call(loop, *client, {"PING"})) lesson::fail("redis-server does not answer PING");
    return client;
}

RedisServer start_server(const lesson::Options& options, loop::EventLoop& loop,
                         const std::string& program, std::uint16_t port, const std::string& folder,
                         bool append_only) {
    auto server = RedisServer::start(loop, program, port, folder, append_only);
    if (!server) lesson::fail(server.error());
    lesson::say("lesson: redis-server is up on {} ({})",
                options.label_as(server->address(), "127.0.0.1:PORT"),
                append_only ? "--appendonly yes --appendfsync always: Redis logs every write"
                            : "--save \"\" --appendonly no: in memory only");
    return std::move(*server);
}

// A subscriber: one connection in subscribe mode, and the messages it got.
struct Subscriber {
    std::string name;
    std::unique_ptr<resp::Client> client;
    std::vector<std::string> got;
};

std::unique_ptr<Subscriber> subscribe(loop::EventLoop& loop, const RedisServer& server,
                                      std::string name, const std::string& channel) {
    auto subscriber = std::make_unique<Subscriber>();
    subscriber->name = std::move(name);
    subscriber->client = std::make_unique<resp::Client>(loop, server.address());
    Subscriber* self = subscriber.get();
    subscriber->client->pubsub().on("message", [self](const resp::PubSubMessage& message) {
        self->got.push_back(message.payload);
    });
    subscriber->client->connect();
    std::optional<Result<resp::Reply>> confirmed;
    subscriber->client->subscribe({channel},
                                  [&](Result<resp::Reply> reply) { confirmed = std::move(reply); });
    if (!loop.run_until([&] { return confirmed.has_value(); }, kWaitLimit) || !*confirmed)
        lesson::fail(fmt::format("{} could not subscribe to {}", self->name, channel));
    lesson::say("{}: SUBSCRIBE {} -> subscribed", self->name, channel);
    return subscriber;
}

// PUBLISH, then wait until every subscriber that should get it has it, then tell it in a
// fixed order (the two deliveries race each other on the loop; the story must not).
void publish(loop::EventLoop& loop, resp::Client& publisher, const std::string& channel,
             const std::string& text, const std::vector<Subscriber*>& listening,
             const std::vector<Subscriber*>& everyone) {
    std::vector<std::size_t> before;
    for (Subscriber* s : everyone)
        before.push_back(s->got.size());
    const auto receivers = call(loop, publisher, {"PUBLISH", channel, text});
    lesson::say("publisher: PUBLISH {} \"{}\" -> {} (receivers right now)", channel, text,
                show(receivers));
    const bool all_got_it = loop.run_until(
        [&] {
            for (Subscriber* s : listening)
                if (s->got.empty() || s->got.back() != text) return false;
            return true;
        },
        kWaitLimit);
    if (!all_got_it) lesson::fail("a connected subscriber did not get the message");
    // A round trip on every subscriber's connection: anything else on its way has arrived too.
    for (Subscriber* s : everyone)
        static_cast<void>(call(loop, *s->client, {"PING"}));
    for (std::size_t i = 0; i < everyone.size(); ++i) {
        Subscriber* s = everyone[i];
        if (s->got.size() > before[i])
            lesson::say("{}: message on {}: \"{}\"", s->name, channel, s->got.back());
        else
            lesson::say("{}: (nothing)", s->name);
    }
}

// Turns the loop until the server counts `count` subscribers on `channel` (PUBSUB NUMSUB): a
// client's close reaches the server a little later than close() returns.
void wait_for_subscribers(loop::EventLoop& loop, resp::Client& client, const std::string& channel,
                          std::int64_t count) {
    for (int attempt = 0; attempt < 500; ++attempt) {
        const auto reply = call(loop, client, {"PUBSUB", "NUMSUB", channel});
        if (reply && reply->elements.size() == 2 && reply->elements[1].integer == count) return;
        loop.run_until([] { return false; }, 10ms);   // let the server catch up, then ask again
    }
    lesson::fail(fmt::format("the server never counted {} subscribers on {}", count, channel));
}

}   // namespace

void run_redis_steps(const lesson::Options& options, loop::EventLoop& loop,
                     const std::string& program, const std::string& folder) {
    auto port = free_port();
    if (!port) lesson::fail(port.error());

    // 4. Redis as a store: a client restart loses nothing; a server restart depends on its log.
    options.step("Redis as a store: SET and GET across a client restart");
    RedisServer server = start_server(options, loop, program, *port, folder, false);
    {
        auto a = connected_client(loop, server);
        lesson::say("client A: SET room:lobby:topic \"event loops\" -> {}",
                    show(call(loop, *a, {"SET", "room:lobby:topic", "event loops"})));
        lesson::say("client A: INCR room:lobby:visits -> {}",
                    show(call(loop, *a, {"INCR", "room:lobby:visits"})));
        a->close();
        lesson::say("client A: closed (the program restarts)");
    }
    {
        auto b = connected_client(loop, server);
        lesson::say("client B: a new connection, a new process: GET room:lobby:topic -> {}",
                    show(call(loop, *b, {"GET", "room:lobby:topic"})));
        lesson::say("client B: INCR room:lobby:visits -> {}",
                    show(call(loop, *b, {"INCR", "room:lobby:visits"})));
        lesson::say("the data lives in the server process: clients come and go, it stays");
        b->close();
    }
    lesson::say("");
    lesson::say("and if the SERVER dies? kill -9 redis-server, start it again:");
    server.kill_hard();
    server = start_server(options, loop, program, *port, folder, false);
    {
        auto c = connected_client(loop, server);
        lesson::say("client C: GET room:lobby:topic -> {}   (memory only: gone with the process)",
                    show(call(loop, *c, {"GET", "room:lobby:topic"})));
        c->close();
    }
    server.kill_hard();
    lesson::say("the same with Redis's own append-only log, the idea of steps 1-3:");
    server = start_server(options, loop, program, *port, folder, true);
    {
        auto d = connected_client(loop, server);
        lesson::say("client D: SET room:lobby:topic \"event loops\" -> {}",
                    show(call(loop, *d, {"SET", "room:lobby:topic", "event loops"})));
        d->close();
    }
    server.kill_hard();
    lesson::say("lesson: kill -9 redis-server, start it again");
    server = start_server(options, loop, program, *port, folder, true);
    {
        auto e = connected_client(loop, server);
        lesson::say("client E: GET room:lobby:topic -> {}   (replayed from its log at start)",
                    show(call(loop, *e, {"GET", "room:lobby:topic"})));
        e->close();
    }

    // 5. Redis as a message bus: only who is subscribed at the moment of PUBLISH gets it.
    options.step("Redis as a message bus: PUBLISH reaches whoever listens now");
    auto publisher = connected_client(loop, server);
    auto s1 = subscribe(loop, server, "subscriber 1", "news");
    publish(loop, *publisher, "news", "the lesson starts", {s1.get()}, {s1.get()});
    lesson::say("");
    auto s2 = subscribe(loop, server, "subscriber 2 (joins late)", "news");
    lesson::say("{}: has received {} messages: nothing is kept to replay", s2->name,
                s2->got.size());
    publish(loop, *publisher, "news", "break time", {s1.get(), s2.get()}, {s1.get(), s2.get()});
    lesson::say("");
    lesson::say("subscriber 1 disconnects; one more PUBLISH:");
    s1->client->close();
    wait_for_subscribers(loop, *publisher, "news", 1);
    publish(loop, *publisher, "news", "back to work", {s2.get()}, {s2.get()});
    lesson::say("(subscriber 1 will never see \"back to work\": pub/sub is at-most-once)");
    publisher->close();
    s2->client->close();
}

}   // namespace database
