// looplab/resp/client.hpp
//
// Client — a Redis client on the event loop: commands go out pipelined (many in flight on one
// connection), replies come back in the same order and each one goes to its command's
// callback; pub/sub messages come out as named events.
// Teaches: database (lesson 16): Redis as a store (SET/GET) and as a message bus
// (PUBLISH/SUBSCRIBE); and pipelining: a FIFO of callbacks is all "matching replies" needs.
// Run: lessons/16-database   Read: notes/16-database.md, PROTOCOLS-redis-store.md §1-§3
//
//     resp::Client redis{loop, net::Address::loopback(6379)};
//     redis.connect();
//     redis.command({"SET", "greeting", "hello"});                 // no callback: fire and forget
//     redis.command({"GET", "greeting"}, [](Result<resp::Reply> reply) {
//         if (!reply) return fmt::print("{}\n", reply.error());   // server's text, or why lost
//         fmt::print("{}\n", reply->text);                         // hello
//     });
//
//     resp::Client bus{loop, address};                             // a second connection: in
//     bus.pubsub().on("message", [](const resp::PubSubMessage& m) {  // RESP2 a subscriber
//         fmt::print("{}: {}\n", m.channel, m.payload);            // can do nothing else
//     });
//     bus.connect();
//     bus.subscribe({"chat"});
//     redis.publish("chat", "hi");
//
// Replies. A command's callback runs once, always later from the loop (never inside
// command()), with the Reply, or an Error:
//   - the server said no (`-ERR ...`, `-WRONGTYPE ...`): Error code 0, message() is the
//     server's text exactly ("ERR unknown command 'NOPE', with args beginning with: ");
//   - it timed out (options.command_timeout): "resp: GET timed out after 5000 ms: Connection
//     timed out" (code ETIMEDOUT);
//     its late reply, if any, is read and dropped, so later replies still match;
//   - the connection broke before the reply came (refused, reset, the server killed
//     mid-reply): every command in flight fails, once each, with the reason, e.g.
//     "resp: connection to 127.0.0.1:6379 lost before the reply; read 127.0.0.1:6379:
//     Connection reset by peer" (the code is the system's, ECONNRESET here). Such a command
//     may or may not have run: it is never sent again.
//   - the offline queue is full, the client was closed, or (RESP2) a subscriber sent an
//     ordinary command: a sentence saying so.
// Replies inside arrays (EXEC, a script's table) stay Replies of type Error: only a whole
// reply that is an error fails the callback.
//
// Connection events, on connection() (listeners get a ConnectionEvent):
//   "connect"        TCP is up (AUTH / HELLO not done yet)
//   "ready"          AUTH / HELLO answered, subscriptions restored: commands flow
//   "disconnect"     the connection is gone; `error` says why (reset, closed, ...). A
//                    connect attempt that fails (refused) is no disconnect: "reconnecting"
//                    or "end" follows it directly, with the reason
//   "reconnecting"   the next attempt starts after `delay` (attempt 1, 2, ...); `error`:
//                    why the last one ended
//   "end"            the client gave up for good: close(), AUTH refused, attempts used up;
//                    `error` says why, empty after close()
// No event here is called "error", so a client with no listeners never throws (EventEmitter
// throws for an unheard "error"): failures always reach the callbacks and these events.
//
// Pub/sub, on pubsub() (listeners get a PubSubMessage):
//   "message"  (channel, payload)            for subscribe()
//   "pmessage" (pattern, channel, payload)   for psubscribe()
//   "smessage" (channel, payload)            for ssubscribe()
//   "subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe":
//              the server confirmed one channel (channel, count = subscriptions now)
// Subscriptions are remembered: after a reconnect they are sent again before "ready" (shard
// channels: one SSUBSCRIBE per slot, as a cluster requires). A subscription the server
// refuses (-NOAUTH, -MOVED...) is forgotten, and on_done gets the error; refused when sent
// again after a reconnect (-MOVED: its slot moved meanwhile), it is forgotten and emitted as
// an unsubscribe event ("sunsubscribe" ...), as when the server drops one by itself.
// Messages published while the connection was down are lost (pub/sub is at-most-once).
// With RESP2 (the default) a connection that subscribed is in "subscribe mode": only
// (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PING, QUIT and RESET may be sent, and command() refuses
// the rest at once with an error that says so. With options.resp3 (HELLO 3) any command
// works while subscribed and messages arrive as RESP3 pushes.
//
// Reconnection: when a connection breaks (or the first connect fails), the client tries
// again after initial_delay, then each delay times factor up to max_delay, each spread by
// +- jitter (so many clients do not all come back in the same millisecond). Commands issued
// while not ready wait in the offline queue (at most max_offline_commands; past it, an error
// at once) and are sent when "ready" comes; with reconnection off, a failed connect fails them.
//
// Cluster: one Client talks to one node. ClusterClient (cluster_client.hpp) keeps a slot map
// and one Client per master, and follows MOVED / ASK.
//
// Lifetime: the one rule, include/looplab/README.md. Destroying the client closes its
// connection at once and calls no callback (the objects they capture may be gone); call
// close() first to have every pending callback fail with "client closed". It may be destroyed
// anywhere, also inside a connection() or pubsub() listener (the listeners after it hear
// nothing) and inside a command's callback (the replies read with it are dropped).
//
// Contract: loop thread only. The client owns its connection.
#pragma once

#include "looplab/core/clock.hpp"
#include "looplab/core/result.hpp"
#include "looplab/events/event_emitter.hpp"
#include "looplab/loop/event_loop.hpp"
#include "looplab/net/address.hpp"
#include "looplab/net/lifetime_flag.hpp"
#include "looplab/net/tcp_connection.hpp"
#include "looplab/net/tcp_connector.hpp"
#include "looplab/resp/parser.hpp"
#include "looplab/resp/reply.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace looplab::resp {

// A command with no reply after this long fails with ETIMEDOUT (0 = wait forever).
inline constexpr Millis kRespCommandTimeout{10'000};
// Most commands kept while the client is not ready; one more fails at once.
inline constexpr std::size_t kRespMaxOfflineCommands = 10'000;
// Most commands sent and still waiting for their reply; one more fails at once. A server
// that stops answering (or a caller that never waits) cannot grow the queue without end.
inline constexpr std::size_t kRespMaxInFlightCommands = 100'000;
// Reconnection: first delay, the ceiling, the growth per attempt and the +- spread.
inline constexpr Millis kRespReconnectInitialDelay{50};
inline constexpr Millis kRespReconnectMaxDelay{5'000};
inline constexpr double kRespReconnectFactor = 2.0;
inline constexpr double kRespReconnectJitter = 0.2;

struct Backoff {
    Millis initial_delay = kRespReconnectInitialDelay;
    Millis max_delay = kRespReconnectMaxDelay;
    double factor = kRespReconnectFactor;
    double jitter = kRespReconnectJitter;   // 0.2: each delay is 80 %..120 % of its value
    std::size_t max_attempts = 0;           // failed retries in a row before "end"; 0 = never
};

struct ClientOptions {
    // AUTH password (Redis < 6 style) or AUTH user password (ACL), sent first on every
    // connection when `password` is not empty. A refusal ends the client ("end").
    std::string user;
    std::string password;
    // Send HELLO 3 first and speak RESP3 (pushes, maps, doubles). A server that refuses it
    // ends the client with the server's text.
    bool resp3 = false;
    // CLIENT SETNAME on every connection, when not empty (shows in CLIENT LIST).
    std::string name;
    Millis connect_timeout = net::kTcpDefaultConnectTimeout;
    Millis command_timeout = kRespCommandTimeout;
    bool reconnect = true;
    Backoff backoff;
    std::size_t max_offline_commands = kRespMaxOfflineCommands;
    std::size_t max_in_flight_commands = kRespMaxInFlightCommands;
    ParserLimits limits;
};

// Where the client is in its life.
enum class ClientState : std::uint8_t {
    Idle,          // made, connect() not called yet
    Connecting,    // TCP connect in progress
    Handshaking,   // connected, AUTH / HELLO / SETNAME / re-subscriptions in flight
    Ready,         // commands go straight out
    Waiting,       // between attempts: the next connect is scheduled
    Closed,        // close(), or gave up: nothing more will happen
};
std::string_view state_name(ClientState state);

// What listeners of connection() receive.
struct ConnectionEvent {
    std::optional<Error> error;   // "disconnect", "reconnecting", "end": why
    std::size_t attempt = 0;      // "reconnecting": 1 for the first retry
    Millis delay{0};              // "reconnecting": how long until it starts
};

enum class SubscriptionKind : std::uint8_t { Channel, Pattern, Shard };

// What listeners of pubsub() receive.
struct PubSubMessage {
    SubscriptionKind kind = SubscriptionKind::Channel;
    std::string pattern;      // "pmessage", "psubscribe", "punsubscribe": the pattern
    std::string channel;      // the channel (for confirmations: the name confirmed)
    std::string payload;      // messages: what was published
    std::int64_t count = 0;   // confirmations: subscriptions the connection has now
};

class Client {
public:
    using Callback = std::function<void(Result<Reply>)>;
    using NumsubCallback =
        std::function<void(Result<std::vector<std::pair<std::string, std::int64_t>>>)>;

    Client(loop::EventLoop& loop, net::Address server, ClientOptions options = {});
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    // Starts connecting (and, after a failure, reconnecting as options say). Call once;
    // commands issued before wait in the offline queue.
    void connect();
    // Ends for good: every pending and queued callback fails with "resp: client closed",
    // the connection closes, "end" is emitted (later, from the loop). Twice is harmless.
    void close();

    // ---- commands ------------------------------------------------------------------------------
    // Sends one command (its name and arguments, binary safe) and calls `on_reply` with the
    // reply. The braces form is the usual one: command({"INCR", key}, ...).
    void command(std::initializer_list<std::string_view> args, Callback on_reply = {});
    void command(std::span<const std::string_view> args, Callback on_reply = {});
    void command(std::span<const std::string> args, Callback on_reply = {});

    // PUBLISH channel payload: the reply is the number of subscribers that got it (this node).
    void publish(std::string_view channel, std::string_view payload, Callback on_reply = {});
    // SPUBLISH (sharded pub/sub, Redis 7).
    void spublish(std::string_view channel, std::string_view payload, Callback on_reply = {});
    // PUBSUB NUMSUB: subscribers per channel (patterns not counted), in the order asked.
    void pubsub_numsub(std::span<const std::string> channels, NumsubCallback on_reply);

    // ---- pub/sub -------------------------------------------------------------------------------
    // Each call remembers the names (for re-subscription) and sends one command. `on_done`
    // (optional) runs when the server has confirmed every name, with the last confirmation's
    // count as an Integer reply, or with an error. Unsubscribing with no names means "all of
    // that kind" (the names this client holds are sent; with none, on_done gets the count
    // at once). Names already subscribed are sent again (harmless for Redis). Sending
    // (P|S)(UN)SUBSCRIBE through command() is refused: their replies are counted differently.
    void subscribe(std::vector<std::string> channels, Callback on_done = {});
    void psubscribe(std::vector<std::string> patterns, Callback on_done = {});
    void ssubscribe(std::vector<std::string> channels, Callback on_done = {});
    void unsubscribe(std::vector<std::string> channels = {}, Callback on_done = {});
    void punsubscribe(std::vector<std::string> patterns = {}, Callback on_done = {});
    void sunsubscribe(std::vector<std::string> channels = {}, Callback on_done = {});

    events::EventEmitter<PubSubMessage>& pubsub() { return emitters_->pubsub; }
    events::EventEmitter<ConnectionEvent>& connection() { return emitters_->connection; }

    // ---- looking inside
    // --------------------------------------------------------------------------
    ClientState state() const { return state_; }
    bool is_ready() const { return state_ == ClientState::Ready; }
    // RESP2 and subscribed to something: ordinary commands are refused.
    bool is_in_subscribe_mode() const;
    int protocol() const { return protocol_; }   // 2, or 3 after HELLO 3
    const net::Address& server() const { return server_; }
    std::size_t pending() const;                             // commands sent, reply not yet read
    std::size_t queued() const { return offline_.size(); }   // waiting for "ready"
    const std::set<std::string>& channels() const { return channels_; }
    const std::set<std::string>& patterns() const { return patterns_; }
    const std::set<std::string>& shard_channels() const { return shard_channels_; }

private:
    // On the heap, so that a listener destroying its Client keeps running
    // (LifetimeFlag::retire).
    struct Emitters {
        events::EventEmitter<PubSubMessage> pubsub;
        events::EventEmitter<ConnectionEvent> connection;
    };
    // One command on its way: its bytes (kept while offline), its callback, and how many
    // frames answer it (1, or one confirmation per name for (un)subscribe commands).
    struct Pending {
        std::string wire;                               // its bytes, while it waits offline
        std::string name;                               // "GET": for timeout messages
        Callback callback;                              // empty once called (or never given)
        std::optional<SubscriptionKind> subscription;   // set for (P|S)(UN)SUBSCRIBE
        bool is_unsubscribe = false;
        std::size_t frames_left = 1;      // replies / confirmations still expected
        std::vector<std::string> names;   // (P|S)(UN)SUBSCRIBE: the names sent
        Clock::time_point deadline{};     // Clock::time_point::max(): none
        bool is_internal = false;         // AUTH, HELLO...: part of the handshake
        bool has_timed_out = false;
        std::uint64_t sequence = 0;   // order sent on this connection
    };

    // connection (client_connection.cpp)
    void start_attempt();
    void on_connected(std::unique_ptr<net::TcpConnection> connection);
    void on_connection_lost(const Error& why);
    void schedule_reconnect(const Error& why);
    void end(std::optional<Error> why);
    // handshake: AUTH / HELLO / SETNAME, then the subscriptions again
    void start_handshake();
    std::set<std::string> names_to_restore(SubscriptionKind kind) const;
    std::vector<std::vector<std::string>> restore_groups(SubscriptionKind kind) const;
    void on_handshake_reply(std::string_view what, const Result<Reply>& reply);
    void on_restore_reply(std::string_view verb, SubscriptionKind kind,
                          const std::vector<std::string>& names, const Result<Reply>& reply);
    void become_ready();
    // sending
    Pending make_pending(std::span<const std::string_view> args,
                         Callback callback);   // no bytes yet
    void submit(Pending pending,
                std::span<const std::string_view> args);   // refused, queued, or sent
    void send_now(Pending pending);
    void schedule_flush();
    void flush();
    std::optional<Error> refusal_for(std::string_view command_name) const;
    // timeouts and failures
    void arm_timeout(Clock::time_point deadline);
    void on_timeout();
    void fail_pending(const Error& why, bool include_offline);
    void deliver_later(Callback callback, Result<Reply> result);
    // receiving (client_replies.cpp)
    void on_data(net::ByteBuffer& input);
    void on_reply(Reply reply);
    bool on_resp2_pubsub_frame(const Reply& frame);
    bool is_for_subscription(Reply& error);
    void on_push(const Reply& push);
    void on_confirmation(std::deque<Pending>& waits, const Reply& frame);
    void emit_message(const Reply& frame);
    void answer(Pending& pending, Result<Reply> result);
    void refuse(Pending& pending, std::string server_text);
    // pub/sub (client_pubsub.cpp)
    void subscription_command(std::string_view verb, SubscriptionKind kind, bool is_unsubscribe,
                              std::vector<std::string> names, Callback on_done);
    std::set<std::string>& names_of(SubscriptionKind kind);
    const std::set<std::string>& names_of(SubscriptionKind kind) const;

    loop::EventLoop& loop_;
    net::Address server_;
    ClientOptions options_;
    net::TcpConnector connector_;
    std::unique_ptr<net::TcpConnection> connection_;
    Parser parser_;
    std::vector<Reply> replies_;   // reused by every on_data
    ClientState state_ = ClientState::Idle;
    int protocol_ = 2;
    std::deque<Pending> in_flight_;            // sent, in order: the FIFO replies are matched to
    std::deque<Pending> subscription_waits_;   // RESP3: (un)subscribes, confirmed by pushes only
    std::deque<Pending> offline_;              // waiting for "ready"
    std::uint64_t next_sequence_ = 0;          // numbers the commands sent (Pending::sequence)
    std::string outgoing_;                     // commands of this callback, sent together
    bool is_flush_scheduled_ = false;
    std::size_t handshake_left_ = 0;          // handshake replies still expected
    std::optional<Error> connection_error_;   // what on_error said, for on_close
    std::set<std::string> channels_, patterns_, shard_channels_;
    std::size_t attempt_ = 0;   // failed attempts in a row
    loop::TimerId reconnect_timer_ = 0;
    loop::TimerId timeout_timer_ = 0;
    Clock::time_point timeout_at_{};
    std::minstd_rand jitter_random_;
    std::unique_ptr<Emitters> emitters_ = std::make_unique<Emitters>();
    net::LifetimeFlag lifetime_;   // a listener may destroy us: see "Lifetime" above
};

}   // namespace looplab::resp
