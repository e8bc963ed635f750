// lessons/19-rooms-across-servers/rooms_across_servers_demo.cpp
//
// The seed's picture, running: two Socket.IO servers (A and B) that share nothing but a Redis
// server, a client on each (alice on A, bob on B), one room. A message said in the room on A
// reaches bob on B because server A also PUBLISHes it to Redis and server B, subscribed,
// delivers it to its own members. A watcher of the lesson's own (a third Redis connection,
// PSUBSCRIBE socket.io#*) prints what crossed Redis, byte by byte. Then Redis is killed and
// started again: local delivery goes on, what is published while B's subscriber is away is
// lost for B, and after B resubscribes messages cross again. Read with
// notes/19-rooms-across-servers.md.
//
// The lesson starts its own redis-server (on a free port, no files kept): it must be installed.
//
// Each step does one thing and waits (loop.run_until) for everything it causes; then the
// lines of each actor are printed, actor by actor (cluster_lesson.hpp says why).
#include "cluster_lesson.hpp"

#include "looplab/lesson/lesson.hpp"
#include "looplab/lesson/redis_server.hpp"
#include "looplab/socketio_client/manager.hpp"
#include "looplab/socketio_client/server_url.hpp"

#include <fmt/format.h>

#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>

using namespace looplab;
using namespace std::chrono_literals;
namespace json = codec::json;

namespace {

constexpr Millis kStepLimit{5000};
// How soon each server's Redis connections try again after Redis went away. B is slow on
// purpose: the lesson needs a moment when A is back and B is not, to show what B misses.
constexpr cluster::Reconnection kFastReconnection{Millis{10}};
constexpr cluster::Reconnection kSlowReconnection{Millis{600}};

// One chat user: a Manager (the connection) and its socket in "/".
struct ChatClient {
    std::string name;
    cluster::Transcript& transcript;
    socketio_client::Manager manager;
    socketio_client::Socket& socket;
    bool connected = false;
    int acks = 0;
    std::vector<std::string> heard;   // the texts of the "chat" events received

    ChatClient(std::string who, cluster::Transcript& story, loop::EventLoop& loop, const net::Address& server)
        : name(std::move(who)),
          transcript(story),
          manager(loop, socketio_client::server_url(server), options()),
          socket(manager.socket("/", {.auth = json::Value::object({{"name", name}})})) {
        socket.on_connect([this] {
            connected = true;
            say(fmt::format("\"connect\": socket.id is {}", socket.id()));
        });
        socket.on("chat", [this](const socketio::Args& args) {
            heard.push_back(args[1].as_string());
            say(fmt::format("\"chat\" from {}: \"{}\"", args[0].as_string(), args[1].as_string()));
        });
    }

    static socketio_client::ManagerOptions options() {
        socketio_client::ManagerOptions options;
        options.reconnection = false;   // the story is about Redis, not about this connection
        return options;
    }

    void say(std::string line) { transcript.add(name, fmt::format("{}: {}", name, line)); }

    void join(const std::string& room) {
        say(fmt::format("emit(\"join\", \"{}\") and waits for the ack", room));
        socket.emit_with_ack("join", room, kStepLimit, [this](Result<socketio::Args> reply) {
            ++acks;
            if (!reply) return say(fmt::format("ack of \"join\": {}", reply.error().message()));
            say(fmt::format("ack of \"join\": [{}, {}] (sockets of the room here, and everywhere)",
                            (*reply)[0].as_int(), (*reply)[1].as_int()));
        });
    }

    void chat(const std::string& room, const std::string& text) {
        say(fmt::format("emit(\"chat\", \"{}\", \"{}\")", room, text));
        socket.emit("chat", room, text);
    }

    bool has_heard(std::string_view text) const {
        return std::find(heard.begin(), heard.end(), text) != heard.end();
    }
};

// The lesson's own Redis connection, subscribed to every Socket.IO broadcast channel: it
// sees what the servers publish, as any other subscriber would.
struct Watcher {
    cluster::Transcript& transcript;
    resp::Client client;
    bool subscribed = false;
    bool lost = false;
    int messages = 0;
    bool show_bytes = true;   // the next message in hex, part by part; later ones in one line

    Watcher(cluster::Transcript& story, loop::EventLoop& loop, const net::Address& redis)
        : transcript(story), client(loop, redis, options()) {
        client.connection().on("disconnect", [this](const resp::ConnectionEvent&) { lost = true; });
        client.pubsub().on("pmessage", [this](const resp::PubSubMessage& message) { on_message(message); });
        client.connect();
        client.psubscribe({"socket.io#*"}, [this](Result<resp::Reply> done) { subscribed = done.has_value(); });
    }

    static resp::ClientOptions options() {
        resp::ClientOptions options;
        options.reconnect = false;   // a new watcher is made after the restart (see step 4)
        return options;
    }

    void on_message(const resp::PubSubMessage& message) {
        ++messages;
        transcript.add("redis", fmt::format("redis: PUBLISH on {} ({} bytes of msgpack), seen by the watcher:",
                                            message.channel, message.payload.size()));
        if (show_bytes) {
            for (std::string& line : cluster::dump_broadcast(message.payload, transcript))
                transcript.add("redis", std::move(line));
            show_bytes = false;
            return;
        }
        auto broadcast = socketio_redis::decode_broadcast(message.payload);
        if (!broadcast) return transcript.add("redis", "  (not a broadcast)");
        transcript.add("redis", fmt::format("  [{}, {{type 2, data {}, nsp \"{}\"}}, {{rooms {}}}]",
                                            broadcast->uid, json::write(broadcast->packet.data.value_or(json::Value{})),
                                            broadcast->packet.nsp,
                                            json::write(json::Value{json::Array(broadcast->opts.rooms.begin(),
                                                                                broadcast->opts.rooms.end())})));
    }
};

}   // namespace

int main(int argc, char** argv) {
    const auto options = lesson::parse(argc, argv, "lesson-19");
    lesson::TraceSession tracing{options};
    loop::EventLoop loop{options.poller};
    cluster::Transcript transcript{options.demo};
    for (const char* actor : {"alice", "server A", "redis", "server B", "bob"}) transcript.add_actor(actor);
    const auto say = [&](std::string line) { lesson::say_line(transcript.hide_ids(std::move(line))); };
    // `from_b`: bob started it, so the path is printed from his end (bob, B, Redis, A, alice).
    const auto wait_for = [&](std::string_view what, const std::function<bool()>& done, bool from_b = false) {
        const bool happened = loop.run_until(done, kStepLimit);
        if (from_b) transcript.flush_reversed();
        else transcript.flush();
        if (!happened) lesson::fail(fmt::format("{} did not happen within 5 s", what));
    };

    if (!lesson::RedisServer::is_installed())
        lesson::fail("redis-server is not installed, and this lesson starts its own. Install it "
                     "(Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis; "
                     "or `make test-tools` as root), then run the lesson again.");

    // 1. Redis and two servers that know nothing of each other but its address.
    options.step("Two servers and a Redis: the seed's picture");
    std::optional<lesson::RedisServer> redis;
    try {
        redis.emplace();
    } catch (const std::exception& failure) {
        lesson::fail(fmt::format("could not start redis-server: {}", failure.what()));
    }
    transcript.name_id_as(redis->address().to_string(), "127.0.0.1:REDIS");
    cluster::ChatNode a{loop, "A", redis->address(), kFastReconnection, transcript};
    cluster::ChatNode b{loop, "B", redis->address(), kSlowReconnection, transcript};
    for (cluster::ChatNode* node : {&a, &b})
        if (auto listening = node->listen(net::Address::loopback(0)); !listening) lesson::fail(listening.error());
    transcript.name_id_as(a.address().to_string(), "127.0.0.1:PORT_A");
    transcript.name_id_as(b.address().to_string(), "127.0.0.1:PORT_B");

    // Both servers' subscriptions have reached Redis when each counts two servers (the
    // subscribers of the request channel, PUBSUB NUMSUB).
    std::size_t counted_two = 0;
    const bool both_counted = loop.run_until([&] {
        if (counted_two == 2) return true;
        if (!a.redis_ready() || !b.redis_ready()) return false;
        std::size_t answers = 0, twos = 0;
        for (cluster::ChatNode* node : {&a, &b})
            node->adapter().server_count([&](std::size_t count) { ++answers; twos += count == 2 ? 1 : 0; });
        loop.run_until([&] { return answers == 2; }, kStepLimit);
        counted_two = twos;
        return counted_two == 2;
    }, kStepLimit);
    if (!both_counted) lesson::fail("the two servers did not both subscribe within 5 s");
    say(fmt::format("redis-server runs on {} (started by the lesson; nothing saved to disk)", redis->address().to_string()));
    say(fmt::format("server A listens on {}, its adapter's uid is {}", a.address().to_string(), a.adapter().uid()));
    say(fmt::format("server B listens on {}, its adapter's uid is {}", b.address().to_string(), b.adapter().uid()));
    say("each server has two Redis connections: a publisher, and a subscriber that sent");
    for (const std::string& pattern : a.bus().subscriber().patterns())
        say(fmt::format("  PSUBSCRIBE {:<32} every broadcast in namespace \"/\"", pattern));
    for (const std::string& channel : a.bus().subscriber().channels()) {
        const char* what = channel == a.adapter().channels().request() ? "questions to every server"
                           : channel == a.adapter().channels().response() ? "their answers"
                                                                          : "answers for this server only";
        say(fmt::format("  SUBSCRIBE  {:<32} {}", channel, what));
    }
    say("(server A's; B's are the same with its own uid). PUBSUB NUMSUB on the request channel");
    say("says 2: each adapter now counts 2 servers.");
    auto watcher = std::make_unique<Watcher>(transcript, loop, redis->address());
    wait_for("the watcher's subscription", [&] { return watcher->subscribed; });
    say("the lesson's watcher, a third connection, sent PSUBSCRIBE socket.io#*: it sees every");
    say("broadcast of every namespace (and nothing else: requests go on socket.io-request#...)");

    // 2. alice on A, bob on B, one room. The room exists on each server separately; the
    //    adapter makes them behave as one.
    options.step("alice on server A, bob on server B, both in the room \"lobby\"");
    ChatClient alice{"alice", transcript, loop, a.address()};
    ChatClient bob{"bob", transcript, loop, b.address()};
    alice.socket.connect();
    wait_for("alice's connection", [&] { return alice.connected; });
    bob.socket.connect();
    wait_for("bob's connection", [&] { return bob.connected; });
    alice.join("lobby");
    wait_for("alice's join", [&] { return alice.acks == 1; });
    bob.join("lobby");
    wait_for("bob's join", [&] { return bob.acks == 1; });
    say("socket.join() is local: each server knows only its own members. fetchSockets() is a");
    say("question on socket.io-request#/#, answered by every server on socket.io-response#/#.");

    static constexpr const char* alice_said[] = {"hi bob", "is anyone there?", "bob, are you there?", "and now?"};
    // 3. One message, A -> Redis -> B. Printed: alice, then server A, Redis (the watcher),
    //    server B, bob: the path of the message.
    options.step("alice says \"hi bob\" on A: the path through Redis");
    alice.chat("lobby", "hi bob");
    wait_for("the message's trip", [&] {
        return alice.has_heard("hi bob") && bob.has_heard("hi bob") && watcher->messages == 1 &&
               a.chats_handled() == 1 && a.echoes() == 1;
    });
    say("A delivered it to its own member at once, then B delivered it to its own: each server");
    say("writes only to the sockets it holds. Nobody sends it twice: B's copy came from Redis,");
    say("and A drops its own message when Redis hands it back (the uid is its own).");
    bob.chat("lobby", "hi alice");
    wait_for("bob's answer", [&] { return alice.has_heard("hi alice") && bob.has_heard("hi alice") && watcher->messages == 2 &&
                                          b.echoes() == 1; }, true);

    // 4. Redis restarts. Pub/sub keeps nothing for a subscriber that is not there.
    options.step("Redis restarts: local delivery goes on, what B misses is lost");
    say("kill -9 redis-server");
    a.reset_lost();
    b.reset_lost();
    redis->kill();
    wait_for("the lost connections", [&] { return a.redis_lost() && b.redis_lost() && watcher->lost; });
    say(fmt::format("server A: both Redis connections lost; it tries again every {} ms", kFastReconnection.delay.count()));
    say(fmt::format("server B: both Redis connections lost; it tries again every {} ms (slow on purpose)",
                    kSlowReconnection.delay.count()));
    say("the watcher's connection is gone too (the lesson makes a new one later)");
    alice.chat("lobby", "is anyone there?");
    wait_for("local delivery", [&] { return alice.has_heard("is anyone there?") && a.chats_handled() == 2; });
    say("local delivery works without Redis: alice (on A) got it, bob (on B) cannot.");

    say("redis-server starts again, on the same port, empty");
    try {
        redis->start();
    } catch (const std::exception& failure) {
        lesson::fail(fmt::format("could not start redis-server again: {}", failure.what()));
    }
    wait_for("server A's return", [&] {
        return a.redis_ready() && a.bus().publisher().queued() == 0 && a.bus().publisher().pending() == 0;
    });
    if (b.bus().subscriber().is_ready())
        lesson::fail("server B's Redis subscriber is back already: the story needs B away longer "
                     "(kSlowReconnection) than A takes to come back (a very slow machine?)");
    say("server A is back: its subscriptions were restored, and its queued PUBLISH went out. Redis");
    say("passed it to whoever was subscribed at that instant: not B, still away. Lost for bob.");
    watcher = std::make_unique<Watcher>(transcript, loop, redis->address());
    watcher->show_bytes = false;
    wait_for("the new watcher's subscription", [&] { return watcher->subscribed; });
    alice.chat("lobby", "bob, are you there?");
    wait_for("a message while B is away", [&] {
        return alice.has_heard("bob, are you there?") && watcher->messages == 1;
    });
    if (b.bus().subscriber().is_ready())
        lesson::fail("server B's Redis subscriber came back before alice's message went out: the "
                     "story needs B away longer (kSlowReconnection) (a very slow machine?)");
    say("Redis delivered it to its subscribers of the moment: the watcher and A itself, not B,");
    say("whose subscriber is still reconnecting. Pub/sub is at most once: nothing is kept for B.");

    wait_for("server B's return", [&] { return b.redis_ready(); });
    say("server B is back: its subscriber sent PSUBSCRIBE socket.io#/#* and its SUBSCRIBEs again");
    alice.chat("lobby", "and now?");
    wait_for("a message after the restart", [&] { return bob.has_heard("and now?") && watcher->messages == 2; });
    bob.chat("lobby", "got that one");
    wait_for("bob's answer after the restart", [&] { return alice.has_heard("got that one") && watcher->messages == 3; }, true);
    std::size_t reached_bob = 0;
    for (const char* text : alice_said) reached_bob += bob.has_heard(text) ? 1 : 0;
    say(fmt::format("bob heard {} of alice's {} messages: the two said while B was away are lost for good.",
                    reached_bob, std::size(alice_said)));
    say("(apps that cannot lose messages keep them elsewhere: a database, Redis streams; see the note)");

    // Leaving: the sockets go, then the servers (each before its bus), then Redis.
    alice.socket.disconnect();
    bob.socket.disconnect();
    loop.run_until([&] {
        return alice.manager.state() == socketio_client::Manager::State::Closed &&
               bob.manager.state() == socketio_client::Manager::State::Closed;
    }, kStepLimit);
    transcript.flush();
    return 0;
}
