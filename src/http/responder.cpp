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
    listeners_ = std::move(other.listeners_);
    if (pending_ != nullptr) pending_->responder = this;
}

bool Responder::respond(Response response) {
    if (pending_ == nullptr) return false;
    detail::PendingAnswer* const pending = std::exchange(pending_, nullptr);
    pending->responder = nullptr;
    listeners_.reset();
    pending->deliver(std::move(response));
    return true;
}

void Responder::disconnect(bool notify) {
    pending_ = nullptr;
    // Held by a local: a listener may destroy this Responder.
    const std::unique_ptr<Listeners> listeners = std::move(listeners_);
    if (notify && listeners) listeners->emit(events::abandoned);
}

Responder::Listeners& Responder::listeners() {
    if (!listeners_) listeners_ = std::make_unique<Listeners>();
    return *listeners_;
}

}   // namespace looplab::http
