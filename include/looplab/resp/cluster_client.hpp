// looplab/resp/cluster_client.hpp
//
// ClusterClient — a Redis Cluster client on the event loop: it learns which master owns each
// hash slot (CLUSTER SLOTS), sends every command to the owner of its key's slot, follows the
// cluster when slots move (-MOVED, -ASK), and runs sharded pub/sub (SPUBLISH / SSUBSCRIBE)
// on the node that owns each channel. The same class works against a plain Redis: there one
// node owns every slot.
// Teaches: database (lesson 16) scaled out, and rooms across servers (lesson 19): the
// sharded Socket.IO adapter publishes each room's messages through one of these.
// Read: PROTOCOLS-redis-store.md §4, client.hpp (each node is reached through a Client)
//
//     resp::ClusterClient redis{loop, {net::Address::loopback(7001)}};   // one seed is enough
//     redis.connection().on("ready", [](const resp::ClusterEvent&) { ... });
//     redis.connect();                                        // asks the seed CLUSTER SLOTS
//     redis.command_for_key("user:1", {"SET", "user:1", "Ada"});     // to user:1's master
//     redis.command_for_key("user:1", {"GET", "user:1"}, [](Result<resp::Reply> reply) {
//         if (reply) fmt::print("{}\n", reply->text);        // Ada
//     });
//
//     redis.pubsub().on("smessage", [](const resp::PubSubMessage& m) {
//         fmt::print("{}: {}\n", m.channel, m.payload);
//     });
//     redis.ssubscribe({"room:a", "room:b"});   // one SSUBSCRIBE per slot, at each owner
//     redis.spublish("room:a", "hello");        // to room:a's owner only
//
// The picture: one command connection per master (a Client, made the first time a command
// goes there), plus one subscriber connection per master that holds shard channels.
//
//     ClusterClient ── slot map: slot -> master
//        ├── node 127.0.0.1:7001   commands: Client    subscriber: Client (if subscribed there)
//        ├── node 127.0.0.1:7002   commands: Client
//        └── node 127.0.0.1:7003   commands: Client    subscriber: Client
//
// Why separate subscriber connections (and not RESP3's one connection): it works the same on
// RESP2 and RESP3 (options.resp3 is passed on to every Client), a slow command never delays
// a message, and it is what the official Node adapter does (a pub client and a sub client).
//
// Which argument is the key: the caller says it (command_for_key(key, args)); the client
// does not guess from the command's name. A command whose keys span slots gets the server's
// -CROSSSLOT error. Commands with no key (PING, INFO): command_for_slot(any slot, ...).
//
// Redirections:
//   -MOVED slot ip:port   that slot's owner is updated in the map, the command goes again
//                         to the new owner, and one refresh of the whole map is scheduled
//                         (coalesced: at most one CLUSTER SLOTS in flight);
//   -ASK slot ip:port     ASKING then the command, to that node, once; the map is kept;
//   -TRYAGAIN ...         (a multi-key command during a migration) sent again after
//                         kRespClusterTryAgainDelay.
// Each of them counts; after kRespClusterMaxRedirections the callback gets
// "resp cluster: GET gave up after 5 redirections; the last: MOVED 866 127.0.0.1:7002".
//
// Errors a callback can get (always later from the loop, never inside the call):
//   - the server's own text (code 0): "ERR ...", "WRONGTYPE ...", "CROSSSLOT ...",
//     "CLUSTERDOWN ...", a malformed MOVED/ASK as it came;
//   - the redirection limit above;
//   - a node known to be unreachable (its connection broke or was refused; until it is
//     back), at once, without waiting for a timeout:
//     "resp cluster: node 127.0.0.1:7002 is unreachable, the slot map will be refreshed;
//     connect 127.0.0.1:7002: Connection refused" (the code is the system's: ECONNREFUSED...);
//     a command in flight when its node died gets the Client's "resp: connection to
//     127.0.0.1:7002 lost before the reply; ..." (it may or may not have run: never resent);
//     either way a refresh of the map is asked from another node;
//   - "resp cluster: no node owns slot 866 (the cluster is down for it)" (a hole in the map);
//   - ETIMEDOUT from the node's Client (options.command_timeout);
//   - "resp cluster: client closed" after close().
// Commands issued before the first map is known wait for it (at most
// options.max_offline_commands, then an error at once), or for close().
//
// Learning the map: CLUSTER SLOTS (deprecated in 7.0, but every cluster version has it;
// CLUSTER SHARDS is 7.0+ only). connect() asks the seeds; a refresh asks the masters of the
// map it has, then the seeds; nodes known to be down are skipped, each node is asked once
// per round, and the first good answer wins (a node that answers an empty map, not yet in
// a cluster, does not count). A server that answers
// "ERR This instance has cluster support disabled" is a plain Redis: it owns every slot.
// When nobody answers, a new round starts after kRespClusterRefreshRetryDelay (or as soon
// as a node is back), forever.
//
// Sharded pub/sub:
//   - ssubscribe() groups the channels by slot and sends one SSUBSCRIBE per slot (a cluster
//     refuses one that spans slots), on the owner's subscriber connection; on_done runs once
//     every group is confirmed, with the number of shard channels now held (an Integer), or
//     with the first error. -MOVED on SSUBSCRIBE is followed like a command's; past
//     kRespClusterMaxRedirections (two nodes sending it to each other while a migration
//     spreads) on_done gets the error, but the channels stay held and are placed again from
//     the next slot map (asked after kRespClusterRefreshRetryDelay), until it succeeds.
//   - When a slot moves, Redis 7 unsubscribes its channels itself (a "sunsubscribe" we did
//     not ask for): the client refreshes the map and subscribes them again at the new owner.
//     Messages published between the two are lost (pub/sub is at-most-once).
//   - When a subscriber connection comes back, its Client subscribes its channels again;
//     channels whose slot moved meanwhile are refused there (-MOVED) and placed anew.
//   - pubsub() emits, from every node: "smessage" (channel, payload), "ssubscribe" and
//     "sunsubscribe" (one per channel confirmed; count = channels on that node). They are
//     emitted right after the node's callback (post_soon), not inside it.
//
// Connection events, on connection() (listeners get a ClusterEvent):
//   "ready"         the first slot map is known: commands go out (once per connect())
//   "slots"         a slot map was learned (the first one and every refresh); node = who told
//   "node-ready"    one node connection is ready (again); is_subscriber says which of the two
//   "disconnect"    one node connection broke; error says why
//   "reconnecting"  one node connection tries again after delay (attempt 1, 2, ...)
//   "end"           close() was called
// No event is called "error": failures reach the callbacks.
//
// Limits: kRespClusterMaxRedirections per command or SSUBSCRIBE group; kRespClusterMaxNodes
// masters in one map; the Client's limits (ClientOptions) per node connection. Nodes are kept
// until the ClusterClient goes (a cluster has few). With options.reconnect off (or
// backoff.max_attempts used up), a node whose connection ended stays unreachable.
//
// Contract: loop thread only. The ClusterClient owns its Clients. Destroying it closes every
// connection at once and calls no callback; close() first makes pending callbacks fail with
// "resp cluster: client closed" / "resp: client closed". Destroying it from inside one of its
// callbacks or listeners is safe. Destroy it before its EventLoop.
#pragma once

#include "looplab/core/clock.hpp"
#include "looplab/core/result.hpp"
#include "looplab/events/event_emitter.hpp"
#include "looplab/loop/event_loop.hpp"
#include "looplab/net/address.hpp"
#include "looplab/net/lifetime_flag.hpp"
#include "looplab/resp/client.hpp"
#include "looplab/resp/cluster_slot_map.hpp"
#include "looplab/resp/reply.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace looplab::resp {

// Redirections (MOVED, ASK, TRYAGAIN) one command may follow; one more fails it. A healthy
// cluster needs at most 2 (MOVED to the new owner, then ASK during a migration).
inline constexpr std::size_t kRespClusterMaxRedirections = 5;
// A -TRYAGAIN (keys of one command split by a migration) is sent again after this long.
inline constexpr Millis kRespClusterTryAgainDelay{25};
// When no known node answers CLUSTER SLOTS, the next round of asking starts after this long.
inline constexpr Millis kRespClusterRefreshRetryDelay{100};

// What listeners of ClusterClient::connection() receive.
struct ClusterEvent {
    net::Address node;            // the node concerned (for "ready"/"slots": who answered)
    bool is_subscriber = false;   // "node-ready", "disconnect", "reconnecting": which connection
    std::optional<Error> error;   // "disconnect", "reconnecting": why
    std::size_t attempt = 0;      // "reconnecting": 1 for the first retry
    Millis delay{0};              // "reconnecting": how long until it starts
};

class ClusterClient {
public:
    using Callback = Client::Callback;
    using CountCallback = std::function<void(Result<std::int64_t>)>;

    // `seeds`: one or more nodes of the cluster (or one plain Redis). `options` go to every
    // node connection (AUTH, RESP3, timeouts, backoff...).
    ClusterClient(loop::EventLoop& loop, std::vector<net::Address> seeds,
                  ClientOptions options = {});
    ~ClusterClient();
    ClusterClient(const ClusterClient&) = delete;
    ClusterClient& operator=(const ClusterClient&) = delete;

    // Starts learning the slot map. Call once; commands issued before wait for it.
    void connect();
    // Ends for good: queued callbacks fail with "resp cluster: client closed", every node
    // connection is closed (its pending callbacks fail), "end" is emitted later. Twice is harmless.
    void close();

    // ---- commands ----------------------------------------------------------------------------
    // Sends `args` (the command's name and arguments) to the master of slot_of(key).
    void command_for_key(std::string_view key, std::initializer_list<std::string_view> args,
                         Callback on_reply = {});
    void command_for_key(std::string_view key, std::span<const std::string> args,
                         Callback on_reply = {});
    // Same, for a slot given directly (keyless commands: any slot picks one node).
    void command_for_slot(std::uint16_t slot, std::span<const std::string> args,
                          Callback on_reply = {});

    // SPUBLISH channel payload, at the channel's owner: the reply is the number of
    // subscribers (of that shard) that got it.
    void spublish(std::string_view channel, std::string_view payload, Callback on_reply = {});
    // PUBSUB SHARDNUMSUB channel at the channel's owner: how many connections subscribe to it.
    void pubsub_shardnumsub(std::string_view channel, CountCallback on_reply);

    // ---- sharded pub/sub -------------------------------------------------------------------
    // See the header comment. An empty list is refused (on_done gets an error).
    void ssubscribe(std::vector<std::string> channels, Callback on_done = {});
    // No names: every shard channel held. on_done gets the number still held.
    void sunsubscribe(std::vector<std::string> channels = {}, Callback on_done = {});

    events::EventEmitter<PubSubMessage>& pubsub() { return *pubsub_; }
    events::EventEmitter<ClusterEvent>& connection() { return *connection_events_; }

    // ---- looking inside --------------------------------------------------------------------
    bool is_ready() const { return has_map_ && !is_closed_; }
    // The server said "cluster support disabled": one node owns every slot.
    bool is_standalone() const { return is_standalone_; }
    const SlotMap& slot_map() const { return map_; }
    // The node the map says owns `key`'s slot (nullopt before the map, or for a hole).
    std::optional<net::Address> owner_of(std::string_view key) const;
    // Shard channels held: channel -> the node it is subscribed at (nullopt while it waits
    // for a map that knows its owner).
    const std::map<std::string, std::optional<net::Address>>& shard_channels() const {
        return shard_channels_;
    }
    // Node connections made so far (command and subscriber Clients together).
    std::size_t connection_count() const;
    // Slot maps learned so far (the first one and every refresh).
    std::size_t refresh_count() const { return refresh_count_; }

private:
    // One master: its command connection, and its subscriber connection once a shard
    // channel lives there.
    struct Node {
        net::Address address;
        std::unique_ptr<Client> commands;
        std::unique_ptr<Client> subscriber;
        bool is_down = false;   // its command connection broke or was refused
        std::optional<Error> down_because;
    };
    // One command on its way through the cluster (kept whole: a redirection sends it again).
    struct Request {
        std::vector<std::string> args;
        std::uint16_t slot = 0;
        Callback callback;
        std::size_t redirections = 0;
    };
    // One ssubscribe() / sunsubscribe() call, answered when all its slot groups are.
    struct Completion {
        std::size_t groups_left = 0;
        Callback on_done;
    };

    // nodes and the map (cluster_client.cpp)
    Node& node_at(const net::Address& address);
    Client& subscriber_at(Node& node);
    void watch(Node& node, Client& client, bool is_subscriber);
    void on_node_event(const net::Address& address, bool is_subscriber, std::string_view name,
                       const ConnectionEvent& event);
    bool is_down(const net::Address& address) const;
    void request_refresh();
    void request_refresh_later();
    void start_refresh();
    void ask_for_slots(const net::Address& address);
    void on_slots_reply(const net::Address& address, std::uint64_t round, Result<Reply> reply);
    void on_map_learned(const net::Address& from, SlotMap map);
    std::vector<net::Address> refresh_candidates() const;
    bool when_map_known(std::function<void()> task, Callback on_refused);
    void deliver_later(Callback callback, Result<Reply> result);
    // commands (cluster_commands.cpp)
    void route(std::shared_ptr<Request> request);
    void send_to(const net::Address& address, std::shared_ptr<Request> request, bool asking);
    void on_routed_reply(const net::Address& address, std::shared_ptr<Request> request,
                         Result<Reply> reply);
    bool follow(const net::Address& address, const std::shared_ptr<Request>& request,
                std::string_view server_text);
    void fail(const std::shared_ptr<Request>& request, Error why);
    // sharded pub/sub (cluster_pubsub.cpp)
    void place_channels(std::uint16_t slot, std::vector<std::string> names,
                        std::size_t redirections, std::shared_ptr<Completion> completion);
    void on_ssubscribe_reply(const net::Address& address, std::uint16_t slot,
                             std::vector<std::string> names, std::size_t redirections,
                             std::shared_ptr<Completion> completion, Result<Reply> reply);
    void on_shard_unsubscribed(const net::Address& address, const std::string& channel);
    void place_waiting_channels();
    void move_channels_off_down_nodes();
    void complete(const std::shared_ptr<Completion>& completion, std::optional<Error> error);
    void forward_pubsub(const net::Address& address, std::string_view name,
                        const PubSubMessage& message);

    loop::EventLoop& loop_;
    std::vector<net::Address> seeds_;
    ClientOptions options_;
    std::map<std::string, std::unique_ptr<Node>> nodes_;   // by "ip:port"
    SlotMap map_;
    bool has_map_ = false;
    bool is_standalone_ = false;
    bool is_connecting_ = false;   // connect() called
    bool is_closed_ = false;
    // refresh: one CLUSTER SLOTS in flight at most; a request meanwhile asks for one more
    bool is_refreshing_ = false;
    bool wants_refresh_again_ = false;
    std::uint64_t refresh_round_ = 0;              // tells a stale reply from the current one
    std::vector<net::Address> asked_this_round_;   // each node is asked once per round
    std::optional<net::Address> refresh_node_;     // the node asked now
    loop::TimerId refresh_timer_ = 0;
    std::size_t refresh_count_ = 0;
    std::vector<std::pair<std::function<void()>, Callback>> waiting_for_map_;
    std::map<std::string, std::optional<net::Address>> shard_channels_;
    // Emitters behind a shared_ptr: an emit keeps its emitter alive on the stack, so a
    // listener may destroy the ClusterClient in the middle of it.
    std::shared_ptr<events::EventEmitter<PubSubMessage>> pubsub_;
    std::shared_ptr<events::EventEmitter<ClusterEvent>> connection_events_;
    net::LifetimeFlag lifetime_;
};

}   // namespace looplab::resp
