// socketio_redis/cluster_adapter_base.cpp — the questions asked and the acks awaited, for
// both Redis adapters.
#include "looplab/socketio_redis/cluster_adapter_base.hpp"

#include "looplab/socketio/namespace.hpp"
#include "looplab/socketio/socket.hpp"

#include <fmt/format.h>

#include <utility>

namespace looplab::socketio_redis {

ClusterAdapterBase::ClusterAdapterBase(socketio::Namespace& nsp, loop::EventLoop& loop,
                                       Millis requests_timeout, StatusReport report)
    : InMemoryAdapter(nsp),
      loop_(loop),
      requests_timeout_(requests_timeout),
      report_(std::move(report)) {}

ClusterAdapterBase::~ClusterAdapterBase() {
    for (auto& [id, request] : requests_) loop_.cancel_timer(request.timer);
    for (auto& [id, request] : ack_requests_) loop_.cancel_timer(request.timer);
}

ClusterAdapterBase::PendingRequest ClusterAdapterBase::fetch_request(
    const socketio::BroadcastOptions& opts,
    std::function<void(std::vector<socketio::SocketInfo>)> done) {
    PendingRequest pending;
    pending.what = "fetch_sockets";
    // Ids only: the local sockets are looked up again at the end (they may have gone).
    InMemoryAdapter::fetch_sockets(opts, [&](std::vector<socketio::SocketInfo> found) {
        for (socketio::SocketInfo& info : found) pending.ids.push_back(std::move(info.id));
    });
    pending.finish = [this, done = std::move(done)](PendingRequest& ended, bool) {
        std::vector<socketio::SocketInfo> all;
        for (const std::string& id : ended.ids)
            if (socketio::Socket* socket = nsp().find_socket(id);
                socket != nullptr && socket->connected())
                all.push_back(socketio::SocketInfo{
                    id, socket->rooms(), std::as_const(*socket).data(), socket, {}});
        for (socketio::SocketInfo& remote : ended.remote) all.push_back(std::move(remote));
        done(std::move(all));
    };
    return pending;
}

ClusterAdapterBase::PendingRequest ClusterAdapterBase::server_side_request(
    socketio::BroadcastAckCallback done) {
    PendingRequest pending;
    pending.what = "server_side_emit_with_ack";
    pending.finish = [done = std::move(done)](PendingRequest& ended, bool timed_out) {
        if (timed_out) done(socketio::AckError{socketio::kAckTimedOut}, ended.responses);
        else done(std::nullopt, ended.responses);
    };
    return pending;
}

void ClusterAdapterBase::wait_for_answers(const std::string& id, PendingRequest pending) {
    pending.timer = loop_.set_timeout(requests_timeout_, [this, id] { end_request(id, true); });
    requests_.insert_or_assign(id, std::move(pending));
}

ClusterAdapterBase::PendingRequest* ClusterAdapterBase::waiting(const std::string& id) {
    const auto found = requests_.find(id);
    return found != requests_.end() ? &found->second : nullptr;
}

void ClusterAdapterBase::answered(const std::string& id) {
    PendingRequest* pending = waiting(id);
    if (pending == nullptr) return;
    if (++pending->received >= pending->expected) end_request(id, false);
}

void ClusterAdapterBase::end_request(const std::string& id, bool timed_out) {
    const auto found = requests_.find(id);
    if (found == requests_.end()) return;
    PendingRequest ended = std::move(found->second);
    requests_.erase(found);
    loop_.cancel_timer(ended.timer);
    if (timed_out)
        report(fmt::format("redis adapter {}: {}: {} of {} servers did not answer within {} ms",
                           nsp().name(), ended.what, ended.expected - ended.received, ended.servers,
                           requests_timeout_.count()));
    ended.finish(ended, timed_out);
}

void ClusterAdapterBase::remember_broadcast_ack(
    const std::string& id, const std::function<void(std::size_t)>& client_count,
    const std::function<void(const socketio::Args&)>& on_answer, Millis timeout) {
    AckRequest& waiting_ack = ack_requests_[id];
    waiting_ack.client_count = client_count;
    waiting_ack.on_answer = on_answer;
    // The namespace ends the gathering at its timeout; late answers are dropped here then.
    waiting_ack.timer = loop_.set_timeout(timeout, [this, id] { ack_requests_.erase(id); });
}

void ClusterAdapterBase::on_remote_client_count(const std::string& id, std::size_t count) {
    const auto found = ack_requests_.find(id);
    if (found == ack_requests_.end()) return;
    const auto client_count = found->second.client_count;   // a copy: it may end the request
    client_count(count);
}

void ClusterAdapterBase::on_remote_ack(const std::string& id, const json::Value& answer) {
    const auto found = ack_requests_.find(id);
    if (found == ack_requests_.end()) return;
    const auto on_answer = found->second.on_answer;
    json::Array one{answer};
    on_answer(socketio::Args{one});
}

}   // namespace looplab::socketio_redis
