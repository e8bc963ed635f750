// looplab/events/any_emitter.hpp
//
// AnyEmitter — an EventEmitter whose events may each carry different argument types, closer to
// Node, where any event can carry anything. The price: types are checked when emit() runs, not
// when the program compiles.
// Teaches: Listener, Emit (lessons/04-listener); the contrast with EventEmitter<Args...> shows
// what a compile-time check buys.
//
//     looplab::events::AnyEmitter chat;
//     chat.on("join", [](const std::string& who) { fmt::print("{} joined\n", who); });
//     chat.on("typing", [](const std::string& who, bool is_typing) { ... });
//     chat.emit("join", "Ada");            // a string literal travels as std::string
//     chat.emit("join", 42);               // throws std::invalid_argument:
//     // event 'join': listener expects (std::string) but emit passed (int)
//
// Types: each listener's parameter types are read from its call operator when it is added
// (so it must be a lambda, function object or function pointer with concrete parameter types,
// not `auto`), and each must be taken by value or by const reference. emit() compares them,
// type by type and exactly (no conversions: an `int` does not reach a `long` listener), with
// the types of its arguments after turning `const char*`/string literals into std::string.
// Every listener in the snapshot is checked before any of them runs, so a mismatch throws
// std::invalid_argument and nobody has been called.
//
// Everything else — order, snapshot, once, prepend, off, "error", the max-listeners warning,
// exceptions — is exactly EventEmitter's contract (event_emitter.hpp).
#pragma once

#include "looplab/core/assert.hpp"
#include "looplab/events/listener_id.hpp"
#include "looplab/events/listener_registry.hpp"
#include "looplab/events/unhandled_error_event.hpp"

#include <array>
#include <cstddef>
#include <functional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

namespace looplab::events {

namespace detail {

// The parameter types of a listener, or the argument types of an emit, in order.
using Signature = std::span<const std::type_info* const>;

template <typename... Types>
Signature signature_of() {
    static const std::array<const std::type_info*, sizeof...(Types)> types{&typeid(Types)...};
    return types;
}

bool same_types(Signature a, Signature b);

// "event 'join': listener expects (std::string) but emit passed (int)"
std::string mismatch_message(std::string_view event, Signature expects, Signature passed);

template <typename... P>
struct TypeList {};

// The parameter list of a function type, a function pointer or a member call operator.
template <typename F>
struct CallableTraits;
template <typename R, typename... P>
struct CallableTraits<R(P...)> {
    using Params = TypeList<P...>;
};
template <typename R, typename... P>
struct CallableTraits<R(P...) noexcept> : CallableTraits<R(P...)> {};
template <typename R, typename... P>
struct CallableTraits<R (*)(P...)> : CallableTraits<R(P...)> {};
template <typename R, typename... P>
struct CallableTraits<R (*)(P...) noexcept> : CallableTraits<R(P...)> {};
template <typename C, typename R, typename... P>
struct CallableTraits<R (C::*)(P...)> : CallableTraits<R(P...)> {};
template <typename C, typename R, typename... P>
struct CallableTraits<R (C::*)(P...) const> : CallableTraits<R(P...)> {};
template <typename C, typename R, typename... P>
struct CallableTraits<R (C::*)(P...) noexcept> : CallableTraits<R(P...)> {};
template <typename C, typename R, typename... P>
struct CallableTraits<R (C::*)(P...) const noexcept> : CallableTraits<R(P...)> {};

// False for `auto` parameters: a template call operator has no one address.
template <typename F>
concept HasOneCallOperator = std::is_member_function_pointer_v<decltype(&F::operator())>;

template <typename F>
concept IsFunctionPointer = std::is_pointer_v<F> && std::is_function_v<std::remove_pointer_t<F>>;

template <typename F>
concept HasKnownParameters = HasOneCallOperator<F> || IsFunctionPointer<F>;

template <typename F>
struct ListenerTraits : CallableTraits<F> {};   // function pointers
template <HasOneCallOperator F>
struct ListenerTraits<F> : CallableTraits<decltype(&F::operator())> {};   // lambdas, functors

template <typename F>
using ParametersOf = typename ListenerTraits<F>::Params;

template <typename P>
inline constexpr bool kIsReadOnlyParameter =
    !std::is_reference_v<P> ||
    (std::is_lvalue_reference_v<P> && std::is_const_v<std::remove_reference_t<P>>);

struct AnyListener {
    Signature expects;
    std::function<void(const void* const* args)> call;   // args[i] points at a `const P_i`
};

template <typename... V, typename F, std::size_t... I>
void call_with(F& listener, [[maybe_unused]] const void* const* args, std::index_sequence<I...>) {
    listener(*static_cast<const V*>(args[I])...);
}

template <typename F, typename... P>
AnyListener to_any_listener(F listener, TypeList<P...>) {
    static_assert((kIsReadOnlyParameter<P> && ...),
                  "AnyEmitter listeners take each argument by value or by const reference");
    return AnyListener{signature_of<std::remove_cvref_t<P>...>(),
                       [listener = std::move(listener)](const void* const* args) mutable {
                           call_with<std::remove_cvref_t<P>...>(listener, args,
                                                                std::index_sequence_for<P...>{});
                       }};
}

// What an emit() argument travels as: C strings become std::string, the rest go by reference.
template <typename A>
decltype(auto) as_event_value(A&& arg) {
    using Decayed = std::decay_t<A>;
    constexpr bool is_c_string =
        std::is_same_v<Decayed, const char*> || std::is_same_v<Decayed, char*>;
    if constexpr (is_c_string && std::is_array_v<std::remove_reference_t<A>>)
        return std::string{arg};   // a literal, "Ada"
    else if constexpr (is_c_string) return arg == nullptr ? std::string{} : std::string{arg};
    else return static_cast<const std::remove_reference_t<A>&>(arg);
}

}   // namespace detail

class AnyEmitter {
public:
    // Adds `listener` at the end of `name`'s list; the id is what off() takes.
    template <typename F>
    ListenerId on(std::string_view name, F listener) {
        return registry_.add(name, to_listener(std::move(listener)), detail::Times::EveryEmit,
                             detail::Position::Last);
    }

    // Like on(), but the listener is removed just before its first run.
    template <typename F>
    ListenerId once(std::string_view name, F listener) {
        return registry_.add(name, to_listener(std::move(listener)), detail::Times::Once,
                             detail::Position::Last);
    }

    // Like on(), but the listener goes first in the list.
    template <typename F>
    ListenerId prepend(std::string_view name, F listener) {
        return registry_.add(name, to_listener(std::move(listener)), detail::Times::EveryEmit,
                             detail::Position::First);
    }

    // First in the list and removed just before its first run.
    template <typename F>
    ListenerId prepend_once(std::string_view name, F listener) {
        return registry_.add(name, to_listener(std::move(listener)), detail::Times::Once,
                             detail::Position::First);
    }

    // True if a listener was removed; false for an unknown id or a once() that already ran.
    bool off(ListenerId id) { return registry_.remove(id); }

    void remove_all(std::string_view name) { registry_.remove_all(name); }
    void remove_all() { registry_.remove_all(); }

    // Checks every listener's parameter types against `args`, then calls them in order.
    // Returns true if at least one listener ran.
    template <typename... A>
    bool emit(std::string_view name, A&&... args) {
        return emit_values(name, detail::as_event_value(std::forward<A>(args))...);
    }

    std::size_t listener_count(std::string_view name) const { return registry_.count(name); }
    std::vector<std::string> event_names() const { return registry_.names(); }

    void set_max_listeners(std::size_t max) { registry_.set_max_listeners(max); }
    std::size_t max_listeners() const { return registry_.max_listeners(); }
    void set_warning_sink(WarningSink sink) { registry_.set_warning_sink(std::move(sink)); }

private:
    template <typename F>
    static detail::AnyListener to_listener(F listener) {
        static_assert(detail::HasKnownParameters<F>,
                      "AnyEmitter needs a listener whose parameter types can be read: a lambda "
                      "with concrete types (not `auto`), a function object with one operator(), "
                      "or a function pointer");
        if constexpr (std::is_pointer_v<F>)
            LOOPLAB_ASSERT(listener != nullptr, "on()/once() was given a null function pointer");
        return detail::to_any_listener(std::move(listener), detail::ParametersOf<F>{});
    }

    template <typename... V>
    bool emit_values(std::string_view name, const V&... values) {
        const detail::Signature passed = detail::signature_of<V...>();
        registry_.for_each(name, [&](const detail::AnyListener& listener) {
            if (!detail::same_types(listener.expects, passed))
                throw std::invalid_argument{
                    detail::mismatch_message(name, listener.expects, passed)};
        });
        const std::array<const void*, sizeof...(V)> args{static_cast<const void*>(&values)...};
        const std::size_t ran = registry_.run(
            name, [&](const detail::AnyListener& listener) { listener.call(args.data()); });
        if (ran == 0 && name == kErrorEvent)
            throw UnhandledErrorEvent{detail::error_text(values...)};
        return ran > 0;
    }

    detail::ListenerRegistry<detail::AnyListener> registry_;
};

}   // namespace looplab::events
