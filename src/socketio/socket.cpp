// looplab/socketio/socket.cpp — one client in one namespace: its listeners, its rooms, its end.
// Acknowledgements live in socket_acks.cpp, catch-all listeners in socket_catch_all.cpp.
#include "looplab/socketio/socket.hpp"

#include "looplab/core/assert.hpp"
#include "looplab/socketio/client.hpp"
#include "looplab/socketio/namespace.hpp"
#include "looplab/socketio/server.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace looplab::socketio {

Socket::Socket(Namespace& nsp, Client& client, json::Value auth, std::string_view id)
    : nsp_(&nsp), client_(&client) {
    LOOPLAB_ASSERT(id.size() == kSioIdLength, "socket ids are kSioIdLength characters");
    std::copy(id.begin(), id.end(), id_.begin());
    if (auth.is_object() && auth.size() > 0) extras().auth = std::move(auth);   // else {}
}

Socket::~Socket() {
    if (nsp_ != nullptr) orphan(nsp_->server().loop());
}

void Socket::orphan(loop::EventLoop& loop) {
    if (emitter_) {
        // Destroyed with the Server inside one of these listeners, which still runs: retired.
        emitter_->silence();
        if (lifetime_.is_in_handler()) lifetime_.retire(loop, std::move(emitter_));
    }
    if (extras_) {
        for (const PendingAck& ack : extras_->acks)   // their timers point at this socket
            if (ack.timer != 0) loop.cancel_timer(ack.timer);
        extras_->acks.clear();
    }
    nsp_ = nullptr;
}

const engineio::Handshake& Socket::handshake() const { return client_->handshake(); }

Socket::Emitter& Socket::emitter() {
    if (!emitter_) emitter_ = std::make_unique<Emitter>();
    return *emitter_;
}

Socket::Extras& Socket::extras() {
    if (!extras_) extras_ = std::make_unique<Extras>();
    return *extras_;
}

// Without Extras, auth is {} and data is null: these stand for them. Constants, never written.
const json::Value& Socket::auth() const {
    static const json::Value kEmptyObject = json::Value::object();
    return extras_ ? extras_->auth : kEmptyObject;
}

const json::Value& Socket::data() const {
    static const json::Value kNull;
    return extras_ ? extras_->data : kNull;
}

std::shared_ptr<const bool> Socket::alive_token() { return lifetime_.alive_token(); }

std::string_view Socket::pid() const { return extras_ ? std::string_view{extras_->pid} : ""; }

void Socket::set_pid(std::string pid) { extras().pid = std::move(pid); }

void Socket::set_recovered_session(std::string_view pid, json::Value data) {
    set_pid(std::string{pid});
    extras().data = std::move(data);
    is_recovered_ = true;
}

DisconnectReason Socket::reason_of(const Args& args) {
    const json::Value& words = args[0];
    if (!words.is_string()) return DisconnectReason::TransportClose;
    return disconnect_reason_from(words.as_string()).value_or(DisconnectReason::TransportClose);
}

// ---- middlewares ------------------------------------------------------------------------

void Socket::use(PacketMiddleware middleware) {
    extras().middlewares.push_back(std::move(middleware));
}

// ---- sending -------------------------------------------------------------------------------

json::Array Socket::start_event(std::string_view event, std::size_t arg_count) {
    json::Array data = nsp_->server().arrays().take();
    data.reserve(arg_count + 2);   // the name, the arguments, and room for a recovery offset
    data.emplace_back(std::string{event});
    return data;
}

bool Socket::send_event(json::Array&& data, bool is_volatile) {
    const bool sent = send_event_args(
        data[0].as_string(), std::span<const json::Value>{data}.subspan(1), is_volatile, &data);
    nsp_->server().arrays().give_back(std::move(data));
    return sent;
}

// The event is encoded straight from `event` and `args`; a Packet is built only when
// recovery must keep it (through the adapter, which gives it an offset to replay from).
bool Socket::send_event_args(std::string_view event, std::span<const json::Value> args,
                             bool is_volatile, json::Array* owned) {
    if (!connected() || is_reserved_event(event)) return false;
    if (!nsp_->server().options().recovery.enabled || is_volatile) {
        notify_outgoing(event, Args{args});
        client_->write_event(nsp_->name(), event, args, is_volatile);
        return true;
    }
    detail::ArrayPool& pool = nsp_->server().arrays();
    json::Array data;
    if (owned != nullptr) {
        data = std::move(*owned);
    } else {
        data = start_event(event, args.size());
        data.insert(data.end(), args.begin(), args.end());
    }
    Packet packet{PacketType::Event, nsp_->name(), std::nullopt, json::Value{std::move(data)}};
    BroadcastOptions to_me;
    to_me.rooms.emplace_back(id());
    to_me.flags.is_local = true;   // this socket lives here: a cluster adapter need not publish
    nsp_->adapter().broadcast(packet, to_me);
    pool.give_back(std::move(packet.data->as_array()));
    return true;
}

void Socket::write(const Packet& packet, bool is_volatile) { client_->write(packet, is_volatile); }

// ---- rooms ---------------------------------------------------------------------------------

void Socket::join(std::string_view room) {
    if (state_ == State::Connecting) {
        extras().pending_rooms.emplace_back(room);
        return;
    }
    if (!connected()) return;
    const Room rooms[] = {Room{room}};
    nsp_->adapter().add_all(id(), rooms);
}

void Socket::join(std::initializer_list<std::string_view> rooms) {
    for (const std::string_view room : rooms) join(room);
}

void Socket::leave(std::string_view room) {
    if (connected()) nsp_->adapter().del(id(), room);
}

std::vector<std::string> Socket::rooms() const {
    std::vector<std::string> rooms{std::string{id()}};
    if (!connected()) return rooms;
    for (Room& room : nsp_->adapter().socket_rooms(id())) rooms.push_back(std::move(room));
    return rooms;
}

BroadcastOperator Socket::to(std::string_view room) const {
    return BroadcastOperator{*nsp_}.to(room).except(id());
}

BroadcastOperator Socket::to(std::initializer_list<std::string_view> rooms) const {
    return BroadcastOperator{*nsp_}.to(rooms).except(id());
}

BroadcastOperator Socket::except(std::initializer_list<std::string_view> rooms) const {
    return BroadcastOperator{*nsp_}.except(rooms).except(id());
}

BroadcastOperator Socket::except(std::string_view room) const {
    return BroadcastOperator{*nsp_}.except(room).except(id());
}

BroadcastOperator Socket::broadcast() const { return BroadcastOperator{*nsp_}.except(id()); }

// ---- arriving and leaving ------------------------------------------------------------------

void Socket::on_connected() {
    state_ = State::Connected;
    if (extras_ && !extras_->pending_rooms.empty()) {
        const std::vector<Room> rooms = std::move(extras_->pending_rooms);
        extras_->pending_rooms.clear();
        nsp_->adapter().add_all(id(), rooms);
    }
    json::Value reply = json::Value::object({{"sid", std::string{id()}}});
    if (!pid().empty()) reply.set("pid", std::string{pid()});
    write(Packet{PacketType::Connect, nsp_->name(), std::nullopt, std::move(reply)}, false);
}

void Socket::disconnect(bool close_underlying) {
    if (!connected()) return;
    if (close_underlying) {
        // socket.io: every socket of the connection leaves as with disconnect(), then the
        // connection closes.
        client_->disconnect_and_close();
        return;
    }
    write(Packet{PacketType::Disconnect, nsp_->name(), std::nullopt, std::nullopt}, false);
    on_close(DisconnectReason::ServerNamespaceDisconnect);
}

void Socket::on_close(DisconnectReason reason) {
    if (state_ == State::Connecting) {   // still in its middlewares: it never joined
        state_ = State::Disconnected;
        client_->remove(*this);
        return;
    }
    if (!connected()) return;
    const net::LifetimeFlag::Scope server_alive{nsp_->server().lifetime()};
    emit_reserved("disconnecting", reason);
    if (server_alive.was_destroyed()) return;   // a listener destroyed the server, and us
    if (!connected()) return;   // a "disconnecting" listener disconnected it already
    if (nsp_->server().options().recovery.enabled && is_recoverable(reason))
        nsp_->adapter().persist_session(PersistedSession{std::string{id()}, std::string{pid()},
                                                         nsp_->adapter().socket_rooms(id()),
                                                         std::as_const(*this).data()});
    state_ = State::Disconnected;
    fail_pending_acks();
    if (server_alive.was_destroyed()) return;   // an ack's callback destroyed the server
    nsp_->adapter().del_all(id());
    nsp_->remove(*this);
    client_->remove(*this);
    emit_reserved("disconnect", reason);
}

void Socket::emit_reserved(std::string_view event, DisconnectReason reason) {
    if (listener_count(event) == 0) return;
    const json::Array words{json::Value{to_string(reason)}};
    const net::LifetimeFlag::Scope alive{lifetime_};   // see ~Socket
    emitter_->emit(event, Args{words}, Ack{});
}

// ---- incoming packets ----------------------------------------------------------------------

void Socket::on_packet(Packet&& packet) {
    if (!connected()) return;
    switch (packet.type) {
        case PacketType::Event:
        case PacketType::BinaryEvent:
            if (!extras_ || extras_->middlewares.empty()) return dispatch_event(packet);
            if (extras_->pending_packets >= nsp_->server().options().max_pending_packets) {
                nsp_->server().log(fmt::format(
                    "socketio: more than {} events waiting in middlewares on {} ({}); closing",
                    nsp_->server().options().max_pending_packets, id(), nsp_->name()));
                return client_->close_with(DisconnectReason::ForcedServerClose);
            }
            ++extras_->pending_packets;
            run_packet_middlewares(std::make_shared<Packet>(std::move(packet)), 0);
            return;
        case PacketType::Ack:
        case PacketType::BinaryAck: on_ack(packet); return;
        case PacketType::Disconnect: on_close(DisconnectReason::ClientNamespaceDisconnect); return;
        case PacketType::Connect:
        case PacketType::ConnectError: return;   // not for a connected socket: ignored
    }
}

void Socket::run_packet_middlewares(std::shared_ptr<Packet> packet, std::size_t index) {
    if (!connected()) return;
    if (index >= extras_->middlewares.size()) {
        --extras_->pending_packets;
        return dispatch_event(*packet);
    }
    const json::Array& data = packet->data->as_array();
    const std::string event = data[0].is_string() ? data[0].as_string() : json::write(data[0]);
    const Args args{std::span<const json::Value>{data}.subspan(1)};
    Next next{[this, packet, index, alive = alive_token()](std::optional<MiddlewareError> error) {
        if (!*alive) return;
        if (!error) return run_packet_middlewares(packet, index + 1);
        --extras_->pending_packets;
        if (!connected()) return;
        if (listener_count("error") == 0) {
            nsp_->server().log(fmt::format("socketio: event refused by a middleware on {} ({}): {}",
                                           id(), nsp_->name(), error->message));
            return;
        }
        json::Value detail = json::Value::object({{"message", error->message}});
        if (!error->data.is_null()) detail.set("data", std::move(error->data));
        const json::Array payload{std::move(detail)};
        const net::LifetimeFlag::Scope emitting{lifetime_};   // see ~Socket
        emitter_->emit("error", Args{payload}, Ack{});
    }};
    // Copied: the middleware may add middlewares (use) and so move the list.
    const PacketMiddleware middleware = extras_->middlewares[index];
    middleware(event, args, next);
}

void Socket::dispatch_event(Packet& packet) {
    const json::Array& data = packet.data->as_array();
    std::string number_name;   // an event named by a number (allowed by the protocol)
    if (!data[0].is_string()) number_name = json::write(data[0]);
    const std::string_view event =
        data[0].is_string() ? std::string_view{data[0].as_string()} : std::string_view{number_name};
    const Args args{std::span<const json::Value>{data}.subspan(1)};
    const Ack ack = packet.id ? Ack{*this, *packet.id} : Ack{};

    if (extras_ && !extras_->any.empty()) {
        const auto snapshot = extras_->any;   // a listener may remove itself
        const net::LifetimeFlag::Scope server_alive{nsp_->server().lifetime()};
        for (const auto& [id, listener] : snapshot) {
            listener(event, args, ack);
            if (server_alive.was_destroyed()) return;   // it destroyed the server, and us
        }
    }
    // "error" with nobody listening would throw (EventEmitter's rule): a peer must not be able
    // to stop our loop by naming its event "error".
    if (!emitter_ || (event == events::kErrorEvent && emitter_->listener_count(event) == 0)) return;
    const net::LifetimeFlag::Scope alive{lifetime_};   // see ~Socket
    emitter_->emit(event, args, ack);
}

}   // namespace looplab::socketio
