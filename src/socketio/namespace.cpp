// looplab/socketio/namespace.cpp — joining a namespace (middlewares, recovery), its sockets,
// and the gathering of a broadcast's acknowledgements.
#include "looplab/socketio/namespace.hpp"

#include "looplab/socketio/client.hpp"
#include "looplab/socketio/in_memory_adapter.hpp"
#include "looplab/socketio/server.hpp"

#include <limits>

namespace looplab::socketio {

Namespace::Namespace(Server& server, std::string name, Namespace* parent)
    : server_(server), name_(std::move(name)), parent_(parent) {
    const AdapterFactory& make = server.options().adapter;
    adapter_ =
        make ? make(*this) : std::make_unique<InMemoryAdapter>(*this, server.options().recovery);
    adapter_->init();
}

Namespace::~Namespace() {
    for (const auto& [id, gathering] : broadcast_acks_)
        server_.loop().cancel_timer(gathering.timer);
    adapter_->close();
    // Destroyed with the Server inside one of these listeners: it is still running.
    connections_->silence();
    server_side_->silence();
    server_.lifetime().retire(server_.loop(), std::move(connections_));
    server_.lifetime().retire(server_.loop(), std::move(server_side_));
}

Socket* Namespace::find_socket(std::string_view id) const {
    const auto found = sockets_.find(id);
    return found == sockets_.end() ? nullptr : found->second;
}

void Namespace::fetch_sockets(std::function<void(std::vector<SocketInfo>)> done) {
    BroadcastOperator{*this}.fetch_sockets(std::move(done));
}

// ---- joining -------------------------------------------------------------------------------

void Namespace::add(Client& client, json::Value auth) {
    const RecoveryOptions& recovery = server_.options().recovery;
    const json::Value* pid = auth.find("pid");
    const json::Value* offset = auth.find("offset");
    if (!recovery.enabled || pid == nullptr || !pid->is_string() || offset == nullptr ||
        !offset->is_string())
        return admit(client, std::move(auth), std::nullopt);
    // The in-memory adapter answers at once; a networked one answers later, when the
    // connection may be gone.
    const std::string pid_text = pid->as_string();
    const std::string offset_text = offset->as_string();
    adapter_->restore_session(pid_text, offset_text,
                              [this, &client, alive = client.alive_token(), auth = std::move(auth)](
                                  std::optional<RestoredSession> restored) mutable {
                                  if (!*alive || client.is_closing() || client.session() == nullptr)
                                      return;
                                  admit(client, std::move(auth), std::move(restored));
                              });
}

void Namespace::admit(Client& client, json::Value auth, std::optional<RestoredSession> restored) {
    const RecoveryOptions& recovery = server_.options().recovery;
    const std::string id = restored ? restored->session.sid : server_.new_id();
    Socket& socket = client.adopt(std::make_unique<Socket>(*this, client, std::move(auth), id));
    if (restored)
        socket.set_recovered_session(restored->session.pid, std::move(restored->session.data));
    else if (recovery.enabled) socket.set_pid(server_.new_id());

    if ((restored && recovery.skip_middlewares) || middleware_count() == 0)
        return connect_socket(socket, std::move(restored));
    auto done = [this, &socket, restored = std::move(restored),
                 alive = socket.alive_token()](std::optional<MiddlewareError> error) mutable {
        if (!*alive || !socket.is_pending()) return;   // the connection closed meanwhile
        if (!error) return connect_socket(socket, std::move(restored));
        json::Value reason = json::Value::object({{"message", std::move(error->message)}});
        if (!error->data.is_null()) reason.set("data", std::move(error->data));
        socket.client().write(
            Packet{PacketType::ConnectError, name_, std::nullopt, std::move(reason)}, false);
        socket.on_close(DisconnectReason::ServerNamespaceDisconnect);   // it never joined
    };
    run_middlewares(socket, 0, std::move(done));
}

std::size_t Namespace::middleware_count() const {
    return middlewares_.size() + (parent_ != nullptr ? parent_->middleware_count() : 0);
}

// The parent's middlewares first (a dynamic child inherits them), then our own.
const Middleware* Namespace::middleware_at(std::size_t index) const {
    const std::size_t inherited = parent_ != nullptr ? parent_->middleware_count() : 0;
    if (index < inherited) return parent_->middleware_at(index);
    index -= inherited;
    return index < middlewares_.size() ? &middlewares_[index] : nullptr;
}

void Namespace::run_middlewares(Socket& socket, std::size_t index,
                                std::function<void(std::optional<MiddlewareError>)> done) {
    const Middleware* middleware = middleware_at(index);
    if (middleware == nullptr) return done(std::nullopt);
    const Middleware current = *middleware;   // copied: it may call use() and move the list
    auto shared_done = std::make_shared<decltype(done)>(std::move(done));
    current(socket, Next{[this, &socket, index, shared_done,
                          alive = socket.alive_token()](std::optional<MiddlewareError> error) {
                if (!*alive || !socket.is_pending()) return;
                if (error) return (*shared_done)(std::move(error));
                run_middlewares(socket, index + 1, std::move(*shared_done));
            }});
}

void Namespace::connect_socket(Socket& socket, std::optional<RestoredSession> restored) {
    if (socket.client().session() == nullptr) return;
    sockets_.insert_or_assign(socket.id(), &socket);
    socket.on_connected();
    if (restored) {
        if (!restored->session.rooms.empty())
            adapter_->add_all(socket.id(), restored->session.rooms);
        for (json::Array& missed : restored->missed_packets)
            socket.client().write(
                Packet{PacketType::Event, name_, std::nullopt, json::Value{std::move(missed)}},
                false);
    }
    socket.client().on_socket_connected();
    // Only a dynamic namespace's parent hears of it afterwards, if the socket still lives.
    const auto alive = parent_ != nullptr ? socket.alive_token() : std::shared_ptr<const bool>{};
    const net::LifetimeFlag::Scope server_alive{server_.lifetime()};
    connections_->emit("connection", std::ref(socket));
    if (server_alive.was_destroyed()) return;   // a listener destroyed the server, and us
    if (parent_ != nullptr && *alive && socket.connected())
        parent_->connections_->emit("connection", std::ref(socket));
}

void Namespace::remove(Socket& socket) {
    const auto found = sockets_.find(socket.id());
    if (found != sockets_.end() && found->second == &socket) sockets_.erase(found);
}

void Namespace::receive_server_side(const json::Array& event, ServerSideReply reply) {
    if (event.empty() || !event[0].is_string()) return;
    const std::string& name = event[0].as_string();
    // "error" with nobody listening would throw: another server must not stop our loop.
    if (name == events::kErrorEvent && server_side_->listener_count(name) == 0) return;
    server_side_->emit(name, Args{std::span<const json::Value>{event}.subspan(1)}, reply);
}

// ---- dynamic namespaces --------------------------------------------------------------------

void Namespace::set_parent_predicate(NamespacePredicate predicate) {
    is_parent_ = true;
    predicate_ = std::move(predicate);
}

bool Namespace::accepts(std::string_view name, const json::Value& auth) const {
    return is_parent_ && predicate_ && predicate_(name, auth);
}

// ---- a broadcast's acknowledgements ----------------------------------------------------------

std::uint64_t Namespace::start_broadcast_ack(Millis timeout, BroadcastAckCallback done,
                                             std::size_t namespaces) {
    const std::uint64_t id = next_ack_id();
    BroadcastAckGathering& gathering = broadcast_acks_[id];
    gathering.done = std::move(done);
    gathering.timer = server_.loop().set_timeout(timeout, [this, id] {
        const auto found = broadcast_acks_.find(id);
        if (found == broadcast_acks_.end()) return;
        BroadcastAckGathering ended = std::move(found->second);
        broadcast_acks_.erase(found);
        ended.done(AckError{kAckTimedOut}, ended.answers);
    });
    // Until the adapter has counted the servers (Redis: PUBSUB NUMSUB), nothing completes.
    gathering.servers_expected = std::numeric_limits<std::size_t>::max();
    // The adapter calls back only while it (and so this namespace, its owner) exists.
    adapter_->server_count([this, id, namespaces](std::size_t servers) {
        const auto found = broadcast_acks_.find(id);
        if (found == broadcast_acks_.end()) return;
        found->second.servers_expected = namespaces * servers;
        finish_broadcast_ack_if_complete(id);
    });
    return id;
}

void Namespace::on_broadcast_client_count(std::uint64_t ack_id, std::size_t count) {
    const auto found = broadcast_acks_.find(ack_id);
    if (found == broadcast_acks_.end()) return;
    ++found->second.servers_counted;
    found->second.clients_expected += count;
    finish_broadcast_ack_if_complete(ack_id);
}

void Namespace::on_broadcast_answer(std::uint64_t ack_id, const Args& answer) {
    const auto found = broadcast_acks_.find(ack_id);
    if (found == broadcast_acks_.end()) return;   // too late: already ended
    found->second.answers.push_back(answer[0]);
    finish_broadcast_ack_if_complete(ack_id);
}

void Namespace::finish_broadcast_ack_if_complete(std::uint64_t ack_id) {
    const auto found = broadcast_acks_.find(ack_id);
    if (found == broadcast_acks_.end()) return;
    const BroadcastAckGathering& gathering = found->second;
    if (gathering.servers_counted < gathering.servers_expected ||
        gathering.answers.size() < gathering.clients_expected)
        return;
    BroadcastAckGathering ended = std::move(found->second);
    broadcast_acks_.erase(found);
    server_.loop().cancel_timer(ended.timer);
    ended.done(std::nullopt, ended.answers);
}

}   // namespace looplab::socketio
