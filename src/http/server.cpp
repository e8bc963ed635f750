#include "looplab/http/server.hpp"

#include "server_session.hpp"

#include "looplab/core/assert.hpp"
#include "looplab/http/mime_types.hpp"
#include "looplab/http/static_files.hpp"
#include "looplab/trace/call_stack.hpp"

#include <fstream>
#include <sstream>
#include <vector>

namespace looplab::http {

Server::Server(loop::EventLoop& loop, ServerOptions options)
    : loop_(loop), options_(std::move(options)) {}

Server::~Server() {
    // Destroying a connection closes its socket at once with no more events.
    sessions_.clear();
    // Destroyed inside one of its functions: that function is still running.
    lifetime_.retire(loop_, std::move(functions_));
}

Status Server::listen(const net::Address& where) {
    auto bound = net::TcpListener::bind(loop_, where);
    if (!bound) return bound.error();
    listener_.emplace(std::move(bound).value());
    return listener_->start(
        [this](std::unique_ptr<net::TcpConnection> connection) { accept(std::move(connection)); });
}

const net::Address& Server::local_address() const {
    LOOPLAB_ASSERT(listener_.has_value(), "local_address() before listen()");
    return listener_->local_address();
}

void Server::close() {
    if (listener_) listener_->stop();
    for (auto& [id, session] : sessions_) session->close();
}

void Server::accept(std::unique_ptr<net::TcpConnection> connection) {
    const std::uint64_t id = next_id_++;
    const bool is_full = sessions_.size() >= options_.max_connections;
    auto [slot, inserted] =
        sessions_.emplace(id, std::make_unique<Session>(*this, id, std::move(connection)));
    if (is_full) slot->second->reject_busy();
    else slot->second->start();
}

void Server::remove(std::uint64_t id) {
    // Called from the connection's own close listener: TcpConnection allows being destroyed there.
    const auto found = sessions_.find(id);
    if (found == sessions_.end()) return;
    std::unique_ptr<Session> session = std::move(found->second);
    sessions_.erase(found);
    Responder* const waiting = session->abandon();
    session.reset();
    // Last: its abandoned listeners may destroy the Responder, or this server.
    if (waiting != nullptr) waiting->disconnect(true);
}

void Server::hand_over(std::uint64_t id, Request request, std::string leftover) {
    const auto found = sessions_.find(id);
    if (found == sessions_.end()) return;   // closed in the meantime
    std::unique_ptr<net::TcpConnection> connection = found->second->release();
    sessions_.erase(found);
    if (!connection || connection->is_closed()) return;
    // The function may destroy this server: retire() then keeps it until the close phase.
    net::LifetimeFlag::Scope alive{lifetime_};
    functions_->take_upgrade(request, std::move(connection), std::move(leftover));
}

Response Server::default_answer(const Request& request) const {
    if (request.method != "GET" && request.method != "HEAD") {
        Response refused = Response::error(405);
        refused.set_header("Allow", "GET, HEAD");
        return refused;
    }
    if (options_.static_root.empty()) return Response::error(404);
    return serve_static(request);
}

Response Server::serve_static(const Request& request) const {
    const ResolvedPath resolved = resolve_static_path(options_.static_root, request.path());
    if (!resolved) return Response::error(status_for(*resolved.error));
    std::ifstream file{resolved.file, std::ios::binary};
    if (!file) return Response::error(404);
    file.seekg(0, std::ios::end);
    const auto size = static_cast<std::size_t>(file.tellg());
    if (size > kHttpMaxStaticFileBytes) {
        Response too_big{500};
        too_big.set_body("500: file larger than kHttpMaxStaticFileBytes\n",
                         "text/plain; charset=utf-8");
        return too_big;
    }
    file.seekg(0);
    std::string body(size, '\0');
    file.read(body.data(), static_cast<std::streamsize>(size));
    Response response{200};
    response.set_body(std::move(body), std::string{content_type_for(resolved.file)});
    response.set_header("Cache-Control", "no-cache");
    return response;
}

}   // namespace looplab::http
