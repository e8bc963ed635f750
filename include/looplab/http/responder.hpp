// looplab/http/responder.hpp
//
// Responder — the right to answer one HTTP request, now or later. A handler that cannot answer
// at once (a long-polling GET waits until there is something to send) keeps the Responder and
// calls respond() when it can; the connection waits, and requests pipelined behind this one
// wait too, so answers leave in the order the requests came.
// Teaches: deferred work on an event loop: nothing blocks while the answer is pending, the
// loop serves everyone else, and the answer is just a later callback.
//
//     http.answer_later_with([&](const http::Request& request, http::Responder& responder) {
//         if (request.path() != "/wait") return false;         // not mine: pass it on
//         held = std::move(responder);                         // answer later
//         held.on(events::abandoned, [&] { fmt::print("client left\n"); });
//         return true;
//     });
//     ...
//     held.respond(http::Response{200}.set_body("done", "text/plain"));
//
// Rules:
//   - respond() once; later calls do nothing and return false.
//   - If the client's connection closes first, the events::abandoned listeners run (once, in
//     the loop's close phase, not inside one of your calls); respond() then returns false.
//   - Destroying a Responder that was never answered, while its client is still there,
//     answers 500 and closes that connection: a forgotten request never hangs a client.
//   - If the HTTP server is destroyed first, the Responder simply becomes disconnected.
//
// Contract: loop thread only. Move-only.
#pragma once

#include "looplab/events/event_words.hpp"
#include "looplab/events/typed_listeners.hpp"
#include "looplab/http/response.hpp"

#include <functional>
#include <memory>
#include <utility>

namespace looplab::http {

class Responder;

namespace detail {
// The connection's side of a Responder (implemented by the HTTP server's connection).
class PendingAnswer {
public:
    virtual void deliver(Response response) = 0;
    virtual void give_up() = 0;   // the Responder was destroyed without an answer
    Responder* responder = nullptr;

protected:
    PendingAnswer() = default;
    PendingAnswer(const PendingAnswer&) = delete;
    PendingAnswer& operator=(const PendingAnswer&) = delete;
    ~PendingAnswer() = default;
};
}   // namespace detail

class Responder : public events::Listenable<Responder> {
public:
    Responder() = default;   // holds no request: respond() returns false
    ~Responder();
    Responder(Responder&& other) noexcept;
    Responder& operator=(Responder&& other) noexcept;
    Responder(const Responder&) = delete;
    Responder& operator=(const Responder&) = delete;

    // Sends the answer. False when there is nobody to answer: already answered, the client
    // went away, or an empty Responder.
    bool respond(Response response);

    // True while the request waits for its answer and its client is still connected.
    bool is_pending() const { return pending_ != nullptr; }

    // Listen with on(events::abandoned, listener) (events::Listenable): it runs once if the
    // connection closes before respond().
    using Listeners = events::TypedListeners<events::Event<events::AbandonedWord>>;

    // ---- for the HTTP server ---------------------------------------------------------------
    explicit Responder(detail::PendingAnswer& pending) : pending_(&pending) {
        pending.responder = this;
    }
    // The connection is gone: forget it; `notify` runs the abandoned listeners.
    void disconnect(bool notify);

private:
    friend class events::Listenable<Responder>;
    Listeners& listeners();
    Listeners* existing_listeners() { return listeners_.get(); }
    void take_from(Responder& other) noexcept;

    detail::PendingAnswer* pending_ = nullptr;
    std::unique_ptr<Listeners> listeners_;   // made by the first on()
};

}   // namespace looplab::http
