// lessons/19-rooms-across-servers/chat_node.cpp — see cluster_lesson.hpp.
//
// The chat is lesson 18's, with one change that makes it a cluster: ServerOptions::adapter is
// the RedisAdapter (bus->adapter_factory()). The listeners do not change: io.to(room).emit()
// now reaches the room's members on every server, because the adapter also publishes it.
#include "cluster_lesson.hpp"

#include "looplab/socketio/namespace.hpp"
#include "looplab/socketio_redis/wire.hpp"

#include <fmt/format.h>

using namespace looplab;

namespace cluster {

ChatNode::ChatNode(loop::EventLoop& loop, std::string name, const net::Address& redis,
                   Reconnection reconnection, Transcript& transcript)
    : actor_("server " + name), transcript_(transcript) {
    resp::ClientOptions redis_options;
    redis_options.backoff.initial_delay = reconnection.delay;
    redis_options.backoff.max_delay = reconnection.delay;
    redis_options.backoff.factor = 1.0;
    redis_options.backoff.jitter = 0.0;
    bus_ = std::make_unique<socketio_redis::RedisBus>(loop, redis, redis_options);
    for (resp::Client* client : {&bus_->publisher(), &bus_->subscriber()})
        client->connection().on("disconnect", [this](const resp::ConnectionEvent&) { ++lost_; });
    // A listener of our own beside the adapter's, to tell what the server hears from Redis.
    bus_->subscriber().pubsub().on("pmessage",
                                   [this](const resp::PubSubMessage& message) { on_redis_message(message); });
    bus_->connect();

    socketio::ServerOptions options;
    options.adapter = bus_->adapter_factory();
    http_ = std::make_unique<http::Server>(loop);
    io_ = std::make_unique<socketio::Server>(loop, std::move(options));
    io_->attach(*http_);
    io_->on_connection([this](socketio::Socket& socket) { on_connection(socket); });
    transcript_.name_id_as(adapter().uid(), fmt::format("<uid-{}>", name));
}

ChatNode::~ChatNode() {
    io_.reset();   // its adapter unsubscribes through the bus: the bus goes last
    http_.reset();
    bus_.reset();
}

Status ChatNode::listen(const net::Address& where) { return http_->listen(where); }

socketio_redis::RedisAdapter& ChatNode::adapter() {
    return dynamic_cast<socketio_redis::RedisAdapter&>(io_->of("/").adapter());
}

bool ChatNode::redis_ready() const {
    return bus_->publisher().is_ready() && bus_->subscriber().is_ready();
}

void ChatNode::on_connection(socketio::Socket& socket) {
    const socketio::json::Value* given = socket.auth().find("name");
    const std::string name = given != nullptr && given->is_string() ? given->as_string() : "?";
    transcript_.name_id(socket.id(), "sid");
    transcript_.add(actor_, fmt::format("  {}: io.on(\"connection\"): {} is socket {}", actor_, name, socket.id()));

    // "join" [room]: the room is this server's (socket.join is local); how many are in it on
    // every server is a question for the cluster (fetchSockets crosses Redis).
    socket.on("join", [this, name, &socket](const socketio::Args& args, const socketio::Ack& ack) {
        if (args.size() < 1 || !args[0].is_string()) return;
        const std::string room = args[0].as_string();
        socket.join(room);
        const std::size_t here = socket.nsp().adapter().room_size(room);
        io_->in(room).fetch_sockets([this, room, here, ack, name](std::vector<socketio::SocketInfo> everywhere) {
            std::size_t remote = 0;
            for (const socketio::SocketInfo& info : everywhere) remote += info.local == nullptr ? 1 : 0;
            transcript_.add(actor_, fmt::format("  {}: {} joined \"{}\": {} socket{} here; io.in(\"{}\").fetchSockets() "
                                                "asked the cluster: {} in all ({} on another server)",
                                                actor_, name, room, here, here == 1 ? "" : "s", room,
                                                everywhere.size(), remote));
            ++answers_;
            ack(here, everywhere.size());
        });
    });

    // "chat" [room, text]: to the whole room, on every server.
    socket.on("chat", [this, name](const socketio::Args& args) {
        if (args.size() < 2 || !args[0].is_string() || !args[1].is_string()) return;
        const std::string room = args[0].as_string();
        const std::size_t here = io_->of("/").adapter().room_size(room);
        const bool online = bus_->publisher().is_ready();
        transcript_.add(actor_, fmt::format("  {}: io.to(\"{}\").emit(\"chat\", \"{}\", \"{}\"): delivered here to "
                                            "{} socket{};", actor_, room, name, args[1].as_string(), here,
                                            here == 1 ? "" : "s"));
        io_->to(room).emit("chat", name, args[1].as_string());
        if (online)
            transcript_.add(actor_, fmt::format("          and PUBLISHed on {} for the other servers",
                                                adapter().channels().room(room)));
        else
            transcript_.add(actor_, fmt::format("          Redis is away: the PUBLISH waits in the publisher's "
                                                "offline queue ({} command{})", bus_->publisher().queued(),
                                                bus_->publisher().queued() == 1 ? "" : "s"));
        ++chats_;
    });
}

void ChatNode::on_redis_message(const resp::PubSubMessage& message) {
    const auto room = adapter().channels().room_of(message.channel);
    if (!room) return;
    auto broadcast = socketio_redis::decode_broadcast(message.payload);
    if (!broadcast) return;   // the adapter reports it
    if (broadcast->uid == adapter().uid()) {
        // Told once (step 3); later echoes change nothing, and after a Redis restart whether
        // the server hears its own queued message depends on which connection came back first.
        if (echoes_++ > 0) return;
        transcript_.add(actor_, fmt::format("  {}: hears its own message back on {} (uid {} is its own): drops it",
                                            actor_, message.channel, broadcast->uid));
        return;
    }
    const std::size_t here = room->empty() ? io_->of("/").socket_count() : io_->of("/").adapter().room_size(*room);
    transcript_.add(actor_, fmt::format("  {}: pmessage on {} from {}: delivers it to its {} socket{} in \"{}\"",
                                        actor_, message.channel, broadcast->uid, here, here == 1 ? "" : "s",
                                        *room));
}

}   // namespace cluster
