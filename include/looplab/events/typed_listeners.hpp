// looplab/events/typed_listeners.hpp
//
// TypedListeners — the listeners of one handle (a connection, a WebSocket, a server), for the
// events it declares: on(word, listener), once(word, listener), off(id), emit(word, args...).
// Teaches: Listener, Emit (notes 04-05) on the library's own objects. It is EventEmitter's
// bookkeeping (listener_registry.hpp: order, once, a listener removing itself mid-emit) with
// one difference: each event is declared with its own arguments, so every listener is checked
// when it compiles.
//
//     using ConnectionListeners = TypedListeners<Event<DataWord, ByteBuffer&>,
//                                                Event<CloseWord>>;
//     ConnectionListeners listeners;
//     listeners.on(data, [](ByteBuffer& input) { ... });   // checked: data carries ByteBuffer&
//     listeners.on(close, [] { ... });
//     listeners.on(message, ...);   // compile error: this handle has no "message" event
//     listeners.emit(data, input);
//
// Listeners receive the declared arguments as declared (`ByteBuffer&` lets a data listener
// consume input; `const Error&` is read-only; `std::size_t` is a copy).
//
// Contract: EventEmitter's (event_emitter.hpp), except that an "error" event with no listener
// is not thrown: a handle's error is followed by its "close", so it is never lost. silence()
// is for the handle's destructor: from then on nothing is called, not even the listeners left
// in an emit that is running (the one lifetime rule, include/looplab/README.md).
#pragma once

#include "looplab/events/listener_id.hpp"
#include "looplab/events/listener_registry.hpp"

#include <cstddef>
#include <functional>
#include <tuple>
#include <type_traits>
#include <utility>

namespace looplab::events {

// "This handle emits Word with these arguments."
template <typename Word, typename... Args>
struct Event {};

namespace detail {

// A listener with its arguments hidden: it gets a pointer to a std::tuple of them.
using ErasedListener = std::function<void(void* arguments)>;

// The Event<Word, Args...> of Events... whose word is Word (void if none).
template <typename Word, typename... Events>
struct FindEvent {
    using type = void;
};
template <typename Word, typename... Args, typename... Rest>
struct FindEvent<Word, Event<Word, Args...>, Rest...> {
    using type = Event<Word, Args...>;
};
template <typename Word, typename First, typename... Rest>
struct FindEvent<Word, First, Rest...> : FindEvent<Word, Rest...> {};

template <typename Declared>
struct EventArguments;
template <typename Word, typename... Args>
struct EventArguments<Event<Word, Args...>> {
    using Tuple = std::tuple<Args...>;

    template <typename F>
    static ErasedListener erase(F&& listener) {
        return [listener = std::forward<F>(listener)](void* arguments) mutable {
            std::apply(listener, *static_cast<Tuple*>(arguments));
        };
    }
};

// Whether F can listen to the declared event (false when the word is not declared: void).
template <typename F, typename Declared>
struct IsListenerFor : std::false_type {};
template <typename F, typename Word, typename... Args>
struct IsListenerFor<F, Event<Word, Args...>>
    : std::bool_constant<std::is_invocable_v<std::decay_t<F>&, Args&...>> {};

// Word is one of Events..., and F can take what it carries.
template <typename F, typename Word, typename... Events>
concept ListenerFor = IsListenerFor<F, typename FindEvent<Word, Events...>::type>::value;

}   // namespace detail

template <typename... Events>
class TypedListeners {
public:
    // Adds `listener` at the end of `word`'s list; the id is what off() takes. A word this
    // handle does not emit, or a listener that cannot take what the word carries, does not
    // compile: the error names detail::ListenerFor (see the handle's header for its events).
    template <typename Word, detail::ListenerFor<Word, Events...> F>
    ListenerId on(Word /*word*/, F&& listener) {
        return add<Word>(std::forward<F>(listener), detail::Times::EveryEmit);
    }

    // Like on(), but the listener is removed just before its first run.
    template <typename Word, detail::ListenerFor<Word, Events...> F>
    ListenerId once(Word /*word*/, F&& listener) {
        return add<Word>(std::forward<F>(listener), detail::Times::Once);
    }

    // True if a listener was removed; false for an unknown id or a once() that already ran.
    bool off(ListenerId id) { return registry_.remove(id); }

    template <typename Word>
    std::size_t listener_count(Word /*word*/) const {
        return registry_.count(Word::kName);
    }

    // Calls `word`'s listeners in order, with `args`; returns how many ran.
    template <typename Word, typename... A>
    std::size_t emit(Word /*word*/, A&&... args) {
        typename detail::EventArguments<Declared<Word>>::Tuple arguments{std::forward<A>(args)...};
        std::size_t ran = 0;
        registry_.run(Word::kName, [&](detail::ErasedListener& listener) {
            if (is_silenced_) return;
            ++ran;
            listener(&arguments);
        });
        return ran;
    }

    // Nothing is called any more (the handle that owns these listeners is gone).
    void silence() { is_silenced_ = true; }

private:
    template <typename Word>
    using Declared = typename detail::FindEvent<Word, Events...>::type;

    template <typename Word, typename F>
    ListenerId add(F&& listener, detail::Times times) {
        using Arguments = detail::EventArguments<Declared<Word>>;
        return registry_.add(Word::kName, Arguments::erase(std::forward<F>(listener)), times,
                             detail::Position::Last);
    }

    detail::ListenerRegistry<detail::ErasedListener> registry_;
    bool is_silenced_ = false;
};

// Gives a handle the listener words: on(), once(), off(). The handle (Handle derives from
// Listenable<Handle>, and befriends it) provides two members: `listeners()`, its
// TypedListeners, made on first use, and `existing_listeners()`, nullptr until then. A handle
// with no listeners thus costs nothing for them (a server's 10,000 sockets often have none).
template <typename Handle>
class Listenable {
public:
    template <typename Word, typename F>
    ListenerId on(Word word, F&& listener) {
        return handle().listeners().on(word, std::forward<F>(listener));
    }
    template <typename Word, typename F>
    ListenerId once(Word word, F&& listener) {
        return handle().listeners().once(word, std::forward<F>(listener));
    }
    bool off(ListenerId id) {
        auto* listeners = handle().existing_listeners();
        return listeners != nullptr && listeners->off(id);
    }
    template <typename Word>
    std::size_t listener_count(Word word) {
        auto* listeners = handle().existing_listeners();
        return listeners == nullptr ? 0 : listeners->listener_count(word);
    }

private:
    Handle& handle() { return static_cast<Handle&>(*this); }
};

}   // namespace looplab::events
