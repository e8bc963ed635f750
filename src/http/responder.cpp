#include "looplab/http/responder.hpp"

namespace looplab::http {

Responder::~Responder() {
    if (pending_ != nullptr) {
        detail::PendingAnswer* const pending = std::exchange(pending_, nullptr);
        pending->responder = nullptr;
        pending->give_up();
    }
}

Responder::Responder(Responder&& other) noexcept { take_from(other); }

Responder& Responder::operator=(Responder&& other) noexcept {
    if (this != &other) {
        Responder dropped{std::move(*this)};   // an unanswered one we held answers 500
        take_from(other);
    }
    return *this;
}

void Responder::take_from(Responder& other) noexcept {
    pending_ = std::exchange(other.pending_, nullptr);
    on_abandoned_ = std::move(other.on_abandoned_);
    other.on_abandoned_ = nullptr;
    if (pending_ != nullptr) pending_->responder = this;
}

bool Responder::respond(Response response) {
    if (pending_ == nullptr) return false;
    detail::PendingAnswer* const pending = std::exchange(pending_, nullptr);
    pending->responder = nullptr;
    on_abandoned_ = nullptr;
    pending->deliver(std::move(response));
    return true;
}

void Responder::disconnect(bool notify) {
    pending_ = nullptr;
    // From a local: the listener may destroy this Responder.
    std::function<void()> listener = std::move(on_abandoned_);
    on_abandoned_ = nullptr;
    if (notify && listener) listener();
}

}   // namespace looplab::http
