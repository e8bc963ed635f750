// looplab/resp/cluster_pubsub.cpp — sharded pub/sub across the cluster: each shard channel is
// subscribed at the master that owns its slot, on that master's subscriber connection, and
// follows its slot when it moves.
//
//   shard_channels_:  "room:a" -> 127.0.0.1:7001     placed, confirmed or on its way
//                     "room:b" -> nullopt             waiting: no map yet, or its slot moved
//
//   A channel goes back to "waiting" when Redis unsubscribes it by itself (its slot migrated)
//   or refuses it (-MOVED); after the next slot map, every waiting channel is placed again.
#include "looplab/resp/cluster_client.hpp"

#include <fmt/format.h>

#include <map>

namespace looplab::resp {

namespace {

// One SSUBSCRIBE / SUNSUBSCRIBE per slot: a cluster refuses one whose channels span slots.
std::map<std::uint16_t, std::vector<std::string>> by_slot(const std::vector<std::string>& names) {
    std::map<std::uint16_t, std::vector<std::string>> groups;
    for (const std::string& name : names) groups[slot_of(name)].push_back(name);
    return groups;
}

}   // namespace

void ClusterClient::ssubscribe(std::vector<std::string> channels, Callback on_done) {
    if (is_closed_)
        return deliver_later(std::move(on_done), Error::because("resp cluster: client closed"));
    if (channels.empty())
        return deliver_later(std::move(on_done),
                             Error::because("resp cluster: SSUBSCRIBE needs at least one channel"));
    for (const std::string& channel : channels) shard_channels_.try_emplace(channel, std::nullopt);
    auto completion = std::make_shared<Completion>();
    completion->on_done = on_done;
    const bool is_taken = when_map_known(
        [this, channels, completion] {
            const auto groups = by_slot(channels);
            completion->groups_left = groups.size();
            for (const auto& [slot, names] : groups) place_channels(slot, names, 0, completion);
        },
        std::move(on_done));
    if (!is_taken) {
        completion->on_done = {};
        for (const std::string& channel : channels) shard_channels_.erase(channel);
    }
}

void ClusterClient::sunsubscribe(std::vector<std::string> channels, Callback on_done) {
    if (is_closed_)
        return deliver_later(std::move(on_done), Error::because("resp cluster: client closed"));
    if (channels.empty())
        for (const auto& [channel, node] : shard_channels_) channels.push_back(channel);
    // Grouped by node, then by slot; channels still waiting to be placed just leave the list.
    std::map<std::string, std::pair<net::Address, std::vector<std::string>>> by_node;
    for (const std::string& channel : channels) {
        const auto found = shard_channels_.find(channel);
        if (found == shard_channels_.end()) continue;
        if (found->second) {
            auto& [address, names] = by_node[found->second->to_string()];
            address = *found->second;
            names.push_back(channel);
        }
        shard_channels_.erase(found);
    }
    auto completion = std::make_shared<Completion>();
    completion->on_done = std::move(on_done);
    std::vector<std::pair<Client*, std::vector<std::string>>> commands;
    for (auto& [key, entry] : by_node)
        for (auto& [slot, names] : by_slot(entry.second))
            commands.emplace_back(&subscriber_at(node_at(entry.first)), std::move(names));
    completion->groups_left = commands.size() + 1;   // + 1: answered even with no command
    for (auto& [subscriber, names] : commands)
        subscriber->sunsubscribe(std::move(names), [this, completion](Result<Reply> reply) {
            complete(completion, reply ? std::nullopt : std::optional<Error>{reply.error()});
        });
    complete(completion, std::nullopt);
}

// ---- placing channels at their owner -----------------------------------------------------------

void ClusterClient::place_channels(std::uint16_t slot, std::vector<std::string> names,
                                   std::size_t redirections,
                                   std::shared_ptr<Completion> completion) {
    std::erase_if(names, [this](const std::string& n) {
        return !shard_channels_.contains(n);
    });   // left since
    if (names.empty()) return complete(completion, std::nullopt);
    const net::Address* owner = map_.owner(slot);
    if (owner == nullptr) {
        request_refresh_later();   // they stay waiting, and are placed after a map that knows
        return complete(completion,
                        Error::because(fmt::format(
                            "resp cluster: no node owns slot {} (the cluster is down for it); "
                            "its channels will be subscribed when one does",
                            slot)));
    }
    const net::Address address = *owner;
    for (const std::string& name : names) shard_channels_[name] = address;
    Client& subscriber = subscriber_at(node_at(address));
    subscriber.ssubscribe(
        names, [this, address, slot, names, redirections, completion](Result<Reply> reply) {
            on_ssubscribe_reply(address, slot, names, redirections, completion, std::move(reply));
        });
}

void ClusterClient::on_ssubscribe_reply(const net::Address& address, std::uint16_t slot,
                                        std::vector<std::string> names, std::size_t redirections,
                                        std::shared_ptr<Completion> completion,
                                        Result<Reply> reply) {
    // Connection lost or timed out: the node's Client still holds the names and subscribes
    // them again when it reconnects.
    if (reply || reply.error().code() != 0)
        return complete(completion, reply ? std::nullopt : std::optional<Error>{reply.error()});

    // The server refused them, so the Client forgot them; so do we, unless they moved.
    const std::string server_text = reply.error().message();
    std::erase_if(names, [&](const std::string& n) {
        const auto found = shard_channels_.find(n);
        return found == shard_channels_.end() || found->second != address;
    });
    const auto redirection = parse_redirection(server_text, address);
    if (!redirection) {
        for (const std::string& name : names) shard_channels_.erase(name);
        return complete(completion, reply.error());
    }
    for (const std::string& name : names) shard_channels_[name] = std::nullopt;
    if (redirections + 1 > kRespClusterMaxRedirections) {
        // Nodes that send us back and forth disagree about the slot (a migration still
        // spreading): the channels stay held, waiting, and are placed again from a later map.
        request_refresh_later();
        return complete(completion,
                        Error::because(fmt::format(
                            "resp cluster: SSUBSCRIBE gave up after {} redirections; the last: {}",
                            kRespClusterMaxRedirections, server_text)));
    }
    // Sharded pub/sub never gets ASK (the source serves it until the slot is handed over).
    map_.assign(redirection->slot, redirection->slot, redirection->node);
    request_refresh();
    place_channels(slot, std::move(names), redirections + 1, std::move(completion));
}

// Redis unsubscribed `channel` at `address` without being asked: its slot migrated (or the
// Client's restore after a reconnect was refused). Place it again once the map is fresh.
void ClusterClient::on_shard_unsubscribed(const net::Address& address, const std::string& channel) {
    const auto found = shard_channels_.find(channel);
    if (found == shard_channels_.end() || found->second != address) return;   // ours, or old news
    const Node& node = node_at(address);
    // Still held by that subscriber: this confirms an SUNSUBSCRIBE of ours sent before a new
    // SSUBSCRIBE of the same channel; the SSUBSCRIBE is on its way.
    if (node.subscriber && node.subscriber->shard_channels().contains(channel)) return;
    found->second = std::nullopt;
    request_refresh();
}

void ClusterClient::place_waiting_channels() {
    std::vector<std::string> waiting;
    for (const auto& [channel, node] : shard_channels_)
        if (!node) waiting.push_back(channel);
    for (auto& [slot, names] : by_slot(waiting)) place_channels(slot, std::move(names), 0, nullptr);
}

// After a failover the map names a new owner while our subscription still waits for the
// old, dead node to come back: take it from there and place it anew.
void ClusterClient::move_channels_off_down_nodes() {
    for (auto& [channel, node] : shard_channels_) {
        if (!node || !is_down(*node)) continue;
        const net::Address* owner = map_.owner(slot_of(channel));
        if (owner == nullptr || *owner == *node) continue;
        subscriber_at(node_at(*node)).sunsubscribe({channel});   // so it is not restored there
        node = std::nullopt;
    }
}

void ClusterClient::complete(const std::shared_ptr<Completion>& completion,
                             std::optional<Error> error) {
    if (!completion || !completion->on_done) return;
    if (error) return deliver_later(std::exchange(completion->on_done, {}), std::move(*error));
    if (--completion->groups_left > 0) return;
    deliver_later(std::exchange(completion->on_done, {}),
                  Reply::integer_value(static_cast<std::int64_t>(shard_channels_.size())));
}

void ClusterClient::forward_pubsub(const net::Address& address, std::string_view name,
                                   const PubSubMessage& message) {
    if (name == "sunsubscribe") on_shard_unsubscribed(address, message.channel);
    auto emitter = pubsub_;   // alive until this emit returns, whatever the listeners do
    emitter->emit(name, message);
}

}   // namespace looplab::resp
