// looplab/resp/client_pubsub.cpp — SUBSCRIBE and friends: remember the names (a reconnect
// sends them again), then send one command that expects one confirmation per name.
#include "looplab/resp/client.hpp"

#include <fmt/format.h>

namespace looplab::resp {

void Client::subscribe(std::vector<std::string> channels, Callback on_done) {
    subscription_command("SUBSCRIBE", SubscriptionKind::Channel, false, std::move(channels),
                         std::move(on_done));
}
void Client::psubscribe(std::vector<std::string> patterns, Callback on_done) {
    subscription_command("PSUBSCRIBE", SubscriptionKind::Pattern, false, std::move(patterns),
                         std::move(on_done));
}
void Client::ssubscribe(std::vector<std::string> channels, Callback on_done) {
    subscription_command("SSUBSCRIBE", SubscriptionKind::Shard, false, std::move(channels),
                         std::move(on_done));
}
void Client::unsubscribe(std::vector<std::string> channels, Callback on_done) {
    subscription_command("UNSUBSCRIBE", SubscriptionKind::Channel, true, std::move(channels),
                         std::move(on_done));
}
void Client::punsubscribe(std::vector<std::string> patterns, Callback on_done) {
    subscription_command("PUNSUBSCRIBE", SubscriptionKind::Pattern, true, std::move(patterns),
                         std::move(on_done));
}
void Client::sunsubscribe(std::vector<std::string> channels, Callback on_done) {
    subscription_command("SUNSUBSCRIBE", SubscriptionKind::Shard, true, std::move(channels),
                         std::move(on_done));
}

std::set<std::string>& Client::names_of(SubscriptionKind kind) {
    switch (kind) {
        case SubscriptionKind::Pattern: return patterns_;
        case SubscriptionKind::Shard: return shard_channels_;
        case SubscriptionKind::Channel: break;
    }
    return channels_;
}

const std::set<std::string>& Client::names_of(SubscriptionKind kind) const {
    switch (kind) {
        case SubscriptionKind::Pattern: return patterns_;
        case SubscriptionKind::Shard: return shard_channels_;
        case SubscriptionKind::Channel: break;
    }
    return channels_;
}

void Client::subscription_command(std::string_view verb, SubscriptionKind kind, bool is_unsubscribe,
                                  std::vector<std::string> names, Callback on_done) {
    if (state_ == ClientState::Closed)
        return deliver_later(std::move(on_done), Error::because("resp: client closed"));
    std::set<std::string>& held = names_of(kind);
    if (is_unsubscribe) {
        // "All of them" is sent as the names we hold, never bare: then the number of
        // confirmations to wait for is known exactly.
        if (names.empty()) names.assign(held.begin(), held.end());
        for (const std::string& name : names) held.erase(name);
        if (names.empty()) {
            const std::size_t left = kind == SubscriptionKind::Shard
                                         ? shard_channels_.size()
                                         : channels_.size() + patterns_.size();
            return deliver_later(std::move(on_done),
                                 Reply::integer_value(static_cast<std::int64_t>(left)));
        }
    } else {
        if (names.empty())
            return deliver_later(
                std::move(on_done),
                Error::because(fmt::format("resp: {} needs at least one name", verb)));
        held.insert(names.begin(), names.end());
    }

    std::vector<std::string_view> args{verb};
    args.insert(args.end(), names.begin(), names.end());
    Pending pending = make_pending(args, std::move(on_done));
    pending.subscription = kind;
    pending.is_unsubscribe = is_unsubscribe;
    pending.frames_left = names.size();
    pending.names = names;   // a copy: `args` views the strings of `names`
    submit(std::move(pending), args);
}

}   // namespace looplab::resp
