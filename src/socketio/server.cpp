// looplab/socketio/server.cpp — namespaces, the engine's listener, and the clients by slot.
#include "looplab/socketio/server.hpp"

#include "looplab/engineio/open_packet.hpp"

#include "looplab/socketio/client.hpp"

#include <fmt/format.h>

#include <array>
#include <cstdio>

namespace looplab::socketio {

engineio::ServerOptions default_engine_options() {
    engineio::ServerOptions options;
    options.path = "/socket.io/";
    return options;
}

// What the engine calls; forwards to the Server (one object for every session).
class Server::EngineListener final : public engineio::ServerListener {
public:
    explicit EngineListener(Server& server) : server_(server) {}
    void on_open(engineio::Session& session) override { server_.on_open(session); }
    void on_message(engineio::Session& session, std::string_view data, bool is_binary) override {
        server_.on_message(session, data, is_binary);
    }
    void on_close(engineio::Session& session, engineio::CloseReason reason,
                  std::string_view description) override {
        server_.on_close(session, reason, description);
    }

private:
    Server& server_;
};

Server::Server(loop::EventLoop& loop, ServerOptions options)
    : loop_(loop),
      options_(std::move(options)),
      listener_(std::make_unique<EngineListener>(*this)),
      alive_(std::make_shared<bool>(true)) {
    main_ = &of("/");
}

Server::~Server() {
    *alive_ = false;
    // The engine first: it closes every session without events. Then the members go, clients
    // (and their sockets) before the namespaces they point to. No listener runs.
    engine_.reset();
}

engineio::ServerListener& Server::engine_listener() { return *listener_; }

// ---- namespaces ----------------------------------------------------------------------------

Namespace& Server::of(std::string_view name) {
    std::string full = name.starts_with('/') ? std::string{} : std::string{"/"};
    full += name;
    auto found = namespaces_.find(full);
    if (found == namespaces_.end()) {
        auto made = std::make_unique<Namespace>(*this, full);
        found = namespaces_.emplace(std::move(full), std::move(made)).first;
    }
    return *found->second;
}

Namespace& Server::of(NamespacePredicate predicate) {
    parents_.push_back(std::make_unique<Namespace>(*this, fmt::format("/_{}", parents_.size())));
    parents_.back()->set_parent_predicate(std::move(predicate));
    return *parents_.back();
}

Namespace* Server::find_namespace(std::string_view name) const {
    const auto found = namespaces_.find(std::string{name});
    return found == namespaces_.end() ? nullptr : found->second.get();
}

Namespace* Server::namespace_for_connect(std::string_view name, const json::Value& auth) {
    if (Namespace* existing = find_namespace(name)) return existing;   // static names win
    for (const auto& parent : parents_) {
        if (!parent->accepts(name, auth)) continue;
        if (parent->children().size() >= options_.max_child_namespaces) {
            log(fmt::format("socketio: namespace {} refused: its parent already has {} children",
                            name, options_.max_child_namespaces));
            return nullptr;
        }
        auto child = std::make_unique<Namespace>(*this, std::string{name}, parent.get());
        Namespace& made = *child;
        namespaces_.emplace(std::string{name}, std::move(child));
        parent->adopt(made);
        return &made;
    }
    return nullptr;
}

void Server::close() {
    const net::LifetimeFlag::Scope alive{lifetime_};
    for (std::size_t slot = 0; slot < clients_.size(); ++slot) {
        if (clients_[slot]) clients_[slot]->close_with(DisconnectReason::ServerShuttingDown);
        if (alive.was_destroyed()) return;   // a "disconnect" listener destroyed us
    }
}

// ---- the engine's events -------------------------------------------------------------------

void Server::on_open(engineio::Session& session) {
    std::size_t slot = clients_.size();
    if (!free_slots_.empty()) {
        slot = free_slots_.back();
        free_slots_.pop_back();
    } else {
        clients_.emplace_back();
    }
    clients_[slot] = std::make_unique<Client>(*this, session);
    session.set_tag(slot + 1);
    ++client_count_;
}

Client* Server::client_of(const engineio::Session& session) const {
    const std::uint64_t tag = session.tag();
    if (tag == 0 || tag > clients_.size()) return nullptr;
    return clients_[tag - 1].get();
}

void Server::on_message(engineio::Session& session, std::string_view data, bool is_binary) {
    if (Client* client = client_of(session)) client->on_message(data, is_binary);
}

void Server::on_close(engineio::Session& session, engineio::CloseReason reason,
                      std::string_view description) {
    Client* client = client_of(session);
    if (client == nullptr) return;
    const net::LifetimeFlag::Scope alive{lifetime_};
    client->on_engine_close(reason, description);
    if (alive.was_destroyed()) return;   // a "disconnect" listener destroyed us
    const std::size_t slot = session.tag() - 1;
    retired_clients_.push_back(std::move(clients_[slot]));
    free_slots_.push_back(slot);
    session.set_tag(0);
    --client_count_;
    free_retired();
}

// ---- freeing later -------------------------------------------------------------------------

void Server::retire(std::unique_ptr<Socket> socket) {
    retired_sockets_.push_back(std::move(socket));
    free_retired();
}

void Server::free_retired() {
    if (is_free_posted_) return;
    is_free_posted_ = true;
    loop_.post_close([this, alive = alive_] {
        if (!*alive) return;
        is_free_posted_ = false;
        // Moved out first: a destructor must not find a half-cleared vector.
        auto sockets = std::move(retired_sockets_);
        auto clients = std::move(retired_clients_);
        retired_sockets_.clear();
        retired_clients_.clear();
    });
}

// ---- ids and logs --------------------------------------------------------------------------

static_assert(kSioIdLength == engineio::kEioSidLength, "a socket id is made like a sid");

std::string Server::new_id() {
    // Like socket.io's base64id: 15 random bytes, 20 URL-safe characters (as an Engine.IO sid).
    return engineio::make_sid(random_);
}

void Server::log(std::string_view line) const {
    if (options_.log) options_.log(line);
    else fmt::print(stderr, "{}\n", line);
}

}   // namespace looplab::socketio
