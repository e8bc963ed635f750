// src/http/server_session.hpp — one connection of http::Server: its parser, its deadline,
// the answer it waits for. Private to the server (server.cpp owns the sessions).
#pragma once

#include "looplab/http/server.hpp"

#include "looplab/core/assert.hpp"
#include "looplab/trace/call_stack.hpp"

#include <vector>

namespace looplab::http {

// One HTTP connection: its parser, its one timer (header or idle deadline), and at most one
// request whose answer is pending (a Responder points here meanwhile).
class Server::Session final : private detail::PendingAnswer {
public:
    Session(Server& server, std::uint64_t id, std::unique_ptr<net::TcpConnection> connection)
        : server_(server), id_(id), connection_(std::move(connection)) {}

    ~Session() {
        cancel_timer();
        if (responder != nullptr) responder->disconnect(false);
    }

    void start() {
        listening_.push_back(
            connection_->on(events::data, [this](net::ByteBuffer& input) { on_data(input); }));
        listening_.push_back(connection_->on(events::close, [this] { server_.remove(id_); }));
        if (!connection_->start()) {
            server_.loop_.post_soon(
                [&server = server_, id = id_, alive = server_.lifetime_.alive_token()] {
                    if (*alive) server.remove(id);
                });
            return;
        }
        arm(Deadline::Header);   // a client that connects must start a request in time
    }

    void reject_busy() {
        connection_->on(events::close, [this] { server_.remove(id_); });
        if (!connection_->start()) return;
        send_and_close(Response::error(503));
    }

    void close() { connection_->close(); }
    // The connection leaves with none of our listeners: its new owner hears everything.
    std::unique_ptr<net::TcpConnection> release() {
        for (const events::ListenerId id : listening_) connection_->off(id);
        return std::move(connection_);
    }

    // The connection closed: the Responder of a request still waiting for its answer, which
    // the caller tells (Responder::disconnect(true)) once this session is gone.
    Responder* abandon() { return std::exchange(responder, nullptr); }

    // Bytes that arrived while an answer was pending, now that it left.
    void resume() {
        if (is_done_ || is_waiting_ || !waiting_input_) return;
        const std::unique_ptr<std::string> bytes = std::move(waiting_input_);
        if (is_paused_) {
            is_paused_ = false;
            connection_->resume_reading();
        }
        net::LifetimeFlag::Scope alive{server_.lifetime_};
        const std::string_view rest = handle(*bytes, alive);
        if (alive.was_destroyed()) return;   // a function destroyed the server, and us with it
        keep_waiting_input(rest);
    }

private:
    enum class Deadline { None, Header, Idle };

    void on_data(net::ByteBuffer& input) {
        LOOPLAB_TRACE_SCOPE("http::Server::on_data", "{} bytes", input.size());
        const std::string_view bytes = input.readable_text();
        if (is_done_) {
            // answered for the last time: what follows is ignored
        } else if (is_waiting_ || waiting_input_) {
            keep_waiting_input(bytes);   // behind a pending answer: requests stay in order
        } else {
            // The server's functions run in here: one may destroy the server.
            net::LifetimeFlag::Scope alive{server_.lifetime_};
            const std::string_view rest = handle(bytes, alive);
            // Gone with the server: this session, its connection and `input` (the connection's).
            if (alive.was_destroyed()) return;
            keep_waiting_input(rest);
        }
        input.consume(bytes.size());
    }

    // Parses and answers requests until the bytes run out, the connection is done, or an
    // answer is pending; returns the bytes not used (empty unless an answer is pending).
    // Returns at once, touching nothing, when a function destroyed the server (`alive`).
    std::string_view handle(std::string_view bytes, const net::LifetimeFlag::Scope& alive) {
        is_handling_ = true;
        while (!bytes.empty() && !is_done_ && !is_waiting_) {
            RequestParser::Step step = parser_.feed(bytes);
            if (step.error) {
                send_and_close(Response::error(status_for(*step.error)));
                break;
            }
            bytes.remove_prefix(step.consumed);
            if (!step.request) break;
            step.request->peer = connection_->peer_address();
            if (step.request->headers.contains("Upgrade") && server_.functions_->take_upgrade) {
                // The bytes after the request are the new protocol's: keep them.
                is_done_ = true;
                cancel_timer();
                std::string leftover{bytes};
                server_.loop_.post_soon(
                    [&server = server_, id = id_, alive = server_.lifetime_.alive_token(),
                     request = std::move(*step.request), leftover = std::move(leftover)]() mutable {
                        if (*alive) server.hand_over(id, std::move(request), std::move(leftover));
                    });
                bytes = {};
                break;
            }
            respond(*step.request, alive);
            if (alive.was_destroyed()) return {};
        }
        is_handling_ = false;
        if (is_done_) return {};
        if (!is_waiting_)
            arm(parser_.state() == ParserState::WaitingForRequest ? Deadline::Idle
                                                                  : Deadline::Header);
        return bytes;
    }

    void keep_waiting_input(std::string_view bytes) {
        if (bytes.empty() || is_done_) return;
        if (!waiting_input_) waiting_input_ = std::make_unique<std::string>();
        waiting_input_->append(bytes);
        if (waiting_input_->size() > kHttpMaxWaitingInput && !is_paused_) {
            is_paused_ = true;   // TCP makes the client wait; nothing more is buffered here
            connection_->pause_reading();
        }
    }

    void respond(const Request& request, const net::LifetimeFlag::Scope& alive) {
        // Kept alive by LifetimeFlag::retire while a function runs, even if it destroys the server.
        const Functions& functions = *server_.functions_;
        if (functions.answer_later) {
            waiting_is_head_ = request.method == "HEAD";
            waiting_keeps_alive_ = request.keeps_alive();
            is_waiting_ = true;
            cancel_timer();   // no idle deadline while the answer is pending
            bool is_taken = false;
            {
                Responder answer{*this};
                is_taken = functions.answer_later(request, answer);
                // Destroyed: the session disconnected `answer`, whose destructor does nothing.
                if (alive.was_destroyed()) return;
                if (!is_taken) {
                    LOOPLAB_ASSERT(answer.is_pending(),
                                   "an AnswerLater that returns false must leave its "
                                   "Responder alone (not answer it, not move it)");
                    answer.disconnect(false);
                    responder = nullptr;
                    is_waiting_ = false;
                }
            }   // taken but left here unanswered: the Responder's destructor answers 500
            if (is_taken) return;
        }
        std::optional<Response> answered;
        if (functions.answer) {
            answered = functions.answer(request);
            if (alive.was_destroyed()) return;   // no answer: the connection went with the server
        }
        send_response(answered ? std::move(*answered) : server_.default_answer(request),
                      request.method == "HEAD", request.keeps_alive());
    }

    void send_response(Response response, bool is_head, bool keeps_alive) {
        const bool keep_alive = keeps_alive && response.status() < 400;
        if (!keep_alive) response.set_header("Connection", "close");
        connection_->send(is_head ? response.to_bytes_for_head() : response.to_bytes());
        if (!keep_alive) {
            is_done_ = true;
            cancel_timer();
            connection_->close();
        }
    }

    // detail::PendingAnswer: what the Responder tells us.
    void deliver(Response response) override {
        responder = nullptr;
        is_waiting_ = false;
        send_response(std::move(response), waiting_is_head_, waiting_keeps_alive_);
        if (is_done_ || is_handling_) return;   // handle() goes on by itself
        if (waiting_input_) {
            server_.loop_.post_soon([&server = server_, id = id_,
                                     alive = server_.lifetime_.alive_token()] {
                if (!*alive) return;   // the server was destroyed in the meantime
                if (const auto found = server.sessions_.find(id); found != server.sessions_.end())
                    found->second->resume();
            });
        } else {
            arm(Deadline::Idle);
        }
    }

    void give_up() override {
        responder = nullptr;
        is_waiting_ = false;
        if (!is_done_) send_and_close(Response::error(500));
    }

    void send_and_close(Response response) {
        response.set_header("Connection", "close");
        connection_->send(response.to_bytes());
        is_done_ = true;
        cancel_timer();
        connection_->close();
    }

    // The header deadline is NOT moved by each byte: a client that trickles one byte a
    // second (slowloris) still has only kHttpHeaderTimeout for the whole head.
    void arm(Deadline deadline) {
        if (deadline == deadline_) return;
        cancel_timer();
        deadline_ = deadline;
        const Millis delay = deadline == Deadline::Header ? server_.options_.header_timeout
                                                          : server_.options_.idle_timeout;
        timer_ = server_.loop_.set_timeout(delay, [this, deadline] {
            timer_.reset();
            deadline_ = Deadline::None;
            if (deadline == Deadline::Header) {
                send_and_close(Response::error(408));
            } else {
                is_done_ = true;
                connection_->close();
            }
        });
    }

    void cancel_timer() {
        if (timer_) server_.loop_.cancel_timer(*timer_);
        timer_.reset();
        deadline_ = Deadline::None;
    }

    Server& server_;
    std::uint64_t id_;
    std::vector<events::ListenerId> listening_;   // ours on connection_, removed by release()
    std::unique_ptr<net::TcpConnection> connection_;
    RequestParser parser_;
    std::optional<loop::TimerId> timer_;
    std::unique_ptr<std::string> waiting_input_;   // requests behind a pending answer
    Deadline deadline_ = Deadline::None;
    bool is_done_ = false;       // answered for the last time, or handed over
    bool is_waiting_ = false;    // a Responder holds the current request
    bool is_handling_ = false;   // inside handle(): it goes on after an answer by itself
    bool is_paused_ = false;     // reading paused: too much input behind a pending answer
    bool waiting_is_head_ = false;
    bool waiting_keeps_alive_ = true;
};

}   // namespace looplab::http
