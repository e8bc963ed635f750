// looplab/engineio/polling_transport.cpp — HTTP long-polling: the held GET that carries what
// the server sends, the POST that carries what the client sends.
//
//     GET  ?EIO=4&transport=polling&sid=S   held until a packet is queued (a ping at the
//                                           latest), answered "4hello\x1e2" (text/plain)
//     POST ?EIO=4&transport=polling&sid=S   body "4hi\x1e3", answered "ok" (text/html)
//
// One GET at a time: a second one while one is held is answered 400 and ends the session
// (the held one gets "1"), as the reference server does. POSTs need no such rule here: the
// HTTP server hands us a POST only with its whole body, and we handle it at once.
#include "session_impl.hpp"

#include "looplab/engineio/cors.hpp"
#include "looplab/engineio/errors.hpp"
#include "server_core.hpp"

#include <fmt/format.h>

namespace looplab::engineio {

namespace {

constexpr std::string_view kPayloadContentType = "text/plain; charset=UTF-8";

}   // namespace

void SessionImpl::on_poll(http::Responder responder, http::Headers cors) {
    if (is_draining_) {   // closed by us: this GET takes what was left, and the "1"
        hold_get(std::move(responder), std::move(cors));
        answer_poll(take_payload());
        finish_transport();
        return;
    }
    if (has_held_get()) {
        http::Response refused = error_response(ErrorCode::BadRequest);
        add_headers(refused, cors);
        responder.respond(std::move(refused));
        end(CloseReason::TransportError, "a second GET while one was held (overlap from client)");
        return;
    }
    hold_get(std::move(responder), std::move(cors));
    polling_->held->responder.on(events::abandoned, [this] {
        end(CloseReason::TransportError, "poll connection closed prematurely");
    });
    if (!polling_->queue.empty()) {
        flush_poll();
    } else if (is_probed_) {
        // An upgrade is under way: polling must end, so this GET is released at once.
        std::string noop;
        append_to_payload(noop, Packet{PacketType::Noop, {}, false});
        answer_poll(std::move(noop));
    }
}

http::Response SessionImpl::on_data(const http::Request& request, const http::Headers& cors) {
    const auto answer = [&](http::Response response) {
        add_headers(response, cors);
        return response;
    };
    if (state_ != State::Open) return answer(http::Response{200}.set_body("ok", "text/html"));
    if (request.body.size() > server_.options().max_payload) {
        end(CloseReason::TransportError,
            fmt::format("a POST of {} bytes, over maxPayload ({})", request.body.size(),
                        server_.options().max_payload));
        return answer(http::Response::error(413));
    }
    if (request.headers.find("Content-Type") == "application/octet-stream") {
        // v4 sends binary as 'b' + base64 text; a binary body is a v3 client or garbage.
        end(CloseReason::TransportError, "invalid content (an application/octet-stream POST)");
        return answer(error_response(ErrorCode::BadRequest));
    }
    PayloadReader reader{request.body};
    while (state_ == State::Open) {   // a close packet, or a listener's close(), stops it
        auto next = reader.next();
        if (!next) {
            // The packets before the bad one were delivered, as by the reference server.
            end(CloseReason::ParseError, next.error().message());
            return answer(error_response(ErrorCode::BadRequest));
        }
        if (!*next) break;
        // Destroyed with the server: the rest of the body is not read, `cors` is the caller's.
        if (!on_packet(**next)) return answer(http::Response{200}.set_body("ok", "text/html"));
    }
    return answer(http::Response{200}.set_body("ok", "text/html"));
}

void SessionImpl::schedule_flush() {
    if (is_flush_posted_ || !has_held_get()) return;
    // In the loop's "next" phase: what this turn sends (every event of it) leaves in one
    // answer. (Not post_soon: a send from outside any callback would wait for the next one.)
    is_flush_posted_ = true;
    server_.loop().post_next([this, alive = lifetime_.alive_token()] {
        if (!*alive) return;
        is_flush_posted_ = false;
        if (state_ == State::Open) flush_poll();
    });
}

void SessionImpl::flush_poll() {
    if (!has_held_get() || polling_->queue.empty()) return;
    answer_poll(take_payload());
}

std::string SessionImpl::take_payload() {
    std::string body;
    std::vector<Packet>& queue = polling_->queue;
    body.reserve(polling_->queued_bytes + queue.size() * 2);
    for (const Packet& packet : queue) append_to_payload(body, packet);
    queue.clear();
    polling_->queued_bytes = 0;
    return body;
}

void SessionImpl::answer_poll(std::string body) {
    http::Response response{200};
    response.set_body(std::move(body), std::string{kPayloadContentType});
    const std::unique_ptr<HeldPoll> held = std::move(polling_->held);   // answered: its memory goes
    add_headers(response, held->cors);
    (void)held->responder.respond(std::move(response));
}

}   // namespace looplab::engineio
