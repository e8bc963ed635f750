// looplab/socketio/args.hpp
//
// Args — the arguments of one Socket.IO event, as a listener receives them: a read-only view
// of the JSON values after the event name. `42["chat","hi",3]` reaches a "chat" listener as
// Args{"hi", 3}. Teaches: lesson 18 (an event's name and arguments travel as one JSON array).
//
//     s.on("chat", [](const socketio::Args& args) {
//         if (args[0].is_string()) fmt::print("{}\n", args[0].as_string());
//     });
//
// Bad input is not a crash: args[i] past the end gives a null Value (like `undefined` in
// JavaScript), because the peer decides how many arguments arrive. Check args.size() or the
// Value's type when it matters.
//
// Contract: a view. It borrows the packet's values, which live until the listener returns;
// copy what you keep (to_array(), or copy a Value).
#pragma once

#include "looplab/codec/json.hpp"
#include "looplab/core/clock.hpp"

#include <chrono>
#include <cstddef>
#include <span>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace looplab::socketio {

namespace json = codec::json;

class Args {
public:
    Args() = default;
    explicit Args(std::span<const json::Value> values) : values_(values) {}
    explicit Args(const json::Array& values) : values_(values) {}

    std::size_t size() const { return values_.size(); }
    bool empty() const { return values_.empty(); }
    // The value at `index`, or a null Value when the peer sent fewer arguments.
    const json::Value& operator[](std::size_t index) const;
    const json::Value& operator[](int index) const {
        return (*this)[static_cast<std::size_t>(index)];
    }

    const json::Value* begin() const { return values_.data(); }
    const json::Value* end() const { return values_.data() + values_.size(); }
    std::span<const json::Value> values() const { return values_; }

    // A copy to keep after the listener returns (or to send on: emit("x", args.to_array())
    // sends ONE argument, the array; to forward them one by one, emit them one by one).
    json::Array to_array() const { return json::Array(values_.begin(), values_.end()); }

private:
    std::span<const json::Value> values_;
};

namespace detail {

// Emptied json::Arrays kept for the next emit: building an event's `[name, args...]` array
// then allocates no vector once the pool is warm. Taken and given back by move, so an emit
// from inside another emit's listener simply takes a second array.
class ArrayPool {
public:
    json::Array take();
    void give_back(json::Array&& array);

private:
    std::vector<json::Array> free_;
};

// An event listener as a Socket keeps it, taking (const Args&, const AckType&): one that takes
// (const Args&) or () is wrapped. Shared by the server's and the client's Socket.
template <typename AckType, typename F>
auto as_event_listener(F&& listener) {
    using Fn = std::decay_t<F>;
    if constexpr (std::is_invocable_v<Fn&, const Args&, const AckType&>) {
        return Fn(std::forward<F>(listener));
    } else if constexpr (std::is_invocable_v<Fn&, const Args&>) {
        return [f = Fn(std::forward<F>(listener))](const Args& args, const AckType&) mutable {
            f(args);
        };
    } else {
        static_assert(std::is_invocable_v<Fn&>,
                      "a Socket listener takes (const Args&, const Ack&), (const Args&) or ()");
        return [f = Fn(std::forward<F>(listener))](const Args&, const AckType&) mutable { f(); };
    }
}

// Appends each argument of an emit() to `data` as a json::Value, in order.
template <typename... A>
void append_args(json::Array& data, A&&... args) {
    (data.emplace_back(std::forward<A>(args)), ...);
}

// Appends the first N elements of `pack` (a std::forward_as_tuple of an emit's arguments) to
// `data`, each moved out of it: the arguments before the timeout or callback that end the call.
template <std::size_t N, typename Tuple>
void append_first(json::Array& data, Tuple& pack) {
    const auto append = [&]<std::size_t... I>(std::index_sequence<I...>) {
        (data.emplace_back(std::get<I>(std::move(pack))), ...);
    };
    append(std::make_index_sequence<N>{});
}

// emit_with_ack(event, args..., timeout, callback) takes its timeout and callback last, which
// a C++ parameter pack cannot: this appends the first sizeof...(A) - 2 arguments to `data` and
// returns the timeout and the callback (as a Callback). Shared by the server's and the
// client's Socket.
template <typename Callback, typename... A>
std::pair<Millis, Callback> append_args_then_take_ack(json::Array& data, A&&... all) {
    static_assert(sizeof...(A) >= 2, "emit_with_ack(event, args..., timeout, callback)");
    constexpr std::size_t kArgs = sizeof...(A) - 2;
    auto pack = std::forward_as_tuple(std::forward<A>(all)...);
    append_first<kArgs>(data, pack);
    return {std::chrono::duration_cast<Millis>(std::get<kArgs>(pack)),
            Callback(std::get<kArgs + 1>(std::move(pack)))};
}

// Most arrays the pool keeps; more are freed. Nesting deeper than this is rare.
inline constexpr std::size_t kSioPooledArrays = 8;
// Arrays that grew beyond this many elements are freed, not kept.
inline constexpr std::size_t kSioPooledArrayMaxCapacity = 64;

}   // namespace detail
}   // namespace looplab::socketio
