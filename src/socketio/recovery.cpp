// looplab/socketio/recovery.cpp — the replay buffer and the kept sessions of one namespace.
#include "looplab/socketio/recovery.hpp"

#include <algorithm>

namespace looplab::socketio {

namespace {

constexpr std::string_view kDigits =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

bool contains(const std::vector<Room>& rooms, std::string_view room) {
    return std::find(rooms.begin(), rooms.end(), room) != rooms.end();
}

}   // namespace

std::string offset_text(std::uint64_t number) {
    std::string text;
    do {
        text.insert(text.begin(), kDigits[number % 64]);
        number /= 64;
    } while (number != 0);
    return text;
}

std::optional<std::uint64_t> offset_number(std::string_view text) {
    // 10 digits of 6 bits stay below 2^60: no overflow.
    if (text.empty() || text.size() > 10) return std::nullopt;
    std::uint64_t number = 0;
    for (const char c : text) {
        const std::size_t digit = kDigits.find(c);
        if (digit == std::string_view::npos) return std::nullopt;
        number = number * 64 + digit;
    }
    return number;
}

RecoveryStore::RecoveryStore(RecoveryOptions options) : options_(options) {}

std::string RecoveryStore::remember(json::Array& event, const BroadcastOptions& opts,
                                    Clock::time_point now) {
    const std::uint64_t number = next_number_++;
    std::string offset = offset_text(number);
    event.emplace_back(offset);
    if (options_.max_packets == 0) return offset;
    if (packets_.size() >= options_.max_packets) packets_.pop_front();
    packets_.push_back(StoredPacket{number, now, event, opts.rooms, opts.except});
    return offset;
}

void RecoveryStore::persist(PersistedSession session, Clock::time_point now) {
    if (options_.max_sessions == 0) return;
    while (sessions_.size() >= options_.max_sessions && !session_order_.empty()) {
        const auto& [pid, at] = session_order_.front();
        if (const auto found = sessions_.find(pid);
            found != sessions_.end() && found->second.disconnected_at == at)
            sessions_.erase(found);
        session_order_.pop_front();
    }
    session_order_.emplace_back(session.pid, now);
    std::string pid = session.pid;
    sessions_.insert_or_assign(std::move(pid), StoredSession{std::move(session), now});
}

std::optional<RestoredSession> RecoveryStore::restore(std::string_view pid, std::string_view offset,
                                                      Clock::time_point now) {
    const auto found = sessions_.find(std::string{pid});
    if (found == sessions_.end()) return std::nullopt;
    StoredSession stored = std::move(found->second);
    sessions_.erase(found);
    if (is_expired(stored.disconnected_at, now)) return std::nullopt;

    // The offset must still be buffered, else we cannot know what the client missed.
    const std::optional<std::uint64_t> number = offset_number(offset);
    if (!number || packets_.empty()) return std::nullopt;
    const std::uint64_t first = packets_.front().number;
    if (*number < first || *number > packets_.back().number) return std::nullopt;

    RestoredSession restored{std::move(stored.session), {}};
    for (std::size_t i = *number - first + 1; i < packets_.size(); ++i)
        if (was_meant_for(packets_[i], restored.session))
            restored.missed_packets.push_back(packets_[i].event);
    return restored;
}

void RecoveryStore::expire(Clock::time_point now) {
    while (!packets_.empty() && is_expired(packets_.front().sent_at, now)) packets_.pop_front();
    while (!session_order_.empty() && is_expired(session_order_.front().second, now)) {
        const auto& [pid, at] = session_order_.front();
        if (const auto found = sessions_.find(pid);
            found != sessions_.end() && found->second.disconnected_at == at)
            sessions_.erase(found);
        session_order_.pop_front();
    }
}

bool RecoveryStore::is_expired(Clock::time_point at, Clock::time_point now) const {
    return at + options_.max_disconnection_duration < now;
}

// socket.io's shouldIncludePacket: meant for everyone or for one of its rooms (its own id
// counts), and none of its rooms excluded.
bool RecoveryStore::was_meant_for(const StoredPacket& packet, const PersistedSession& session) {
    bool is_included = packet.rooms.empty() || contains(packet.rooms, session.sid);
    for (const Room& room : session.rooms)
        is_included = is_included || contains(packet.rooms, room);
    if (!is_included) return false;
    if (contains(packet.except, session.sid)) return false;
    for (const Room& room : session.rooms)
        if (contains(packet.except, room)) return false;
    return true;
}

}   // namespace looplab::socketio
