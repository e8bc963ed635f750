// socketio_redis/channels.cpp — the channel names of one namespace, and uids.
#include "looplab/socketio_redis/wire.hpp"

#include <fmt/format.h>

namespace looplab::socketio_redis {

Channels::Channels(std::string_view nsp, std::string_view prefix)
    : broadcast_(fmt::format("{}#{}#", prefix, nsp)),
      request_(fmt::format("{}-request#{}#", prefix, nsp)),
      response_(fmt::format("{}-response#{}#", prefix, nsp)) {}

std::string Channels::room(std::string_view room) const {
    std::string channel = broadcast_;
    channel.append(room);
    channel.push_back('#');
    return channel;
}

std::string Channels::response_for(std::string_view uid) const {
    std::string channel = response_;
    channel.append(uid);
    channel.push_back('#');
    return channel;
}

std::optional<std::string_view> Channels::room_of(std::string_view channel) const {
    if (!channel.starts_with(broadcast_)) return std::nullopt;
    channel.remove_prefix(broadcast_.size());
    if (channel.empty()) return channel;                // socket.io#/chat#
    if (!channel.ends_with('#')) return std::nullopt;   // not one of ours
    channel.remove_suffix(1);
    return channel;
}

bool Channels::is_response(std::string_view channel) const {
    return channel.starts_with(response_);
}

std::string make_uid(std::minstd_rand& random) {
    static constexpr std::string_view kAlphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    std::uniform_int_distribution<std::size_t> pick(0, kAlphabet.size() - 1);
    std::string uid(kRedisUidLength, ' ');
    for (char& c : uid) c = kAlphabet[pick(random)];
    return uid;
}

}   // namespace looplab::socketio_redis
