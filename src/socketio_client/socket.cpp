// looplab/socketio_client/socket.cpp — one namespace: joining, events in and out, leaving.
// Acknowledgements are in socket_acks.cpp.
#include "looplab/socketio_client/socket.hpp"

#include "looplab/socketio_client/manager.hpp"

namespace looplab::socketio_client {

namespace json = codec::json;
using socketio::Packet;
using socketio::PacketType;

Socket::Socket(Manager& manager, std::string nsp, SocketOptions options)
    : manager_(&manager),
      nsp_(std::move(nsp)),
      options_(std::move(options)),
      buffer_(options_.max_buffered_packets),
      self_(std::make_shared<Socket*>(this)) {}

Socket::~Socket() {
    for (const PendingAck& ack : acks_) manager_->loop().cancel_timer(ack.timer);
}

// ---- listening -------------------------------------------------------------------------------

events::ListenerId Socket::on_connect(std::function<void()> listener) {
    return on("connect", std::move(listener));
}

events::ListenerId Socket::on_disconnect(std::function<void(DisconnectReason)> listener) {
    return on("disconnect", [f = std::move(listener)](const Args& args) {
        const auto reason =
            args[0].is_string() ? disconnect_reason_from(args[0].as_string()) : std::nullopt;
        f(reason.value_or(DisconnectReason::TransportClose));
    });
}

events::ListenerId Socket::on_connect_error(std::function<void(const ConnectError&)> listener) {
    return on("connect_error", [f = std::move(listener)](const Args& args) {
        // What the server sent is read with find(): a key it left out is not an error.
        const json::Value* message = args[0].find("message");
        const json::Value* data = args[0].find("data");
        f(ConnectError{
            message != nullptr && message->is_string() ? message->as_string() : std::string{},
            data != nullptr ? *data : json::Value{}});
    });
}

events::ListenerId Socket::on_any(AnyListener listener) {
    const events::ListenerId id = next_any_id_++;
    any_.emplace_back(id, std::move(listener));
    return id;
}

bool Socket::off_any(events::ListenerId id) {
    return std::erase_if(any_, [id](const auto& entry) { return entry.first == id; }) > 0;
}

void Socket::emit_reserved(std::string_view event, json::Array args) {
    emitter_.emit(event, Args{args}, Ack{});
}

// ---- sending ---------------------------------------------------------------------------------

json::Array Socket::start_event(std::string_view event, std::size_t arg_count) {
    json::Array data;
    data.reserve(arg_count + 1);
    data.emplace_back(std::string{event});
    return data;
}

bool Socket::emit_args(std::string_view event, const Args& args) {
    json::Array data = start_event(event, args.size());
    data.insert(data.end(), args.begin(), args.end());
    return send_event(std::move(data), /*is_volatile=*/false);
}

bool Socket::send_event(json::Array&& data, bool is_volatile) {
    if (socketio::is_reserved_event(data[0].as_string())) return false;
    return send_or_buffer(
        Packet{PacketType::Event, nsp_, std::nullopt, json::Value{std::move(data)}}, is_volatile);
}

bool Socket::send_or_buffer(Packet&& packet, bool is_volatile) {
    if (is_connected_ && manager_->send(packet)) return true;
    if (is_volatile) return false;
    return buffer_.push(std::move(packet));
}

// Right after CONNECT succeeds: what was emitted meanwhile leaves, in order.
void Socket::flush_buffer() {
    for (Packet& packet : buffer_.take_all())
        if (!manager_->send(packet)) (void)buffer_.push(std::move(packet));   // lost again: keep
}

// ---- joining ---------------------------------------------------------------------------------

void Socket::connect() {
    if (is_connected_) return;
    is_active_ = true;
    if (manager_->is_open()) send_connect();
    else manager_->open();
}

void Socket::on_engine_open() {
    if (is_active_ && !is_connected_) send_connect();
}

// CONNECT carries the auth; after a reconnection with recovery on, also {"pid","offset"}.
void Socket::send_connect() {
    std::optional<json::Value> auth;
    if (options_.auth.is_object()) auth = options_.auth;
    if (!pid_.empty() && last_offset_) {
        json::Value merged = json::Value::object({{"pid", pid_}, {"offset", *last_offset_}});
        if (auth)
            for (const auto& [key, value] : auth->as_object()) merged.set(key, value);
        auth = std::move(merged);
    }
    manager_->send(Packet{PacketType::Connect, nsp_, std::nullopt, std::move(auth)});
}

void Socket::on_packet(Packet&& packet) {
    switch (packet.type) {
        case PacketType::Connect: return on_connect_answer(packet);
        case PacketType::Event:
        case PacketType::BinaryEvent: return on_event(packet);
        case PacketType::Ack:
        case PacketType::BinaryAck: return on_ack(packet);
        case PacketType::ConnectError: return on_connect_error_packet(packet);
        case PacketType::Disconnect: return on_server_disconnect();
    }
}

void Socket::on_connect_answer(const Packet& packet) {
    const json::Value* sid = packet.data ? packet.data->find("sid") : nullptr;
    if (sid == nullptr || !sid->is_string()) {
        // What a v2 server would answer: the reference client says so too.
        emit_reserved("connect_error",
                      {json::Value::object(
                          {{"message", "CONNECT answer without a sid (not a v5 server?)"}})});
        return;
    }
    if (is_connected_) return;
    const json::Value* pid = packet.data->find("pid");
    const std::string new_pid =
        pid != nullptr && pid->is_string() ? pid->as_string() : std::string{};
    id_ = sid->as_string();
    is_recovered_ = !new_pid.empty() && new_pid == pid_;
    if (new_pid != pid_) last_offset_.reset();
    pid_ = new_pid;
    is_connected_ = true;
    ++connection_count_;
    flush_buffer();
    emit_reserved("connect", {});
}

void Socket::on_event(Packet& packet) {
    if (!is_connected_ || !packet.data || !packet.data->is_array()) return;
    const json::Array& data = packet.data->as_array();
    // The name may be a number in the protocol; listeners are found by its text.
    const std::string name = data[0].is_string() ? data[0].as_string() : json::write(data[0]);
    const Args args{std::span<const json::Value>{data}.subspan(1)};
    if (!pid_.empty() && !args.empty() && args.values().back().is_string())
        last_offset_ = args.values().back().as_string();
    Ack ack;
    if (packet.id)
        ack = Ack{
            std::make_shared<Ack::State>(Ack::State{self_, *packet.id, connection_count_, false})};
    // A copy of the list: a catch-all may remove itself (or others) while it runs.
    const auto any = any_;
    for (const auto& [id, listener] : any) listener(name, args, ack);
    emitter_.emit(name, args, ack);
}

void Socket::on_connect_error_packet(const Packet& packet) {
    is_active_ = false;
    json::Value error = json::Value::object({{"message", ""}});
    if (packet.data && packet.data->is_object()) error = *packet.data;
    else if (packet.data && packet.data->is_string())
        error.set("message", packet.data->as_string());
    emit_reserved("connect_error", {std::move(error)});
    manager_->on_socket_inactive();
}

void Socket::on_engine_error(const Error& error) {
    if (is_active_ && !is_connected_)
        emit_reserved("connect_error", {json::Value::object({{"message", error.message()}})});
}

// ---- leaving ---------------------------------------------------------------------------------

void Socket::on_server_disconnect() {
    is_active_ = false;
    close(DisconnectReason::IoServerDisconnect);
    manager_->on_socket_inactive();
}

void Socket::disconnect() {
    if (!is_active_) return;
    if (is_connected_)
        manager_->send(Packet{PacketType::Disconnect, nsp_, std::nullopt, std::nullopt});
    is_active_ = false;
    close(DisconnectReason::IoClientDisconnect);
    manager_->on_socket_inactive();
}

void Socket::on_engine_close(DisconnectReason reason) { close(reason); }

void Socket::close(DisconnectReason reason) {
    if (!is_connected_) return;
    is_connected_ = false;
    id_.clear();
    fail_sent_acks();
    emit_reserved("disconnect", {json::Value{to_string(reason)}});
}

}   // namespace looplab::socketio_client
