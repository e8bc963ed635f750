// looplab/socketio/socket_catch_all.cpp — one socket's catch-all listeners: every incoming
// event (onAny) and every outgoing one (onAnyOutgoing), whatever its name.
#include "looplab/socketio/socket.hpp"

#include <algorithm>

namespace looplab::socketio {
namespace {

// Removes the (id, listener) pair with `id`; false if there is none.
template <typename List>
bool remove_listener(List& list, events::ListenerId id) {
    const auto found =
        std::find_if(list.begin(), list.end(), [id](const auto& l) { return l.first == id; });
    if (found == list.end()) return false;
    list.erase(found);
    return true;
}

}   // namespace

events::ListenerId Socket::on_any(AnyListener listener) {
    Extras& more = extras();
    more.any.emplace_back(more.next_id, std::move(listener));
    return more.next_id++;
}

bool Socket::off_any(events::ListenerId id) { return extras_ && remove_listener(extras_->any, id); }

events::ListenerId Socket::on_any_outgoing(OutgoingListener listener) {
    Extras& more = extras();
    more.any_outgoing.emplace_back(more.next_id, std::move(listener));
    return more.next_id++;
}

bool Socket::off_any_outgoing(events::ListenerId id) {
    return extras_ && remove_listener(extras_->any_outgoing, id);
}

bool Socket::has_outgoing_listeners() const { return extras_ && !extras_->any_outgoing.empty(); }

void Socket::notify_outgoing(const Packet& packet) {
    if (!has_outgoing_listeners() || !packet.data || !packet.data->is_array()) return;
    const json::Array& data = packet.data->as_array();
    if (data.empty() || !data[0].is_string()) return;
    notify_outgoing(data[0].as_string(), Args{std::span<const json::Value>{data}.subspan(1)});
}

void Socket::notify_outgoing(std::string_view event, const Args& args) {
    if (!has_outgoing_listeners()) return;
    const auto snapshot = extras_->any_outgoing;   // a listener may remove itself
    for (const auto& [id, listener] : snapshot) listener(event, args);
}

}   // namespace looplab::socketio
