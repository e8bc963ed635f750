// looplab/socketio/ack.cpp — answering the peer once, and the middlewares' next().
#include "looplab/socketio/ack.hpp"

#include "looplab/socketio/middleware.hpp"
#include "looplab/socketio/socket.hpp"

namespace looplab::socketio {

bool Ack::wanted() const {
    if (socket_ == nullptr || sent_flag()) return false;
    // A copy may outlive the socket object (then its alive token says so) or its connection.
    if (shared_ && !*shared_->socket_alive) return false;
    return socket_->connected();
}

Ack::Ack(const Ack& other) { share_with(other); }

Ack& Ack::operator=(const Ack& other) {
    if (this != &other) share_with(other);
    return *this;
}

// The first copy moves the "sent" state into a shared block that the original also uses from
// then on, so every copy sees one answer. The socket's alive token makes a late call safe.
void Ack::share_with(const Ack& other) {
    socket_ = other.socket_;
    id_ = other.id_;
    if (other.socket_ != nullptr && !other.shared_)
        other.shared_ =
            std::make_shared<Shared>(Shared{other.socket_->alive_token(), other.is_sent_});
    shared_ = other.shared_;
    is_sent_ = other.is_sent_;
}

void Ack::send(json::Array&& reply) const {
    sent_flag() = true;
    socket_->send_ack(id_, std::move(reply));
}

Next::Next(Resume resume) : state_(std::make_shared<State>(State{std::move(resume), false})) {}

void Next::operator()() const {
    if (state_->is_called) return;
    state_->is_called = true;
    state_->resume(std::nullopt);
}

void Next::operator()(MiddlewareError error) const {
    if (state_->is_called) return;
    state_->is_called = true;
    state_->resume(std::move(error));
}

}   // namespace looplab::socketio
