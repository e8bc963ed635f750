// looplab/events/event_emitter.hpp
//
// EventEmitter — named events, each with a list of listeners; emit(name, args...) calls them.
// Teaches: Listener, Emit / Raise / Trigger (lessons/04-listener, lessons/05-emit-raise-trigger).
// Read: notes/04-listener.md, notes/05-emit-raise-trigger.md. It is the Observer Pattern
// (subject.hpp) with a name on each notification and the data in the call's arguments.
//
//     looplab::events::EventEmitter<std::string> door;
//     door.on("knock", [](const std::string& who) { fmt::print("hello, {}\n", who); });
//     door.once("knock", [](const std::string&) { fmt::print("(only the first knock)\n"); });
//     door.emit("knock", "Ada");     // both listeners run now, inside this call, in order
//     door.emit("knock", "Grace");   // the once-listener is gone
//
// Types: every event of one emitter carries the same arguments, `Args...`, so a listener that
// cannot take them is a compile error at on(), never a surprise at emit(). Listeners receive
// `const Args&...`. When events need different arguments, use one emitter per signature, or
// AnyEmitter (any_emitter.hpp), which checks the types at run time instead.
//
// Contract — Node's EventEmitter semantics (notes: PROTOCOLS.md §6):
// - emit() is a plain, synchronous call: listeners run on the caller's stack before it returns,
//   in the order they were added (prepend() puts one first). Nothing is queued.
// - emit() works on a snapshot of the list taken when it starts. Listeners added during an emit
//   first run at the next emit. A listener removed during an emit that comes later in the
//   snapshot still runs in this emit, as in Node; it is gone from the next emit on.
// - A once() listener is removed just before it runs, so an emit from inside it (or from an
//   earlier listener of the same emit) cannot run it twice.
// - An exception thrown by a listener leaves emit() at once; the later listeners do not run.
// - emit("error", ...) with no "error" listener throws UnhandledErrorEvent carrying the error's
//   text (unhandled_error_event.hpp). Errors are never silently lost.
// - More than max_listeners() listeners on one name prints one warning for that name
//   (kEmitterDefaultMaxListeners, 0 = never); nothing is refused.
// - The same listener may be added twice and then runs twice; off() removes by id, not by
//   function, because C++ lambdas cannot be compared.
// - Not in looplab: Node's "newListener"/"removeListener" events, errorMonitor,
//   captureRejections, and `this` inside a listener (capture what you need instead).
// - One thread only (the loop's). Do not destroy or move an emitter from inside one of its own
//   listeners. A handle that owns emitters and may be destroyed inside their listeners keeps
//   them on the heap; its destructor calls silence() (from then on nothing is called, not even
//   the listeners left in an emit that is running) and hands them to LifetimeFlag::retire()
//   (the one lifetime rule, include/looplab/README.md).
#pragma once

#include "looplab/core/assert.hpp"
#include "looplab/events/listener_id.hpp"
#include "looplab/events/listener_registry.hpp"
#include "looplab/events/unhandled_error_event.hpp"

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace looplab::events {

template <typename... Args>
class EventEmitter {
public:
    using Listener = std::function<void(const Args&...)>;

    // Adds `listener` at the end of `name`'s list; the id is what off() takes.
    template <typename F>
    ListenerId on(std::string_view name, F&& listener) {
        return registry_.add(name, to_listener(std::forward<F>(listener)), detail::Times::EveryEmit,
                             detail::Position::Last);
    }

    // Like on(), but the listener is removed just before its first run.
    template <typename F>
    ListenerId once(std::string_view name, F&& listener) {
        return registry_.add(name, to_listener(std::forward<F>(listener)), detail::Times::Once,
                             detail::Position::Last);
    }

    // Like on(), but the listener goes first in the list (Node's prependListener).
    template <typename F>
    ListenerId prepend(std::string_view name, F&& listener) {
        return registry_.add(name, to_listener(std::forward<F>(listener)), detail::Times::EveryEmit,
                             detail::Position::First);
    }

    // First in the list and removed just before its first run (Node's prependOnceListener).
    template <typename F>
    ListenerId prepend_once(std::string_view name, F&& listener) {
        return registry_.add(name, to_listener(std::forward<F>(listener)), detail::Times::Once,
                             detail::Position::First);
    }

    // True if a listener was removed; false for an unknown id or a once() that already ran.
    bool off(ListenerId id) { return registry_.remove(id); }

    void remove_all(std::string_view name) { registry_.remove_all(name); }
    void remove_all() { registry_.remove_all(); }

    // Calls every listener of `name` with `args`, now, in order (see the contract above).
    // Returns true if at least one listener ran.
    bool emit(std::string_view name, const Args&... args) {
        if (is_silenced_) return false;
        std::size_t ran = 0;
        registry_.run(name, [&](const Listener& listener) {
            if (is_silenced_) return;   // its owner was destroyed by an earlier listener
            ++ran;
            listener(args...);
        });
        if (ran == 0 && name == kErrorEvent) throw UnhandledErrorEvent{detail::error_text(args...)};
        return ran > 0;
    }

    // Nothing is called any more (the handle that owns this emitter is gone; see above).
    void silence() { is_silenced_ = true; }

    std::size_t listener_count(std::string_view name) const { return registry_.count(name); }

    // Names that have listeners now, in the order they got their first one. A name whose
    // listeners were all removed disappears, and goes last if it comes back (as in Node).
    std::vector<std::string> event_names() const { return registry_.names(); }

    // 0 = no warning, ever. Only later additions are checked against a new limit.
    void set_max_listeners(std::size_t max) { registry_.set_max_listeners(max); }
    std::size_t max_listeners() const { return registry_.max_listeners(); }

    // Where the max-listeners warning goes (stderr by default); an empty sink drops it.
    void set_warning_sink(WarningSink sink) { registry_.set_warning_sink(std::move(sink)); }

private:
    template <typename F>
    static Listener to_listener(F&& listener) {
        static_assert(std::is_invocable_v<std::decay_t<F>&, const Args&...>,
                      "this listener cannot be called with the emitter's argument types "
                      "(it receives const Args&... of EventEmitter<Args...>)");
        Listener wrapped{std::forward<F>(listener)};
        LOOPLAB_ASSERT(wrapped, "on()/once() was given an empty function; pass a callable");
        return wrapped;
    }

    detail::ListenerRegistry<Listener> registry_;
    bool is_silenced_ = false;
};

}   // namespace looplab::events
