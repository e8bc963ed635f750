// looplab/resp/cluster_client.cpp — the cluster client's nodes and its slot map: one Client
// per master (made on first use), their events, and learning the map (CLUSTER SLOTS), again
// whenever a redirection or a lost node says it changed. Commands are routed in
// cluster_commands.cpp, sharded pub/sub lives in cluster_pubsub.cpp.
#include "looplab/resp/cluster_client.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace looplab::resp {

ClusterClient::ClusterClient(loop::EventLoop& loop, std::vector<net::Address> seeds,
                             ClientOptions options)
    : loop_(loop),
      seeds_(std::move(seeds)),
      options_(std::move(options)),
      pubsub_(std::make_shared<events::EventEmitter<PubSubMessage>>()),
      connection_events_(std::make_shared<events::EventEmitter<ClusterEvent>>()) {
    LOOPLAB_ASSERT(!seeds_.empty(), "ClusterClient needs at least one seed address");
}

ClusterClient::~ClusterClient() { loop_.cancel_timer(refresh_timer_); }

void ClusterClient::connect() {
    LOOPLAB_ASSERT(!is_connecting_, "connect() called twice; the client reconnects by itself");
    is_connecting_ = true;
    request_refresh();
}

void ClusterClient::close() {
    if (is_closed_) return;
    is_closed_ = true;
    loop_.cancel_timer(refresh_timer_);
    refresh_timer_ = 0;
    const Error closed = Error::because("resp cluster: client closed");
    for (auto& [task, on_refused] : std::exchange(waiting_for_map_, {}))
        deliver_later(std::move(on_refused), closed);
    for (auto& [name, node] : nodes_) {
        if (node->commands) node->commands->close();
        if (node->subscriber) node->subscriber->close();
    }
    loop_.post_next([this, alive = lifetime_.alive_token()] {
        if (!*alive) return;
        auto emitter = connection_events_;
        emitter->emit("end", ClusterEvent{});
    });
}

std::optional<net::Address> ClusterClient::owner_of(std::string_view key) const {
    if (!has_map_) return std::nullopt;
    const net::Address* owner = map_.owner(slot_of(key));
    if (owner == nullptr) return std::nullopt;
    return *owner;
}

std::size_t ClusterClient::connection_count() const {
    std::size_t count = 0;
    for (const auto& [name, node] : nodes_)
        count += (node->commands ? 1 : 0) + (node->subscriber ? 1 : 0);
    return count;
}

// ---- nodes
// ---------------------------------------------------------------------------------------

ClusterClient::Node& ClusterClient::node_at(const net::Address& address) {
    auto& slot = nodes_[address.to_string()];
    if (!slot) {
        slot = std::make_unique<Node>();
        slot->address = address;
        slot->commands = std::make_unique<Client>(loop_, address, options_);
        watch(*slot, *slot->commands, /*is_subscriber=*/false);
        slot->commands->connect();
    }
    return *slot;
}

Client& ClusterClient::subscriber_at(Node& node) {
    if (!node.subscriber) {
        node.subscriber = std::make_unique<Client>(loop_, node.address, options_);
        watch(node, *node.subscriber, /*is_subscriber=*/true);
        for (const char* name : {"smessage", "ssubscribe", "sunsubscribe"})
            node.subscriber->pubsub().on(name,
                                         [this, address = node.address, name,
                                          alive = lifetime_.alive_token()](const PubSubMessage& m) {
                                             // After the Client's own emit, not inside it: a
                                             // listener of ours may destroy the ClusterClient, and
                                             // with it this Client and its emitter.
                                             loop_.post_soon([this, address, name, alive, m] {
                                                 if (*alive) forward_pubsub(address, name, m);
                                             });
                                         });
        node.subscriber->connect();
    }
    return *node.subscriber;
}

void ClusterClient::watch(Node& node, Client& client, bool is_subscriber) {
    for (const char* name : {"ready", "disconnect", "reconnecting", "end"})
        client.connection().on(
            name, [this, address = node.address, is_subscriber, name,
                   alive = lifetime_.alive_token()](const ConnectionEvent& event) {
                loop_.post_soon([this, address, is_subscriber, name, alive, event] {
                    if (*alive) on_node_event(address, is_subscriber, name, event);
                });
            });
}

// The command connection tells whether a node is reachable: while it is down, commands for
// the node fail at once instead of waiting in its Client's offline queue.
void ClusterClient::on_node_event(const net::Address& address, bool is_subscriber,
                                  std::string_view name, const ConnectionEvent& event) {
    if (is_closed_) return;
    Node& node = node_at(address);
    const bool is_refresh_stuck_here = is_refreshing_ && refresh_node_ == address;
    if (!is_subscriber) {
        if (name == "ready") {
            node.is_down = false;
            if (is_refreshing_ && refresh_timer_ != 0) {   // nobody answered; this one is back
                loop_.cancel_timer(refresh_timer_);
                refresh_timer_ = 0;
                start_refresh();
            }
        } else {
            node.is_down = true;
            node.down_because =
                event.error.value_or(Error::because(fmt::format("{} ended", address)));
            if (name == "disconnect") request_refresh();
            // The CLUSTER SLOTS asked there would wait for the node to come back: ask another.
            if (is_refresh_stuck_here) start_refresh();
        }
    }
    if (name == "end") return;   // our own close(), or the Client gave up (reported above)
    ClusterEvent forwarded{address, is_subscriber, event.error, event.attempt, event.delay};
    auto emitter = connection_events_;
    emitter->emit(name == "ready" ? "node-ready" : name, forwarded);
}

bool ClusterClient::is_down(const net::Address& address) const {
    const auto found = nodes_.find(address.to_string());
    return found != nodes_.end() && found->second->is_down;
}

// ---- the slot map ----------------------------------------------------------------------------

void ClusterClient::request_refresh() {
    if (is_closed_ || !is_connecting_) return;
    if (is_refreshing_) {
        wants_refresh_again_ = true;
        return;
    }
    is_refreshing_ = true;
    asked_this_round_.clear();
    start_refresh();
}

void ClusterClient::request_refresh_later() {
    if (is_closed_ || is_refreshing_ || refresh_timer_ != 0) return;
    refresh_timer_ = loop_.set_timeout(kRespClusterRefreshRetryDelay, [this] {
        refresh_timer_ = 0;
        request_refresh();
    });
}

// Who may be asked now: the masters of the map we have, then the seeds; not the nodes known
// to be down, nor those already asked in this round.
std::vector<net::Address> ClusterClient::refresh_candidates() const {
    std::vector<net::Address> all = map_.masters();
    for (const net::Address& seed : seeds_)
        if (std::find(all.begin(), all.end(), seed) == all.end()) all.push_back(seed);
    std::erase_if(all, [this](const net::Address& a) {
        return is_down(a) || std::find(asked_this_round_.begin(), asked_this_round_.end(), a) !=
                                 asked_this_round_.end();
    });
    return all;
}

void ClusterClient::start_refresh() {
    ++refresh_round_;   // whatever was asked before is stale now
    refresh_node_.reset();
    const std::vector<net::Address> candidates = refresh_candidates();
    if (candidates.empty()) {
        // Nobody answered this round: wait, then ask everyone again (a node that comes back
        // in the meantime cuts the wait short, in on_node_event).
        asked_this_round_.clear();
        loop_.cancel_timer(refresh_timer_);
        refresh_timer_ = loop_.set_timeout(kRespClusterRefreshRetryDelay, [this] {
            refresh_timer_ = 0;
            start_refresh();
        });
        return;
    }
    asked_this_round_.push_back(candidates.front());
    ask_for_slots(candidates.front());
}

void ClusterClient::ask_for_slots(const net::Address& address) {
    refresh_node_ = address;
    const std::vector<std::string> args{"CLUSTER", "SLOTS"};
    node_at(address).commands->command(
        args, [this, address, round = refresh_round_](Result<Reply> reply) {
            on_slots_reply(address, round, std::move(reply));
        });
}

void ClusterClient::on_slots_reply(const net::Address& address, std::uint64_t round,
                                   Result<Reply> reply) {
    if (!is_refreshing_ || round != refresh_round_ || is_closed_) return;   // stale
    if (!reply) {
        if (reply.error().code() == 0 && is_cluster_disabled_error(reply.error().message())) {
            is_standalone_ = true;
            return on_map_learned(address, SlotMap::standalone(address));
        }
        return start_refresh();   // that node could not say: ask the next one
    }
    auto map = parse_cluster_slots(*reply, address);
    // An empty map: a node not yet joined to a cluster (or one that lost it). Ask another.
    if (!map || map->empty()) return start_refresh();
    is_standalone_ = false;
    on_map_learned(address, std::move(map).value());
}

void ClusterClient::on_map_learned(const net::Address& from, SlotMap map) {
    map_ = std::move(map);
    is_refreshing_ = false;
    refresh_node_.reset();
    ++refresh_count_;
    const bool is_first = !has_map_;
    has_map_ = true;

    net::LifetimeFlag::Scope alive{lifetime_};
    auto emitter = connection_events_;
    emitter->emit("slots", ClusterEvent{from, false, std::nullopt, 0, Millis{0}});
    if (alive.was_destroyed() || is_closed_) return;
    if (is_first) {
        emitter->emit("ready", ClusterEvent{from, false, std::nullopt, 0, Millis{0}});
        if (alive.was_destroyed() || is_closed_) return;
        for (auto& [task, on_refused] : std::exchange(waiting_for_map_, {})) task();
    }
    move_channels_off_down_nodes();
    place_waiting_channels();
    if (wants_refresh_again_) {
        wants_refresh_again_ = false;
        request_refresh();
    }
}

bool ClusterClient::when_map_known(std::function<void()> task, Callback on_refused) {
    if (has_map_) {
        task();
        return true;
    }
    if (waiting_for_map_.size() >= options_.max_offline_commands) {
        deliver_later(
            std::move(on_refused),
            Error::because(fmt::format("resp cluster: refused: {} commands already wait for the "
                                       "slot map (max_offline_commands)",
                                       waiting_for_map_.size())));
        return false;
    }
    waiting_for_map_.emplace_back(std::move(task), std::move(on_refused));
    return true;
}

void ClusterClient::deliver_later(Callback callback, Result<Reply> result) {
    if (!callback) return;
    loop_.post_next([alive = lifetime_.alive_token(), callback = std::move(callback),
                     result = std::move(result)]() mutable {
        if (*alive) callback(std::move(result));
    });
}

}   // namespace looplab::resp
