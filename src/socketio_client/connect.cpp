// looplab/socketio_client/connect.cpp — one Manager and the URL's socket.
#include "looplab/socketio_client/connect.hpp"

namespace looplab::socketio_client {

Connection::Connection(loop::EventLoop& loop, ServerUrl url, ConnectOptions options) {
    const std::string nsp = url.nsp;
    manager_ = std::make_unique<Manager>(loop, std::move(url), std::move(options.manager));
    socket_ = &manager_->socket(nsp, std::move(options.socket));
    if (options.auto_connect) socket_->connect();
}

Result<Connection> connect(loop::EventLoop& loop, std::string_view url, ConnectOptions options) {
    auto parsed = parse_server_url(url);
    if (!parsed) return parsed.error();
    return Connection{loop, std::move(parsed).value(), std::move(options)};
}

}   // namespace looplab::socketio_client
