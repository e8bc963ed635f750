// looplab/engineio/server.cpp — routing: which requests are ours, the checks every request
// passes (request_check.hpp), the handshake over polling or WebSocket, and handing the rest
// to the session its sid names.
#include "looplab/engineio/server.hpp"

#include "looplab/engineio/cors.hpp"
#include "looplab/engineio/errors.hpp"
#include "looplab/engineio/open_packet.hpp"
#include "looplab/engineio/request_check.hpp"
#include "looplab/ws/handshake.hpp"
#include "server_core.hpp"

#include <fmt/format.h>

namespace looplab::engineio {

struct Server::Impl final : ServerCore {
    using ServerCore::ServerCore;
};

namespace {

// "/engine.io" and "/engine.io/" both mean the folder "/engine.io/".
std::string folder_path(std::string path) {
    if (path.empty() || path.back() != '/') path.push_back('/');
    return path;
}

http::Response not_found() { return http::Response::error(404); }

}   // namespace

Server::Server(loop::EventLoop& loop, ServerOptions options)
    : loop_(loop), options_(std::move(options)) {
    options_.path = folder_path(std::move(options_.path));
    impl_ = std::make_unique<Impl>(loop_, options_);
}

Server::~Server() = default;

void Server::set_listener(ServerListener& listener) { impl_->set_listener(listener); }

void Server::attach(http::Server& http) {
    // The HTTP server may outlive us: once we are gone, everything goes to what it had before.
    http.answer_later_with(
        [this, alive = impl_->alive_token(), previous = http.current_answer_later()](
            const http::Request& request, http::Responder& responder) {
            if (*alive && owns(request)) return handle_request(request, std::move(responder));
            return previous ? previous(request, responder) : false;
        });
    http.take_upgrades_with(
        [this, alive = impl_->alive_token(), previous = http.current_take_upgrade()](
            const http::Request& request, std::unique_ptr<net::TcpConnection> tcp,
            std::string leftover) {
            if (*alive && owns(request)) {
                handle_upgrade(request, std::move(tcp), std::move(leftover));
            } else if (previous) {
                previous(request, std::move(tcp), std::move(leftover));
            } else if (*alive) {   // nobody else takes upgrades: what the HTTP server would say
                tcp->send(not_found().set_header("Connection", "close").to_bytes());
                impl_->refused().close(std::move(tcp));   // kept until it has closed
            }   // else: we are gone, and so is the connection (dropped with `tcp`)
        });
}

bool Server::owns(const http::Request& request) const {
    return std::string_view{request.target}.starts_with(options_.path);
}

bool Server::handle_request(const http::Request& request, http::Responder responder) {
    if (!owns(request)) {   // answered all the same: a Responder given here is never dropped
        responder.respond(not_found());
        return true;
    }
    ServerCore& core = *impl_;
    const http::Headers cors = cors_headers(core.cors(), request.headers.find("Origin"));
    const auto refuse = [&](ErrorCode code) {
        http::Response response = error_response(code);
        add_headers(response, cors);
        responder.respond(std::move(response));
        return true;
    };
    if (is_preflight(core.cors(), request)) {
        responder.respond(preflight_response(core.cors(), request));
        return true;
    }

    const EngineQuery query = read_engine_query(request.target);
    SessionImpl* session = query.sid ? core.find_routable(*query.sid) : nullptr;
    if (session != nullptr && session->end_if_heartbeat_missed()) session = nullptr;
    RequestContext context{options_.allow_polling, options_.allow_websocket, false, std::nullopt};
    if (session != nullptr) context.session_transport = session->transport();
    if (const auto refused =
            check_request(query, request.method, request.headers.find("Origin"), context))
        return refuse(*refused);

    if (session == nullptr) {   // a handshake: GET ...&transport=polling without sid
        if (options_.allow_request && !options_.allow_request(request))
            return refuse(ErrorCode::Forbidden);
        if (core.is_full()) return refuse(ErrorCode::Forbidden);
        SessionImpl& opened = core.create_session(TransportKind::Polling, request, request.peer);
        http::Response response{200};
        // Appended, not "0" + json: g++ 12 at -O3 warns falsely (-Wrestrict) on that operator+.
        std::string open_packet = "0";
        open_packet += open_packet_json(
            opened.id(), options_.allow_upgrades && options_.allow_websocket, options_);
        response.set_body(std::move(open_packet), "text/plain; charset=UTF-8");
        add_headers(response, cors);
        if (!options_.cookie_name.empty())
            response.add_header("Set-Cookie", sid_cookie(options_.cookie_name, opened.id()));
        responder.respond(std::move(response));
        opened.start_heartbeat();
        (void)core.report_open(opened);   // last: the listener may destroy this server
        return true;
    }
    if (request.method == "GET") {
        session->on_poll(std::move(responder), cors);
    } else if (request.method == "POST") {
        responder.respond(session->on_data(request, cors));
    } else {
        return refuse(ErrorCode::BadRequest);
    }
    return true;
}

bool Server::handle_upgrade(const http::Request& request, std::unique_ptr<net::TcpConnection> tcp,
                            std::string leftover) {
    ServerCore& core = *impl_;
    if (!owns(request)) {
        tcp->send(not_found().set_header("Connection", "close").to_bytes());
        core.refused().close(std::move(tcp));
        return true;
    }
    const EngineQuery query = read_engine_query(request.target);
    SessionImpl* session = query.sid ? core.find_open(*query.sid) : nullptr;
    if (session != nullptr && session->end_if_heartbeat_missed()) session = nullptr;
    RequestContext context{options_.allow_polling, options_.allow_websocket,
                           ws::wants_websocket(request), std::nullopt};
    if (session != nullptr) context.session_transport = session->transport();
    std::optional<ErrorCode> refused =
        check_request(query, request.method, request.headers.find("Origin"), context);
    // An Upgrade to something else than a WebSocket, or a WebSocket for the polling transport.
    if (!refused && (!context.is_upgrade || query.transport != "websocket"))
        refused = ErrorCode::BadRequest;
    if (!refused && !query.sid && options_.allow_request && !options_.allow_request(request))
        refused = ErrorCode::Forbidden;
    if (!refused && !query.sid && core.is_full()) refused = ErrorCode::Forbidden;
    if (refused) {
        tcp->send(upgrade_refusal(*refused));
        core.refused().close(std::move(tcp));
        return true;
    }

    const ws::HandshakeOutcome outcome = ws::check_upgrade_request(request);
    if (const auto* rejected = std::get_if<ws::HandshakeRejected>(&outcome)) {
        tcp->send(ws::build_rejection_response(*rejected));
        core.refused().close(std::move(tcp));
        return true;
    }
    // A session that is a WebSocket from its first byte is made now: the cookie names it.
    SessionImpl* opened =
        query.sid ? nullptr
                  : &core.create_session(TransportKind::WebSocket, request, tcp->peer_address());
    std::string answer = ws::build_accept_response(std::get<ws::HandshakeAccepted>(outcome));
    if (opened != nullptr && !options_.cookie_name.empty()) {   // before the final blank line
        answer.insert(
            answer.size() - 2,
            fmt::format("Set-Cookie: {}\r\n", sid_cookie(options_.cookie_name, opened->id())));
    }
    tcp->send(answer);
    auto made = std::make_unique<ws::WebSocketConnection>(
        loop_, ws::Role::Server, std::move(tcp), std::move(leftover), core.web_socket_options());
    ws::WebSocketConnection& connection = *made;
    ws::WebSocket& socket = core.adopt(std::move(made));

    if (opened != nullptr) {
        opened->use_websocket(socket, open_packet_json(opened->id(), false, options_));
        opened->start_heartbeat();
        // Destroyed by the listener: the connection went with it.
        if (!core.report_open(*opened)) return true;
    } else if (session->may_upgrade()) {
        session->begin_upgrade(socket);
    } else {
        // Already upgraded, or an upgrade under way: a second WebSocket for one session. The
        // reference server accepts it, then closes it at once (and its suite expects that).
        core.close_socket(socket);
    }
    connection.start();   // frames that came with the request; may close (and free) it
    return true;
}

void Server::close_all() { impl_->close_all(); }

std::size_t Server::session_count() const { return impl_->session_count(); }

Session* Server::find(std::string_view sid) { return impl_->find_open(sid); }

}   // namespace looplab::engineio
