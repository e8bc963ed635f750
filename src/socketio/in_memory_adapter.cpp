// looplab/socketio/in_memory_adapter.cpp — rooms as maps, broadcasts as one loop.
#include "looplab/socketio/in_memory_adapter.hpp"

#include "looplab/socketio/client.hpp"
#include "looplab/socketio/namespace.hpp"
#include "looplab/socketio/server.hpp"
#include "looplab/socketio/socket.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

namespace looplab::socketio {

namespace {

// How often expired recovery sessions and packets are dropped (socket.io: every minute).
constexpr Millis kRecoveryExpiryPeriod{60'000};

}   // namespace

InMemoryAdapter::InMemoryAdapter(Namespace& nsp, RecoveryOptions recovery) : Adapter(nsp) {
    if (!recovery.enabled) return;
    recovery_.emplace(recovery);
    loop::EventLoop& loop = nsp.server().loop();
    const Millis period =
        std::max(Millis{1}, std::min(kRecoveryExpiryPeriod, recovery.max_disconnection_duration));
    expiry_timer_ = loop.set_interval(period, [this, &loop] { recovery_->expire(loop.now()); });
    loop.unref_timer(expiry_timer_);   // expiring old sessions is no reason to keep running
}

InMemoryAdapter::~InMemoryAdapter() {
    if (expiry_timer_ != 0) nsp().server().loop().cancel_timer(expiry_timer_);
}

// ---- rooms ---------------------------------------------------------------------------------

void InMemoryAdapter::add_all(std::string_view id, std::span<const Room> rooms) {
    Socket* socket = nsp().find_socket(id);
    if (socket == nullptr) return;   // not (or no longer) connected here
    std::vector<const std::string*>& joined = joined_[socket];
    std::vector<Room> created;
    for (const Room& room : rooms) {
        if (room == id) continue;   // its own id room is implicit
        auto entry = rooms_.find(room);
        if (entry == rooms_.end()) {
            entry = rooms_.emplace(room, Members{}).first;
            created.push_back(room);
        }
        if (entry->second.insert(socket).second) joined.push_back(&entry->first);
    }
    if (joined.empty()) joined_.erase(socket);
    for (const Room& room : created) on_room_created(room);
}

void InMemoryAdapter::del(std::string_view id, std::string_view room) {
    Socket* socket = nsp().find_socket(id);
    if (socket == nullptr) return;
    const auto entry = rooms_.find(room);
    if (entry == rooms_.end()) return;
    leave(*socket, &entry->first);
}

void InMemoryAdapter::del_all(std::string_view id) {
    Socket* socket = nsp().find_socket(id);
    if (socket == nullptr) return;
    const auto joined = joined_.find(socket);
    if (joined == joined_.end()) return;
    const std::vector<const std::string*> rooms = std::move(joined->second);
    joined_.erase(joined);
    std::vector<Room> deleted;
    for (const std::string* room : rooms) {
        const auto entry = rooms_.find(*room);
        entry->second.erase(socket);
        if (entry->second.empty()) {
            deleted.push_back(entry->first);
            rooms_.erase(entry);
        }
    }
    for (const Room& room : deleted) on_room_deleted(room);
}

void InMemoryAdapter::leave(Socket& socket, const std::string* room) {
    const auto joined = joined_.find(&socket);
    if (joined == joined_.end()) return;
    auto& list = joined->second;
    const auto at = std::find(list.begin(), list.end(), room);
    if (at == list.end()) return;
    list.erase(at);
    if (list.empty()) joined_.erase(joined);
    const auto entry = rooms_.find(*room);
    entry->second.erase(&socket);
    if (entry->second.empty()) {
        const Room name = entry->first;
        rooms_.erase(entry);
        on_room_deleted(name);
    }
}

std::vector<Room> InMemoryAdapter::socket_rooms(std::string_view id) const {
    std::vector<Room> rooms;
    const auto joined = joined_.find(nsp().find_socket(id));
    if (joined == joined_.end()) return rooms;
    for (const std::string* room : joined->second) rooms.push_back(*room);
    return rooms;
}

std::vector<Room> InMemoryAdapter::rooms() const {
    std::vector<Room> names;
    names.reserve(rooms_.size());
    for (const auto& [name, members] : rooms_) names.push_back(name);
    return names;
}

std::size_t InMemoryAdapter::room_size(std::string_view room) const {
    std::size_t size = 0;
    if (const auto entry = rooms_.find(room); entry != rooms_.end()) size = entry->second.size();
    if (Socket* owner = nsp().find_socket(room); owner != nullptr) {
        const auto entry = rooms_.find(room);
        if (entry == rooms_.end() || !entry->second.contains(owner)) ++size;
    }
    return size;
}

// ---- choosing recipients -------------------------------------------------------------------

template <typename Visit>
void InMemoryAdapter::visit_room(std::string_view room, Visit&& visit) {
    if (const auto entry = rooms_.find(room); entry != rooms_.end())
        for (Socket* member : entry->second) visit(*member);
    if (Socket* owner = nsp().find_socket(room); owner != nullptr) visit(*owner);
}

void InMemoryAdapter::stamp_room(std::string_view room, std::uint32_t mark) {
    visit_room(room, [mark](Socket& socket) { socket.delivery_mark = mark; });
}

void InMemoryAdapter::for_each_recipient(const BroadcastOptions& opts,
                                         const std::function<void(Socket&)>& deliver) {
    if (++last_mark_ == 0) {   // the stamp wrapped around: start every socket afresh
        for (const auto& [id, socket] : nsp().sockets()) socket->delivery_mark = 0;
        last_mark_ = 1;
    }
    const std::uint32_t mark = last_mark_;
    for (const Room& room : opts.except) stamp_room(room, mark);

    // Collected first, delivered after: a delivery may disconnect sockets (disconnect_sockets)
    // and so change the maps being walked. Sockets are freed only in the close phase, so the
    // pointers stay valid; connected() says whether each is still there.
    std::vector<Socket*> targets;
    const auto take = [&](Socket& socket) {
        if (socket.delivery_mark == mark || !socket.connected()) return;
        socket.delivery_mark = mark;
        targets.push_back(&socket);
    };
    if (opts.rooms.empty()) {
        targets.reserve(nsp().socket_count());
        for (const auto& [id, socket] : nsp().sockets()) take(*socket);
    } else {
        for (const Room& room : opts.rooms) visit_room(room, take);
    }
    for (Socket* socket : targets)
        if (socket->connected()) deliver(*socket);
}

// ---- broadcasting --------------------------------------------------------------------------

void InMemoryAdapter::broadcast(Packet& packet, const BroadcastOptions& opts) {
    packet.nsp = nsp().name();
    const bool is_volatile = opts.flags.is_volatile;
    if (recovery_ && packet.type == PacketType::Event && !packet.id && !is_volatile &&
        packet.data && packet.data->is_array())
        recovery_->remember(packet.data->as_array(), opts, nsp().server().loop().now());

    // Encoded once; every recipient gets the same bytes. Own buffers (not the reused ones)
    // when a listener broadcasts from inside a delivery.
    std::string nested_text;
    std::vector<std::string> nested_attachments;
    const bool is_nested = is_encoding_;
    std::string& text = is_nested ? nested_text : text_;
    std::vector<std::string>& attachments = is_nested ? nested_attachments : attachments_;
    text.clear();
    attachments.clear();
    encode_to(text, attachments, packet);
    is_encoding_ = true;
    for_each_recipient(opts, [&](Socket& socket) {
        if (socket.has_outgoing_listeners()) socket.notify_outgoing(packet);
        socket.client().write_encoded(text, attachments, is_volatile);
    });
    is_encoding_ = is_nested;
}

void InMemoryAdapter::broadcast_with_ack(Packet& packet, const BroadcastOptions& opts,
                                         const std::function<void(std::size_t)>& client_count,
                                         const std::function<void(const Args&)>& on_answer) {
    packet.nsp = nsp().name();
    const bool is_volatile = opts.flags.is_volatile;
    std::string text;
    std::vector<std::string> attachments;
    encode_to(text, attachments, packet);
    std::size_t count = 0;
    for_each_recipient(opts, [&](Socket& socket) {
        if (is_volatile && !socket.client().is_writable()) return;
        ++count;
        socket.add_broadcast_ack(*packet.id, opts.flags.timeout.value_or(Millis{0}), on_answer);
        if (socket.has_outgoing_listeners()) socket.notify_outgoing(packet);
        socket.client().write_encoded(text, attachments, false);
    });
    client_count(count);
}

// ---- the cluster utilities, locally ---------------------------------------------------------

void InMemoryAdapter::sockets(std::span<const Room> rooms,
                              std::function<void(std::vector<SocketId>)> done) {
    BroadcastOptions opts;
    opts.rooms.assign(rooms.begin(), rooms.end());
    std::vector<SocketId> ids;
    for_each_recipient(opts, [&](Socket& socket) { ids.emplace_back(socket.id()); });
    done(std::move(ids));
}

std::vector<Room> InMemoryAdapter::rooms_with_socket_ids() const {
    std::vector<Room> names = rooms();
    names.reserve(names.size() + nsp().socket_count());
    for (const auto& [id, socket] : nsp().sockets()) names.emplace_back(id);
    return names;
}

void InMemoryAdapter::all_rooms(std::function<void(std::vector<Room>)> done) {
    done(rooms_with_socket_ids());
}

void InMemoryAdapter::fetch_sockets(const BroadcastOptions& opts,
                                    std::function<void(std::vector<SocketInfo>)> done) {
    std::vector<SocketInfo> found;
    for_each_recipient(opts, [&](Socket& socket) {
        found.push_back(SocketInfo{
            SocketId{socket.id()}, socket.rooms(), std::as_const(socket).data(), &socket, {}});
    });
    done(std::move(found));
}

void InMemoryAdapter::add_sockets(const BroadcastOptions& opts, std::span<const Room> rooms) {
    for_each_recipient(opts, [&](Socket& socket) {
        for (const Room& room : rooms) socket.join(room);
    });
}

void InMemoryAdapter::del_sockets(const BroadcastOptions& opts, std::span<const Room> rooms) {
    for_each_recipient(opts, [&](Socket& socket) {
        for (const Room& room : rooms) socket.leave(room);
    });
}

void InMemoryAdapter::disconnect_sockets(const BroadcastOptions& opts, bool close_underlying) {
    for_each_recipient(opts, [&](Socket& socket) { socket.disconnect(close_underlying); });
}

// ---- recovery ------------------------------------------------------------------------------

void InMemoryAdapter::persist_session(PersistedSession session) {
    if (recovery_) recovery_->persist(std::move(session), nsp().server().loop().now());
}

void InMemoryAdapter::restore_session(std::string_view pid, std::string_view offset,
                                      std::function<void(std::optional<RestoredSession>)> done) {
    if (!recovery_) return done(std::nullopt);
    done(recovery_->restore(pid, offset, nsp().server().loop().now()));
}

}   // namespace looplab::socketio
