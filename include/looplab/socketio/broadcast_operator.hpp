// looplab/socketio/broadcast_operator.hpp
//
// BroadcastOperator — "send this to those sockets": a namespace plus a selection (rooms to
// include, rooms to skip, flags), built by chaining, then used once.
//
//     io.to("lobby").emit("chat", "hi");                    // everyone in lobby
//     io.to("a").to("b").except("muted").emit("x");         // union of a and b, minus muted;
//                                                           // a socket in a and b gets it once
//     s.to("lobby").emit("chat", "hi");                     // lobby, except s itself
//     s.broadcast().emit("joined", s.id());                 // everyone but s
//     io.timeout(2000ms).emit_with_ack("poll", "ready?",    // each recipient answers
//         [](std::optional<socketio::AckError> error, const json::Array& answers) { ... });
//     io.in("game-7").disconnect_sockets();                 // the cluster utilities too
//
// The packet is encoded once and the same bytes go to every recipient (the adapter does it).
// Teaches: lesson 18 (rooms; what "broadcast" means: a loop over sockets, on one thread).
//
// Contract: a short-lived value (copy it freely). Do not keep it past the namespace's life.
#pragma once

#include "looplab/codec/json.hpp"
#include "looplab/core/clock.hpp"
#include "looplab/socketio/ack.hpp"
#include "looplab/socketio/adapter.hpp"

#include <cstddef>
#include <functional>
#include <initializer_list>
#include <string_view>
#include <utility>
#include <vector>

namespace looplab::socketio {

class Namespace;

class BroadcastOperator {
public:
    explicit BroadcastOperator(Namespace& nsp, BroadcastOptions options = {});

    // Adds rooms to the selection (union). in() is the same as to(). Every function that takes
    // one room also takes a list, to({"a", "b"}): without that overload a braced pair of
    // strings would quietly become ONE string_view (C++20's iterator-pair constructor).
    BroadcastOperator to(std::string_view room) const;
    BroadcastOperator to(std::initializer_list<std::string_view> rooms) const;
    BroadcastOperator in(std::string_view room) const { return to(room); }
    BroadcastOperator in(std::initializer_list<std::string_view> rooms) const { return to(rooms); }
    // Skips the members of these rooms (a socket id skips that socket).
    BroadcastOperator except(std::string_view room) const;
    BroadcastOperator except(std::initializer_list<std::string_view> rooms) const;
    // Drops the packet for recipients whose transport cannot take it right now.
    BroadcastOperator volatile_() const;
    // This server only (matters with a cluster adapter).
    BroadcastOperator local() const;
    // Required by emit_with_ack: how long to wait for the answers.
    BroadcastOperator timeout(Millis timeout) const;

    // Sends EVENT [event, args...] to the selection. Each argument becomes a json::Value
    // (strings, numbers, bools, json::Value, json::Bytes for binary). Returns false, and sends
    // nothing, for a reserved event name ("connect", "disconnect", ...: is_reserved_event).
    template <typename... A>
    bool emit(std::string_view event, A&&... args) const {
        json::Array data = start_event(event, sizeof...(A));
        (data.emplace_back(std::forward<A>(args)), ...);
        return send(std::move(data));
    }

    // emit() with arguments known only at run time (one per element of `args`).
    bool emit_args(std::string_view event, const Args& args) const {
        json::Array data = start_event(event, args.size());
        data.insert(data.end(), args.begin(), args.end());
        return send(std::move(data));
    }

    // emit(event, args..., callback): every recipient is asked for an acknowledgement; the
    // callback runs once, with every answer (each recipient's first answer argument), or with
    // kAckTimedOut and the answers that came, when timeout() passes first. timeout() is
    // required (asserted): a broadcast's answers cannot be awaited forever.
    template <typename... A>
    bool emit_with_ack(std::string_view event, A&&... args_then_callback) const {
        static_assert(sizeof...(A) >= 1, "emit_with_ack(event, args..., callback)");
        constexpr std::size_t kArgs = sizeof...(A) - 1;
        auto all = std::forward_as_tuple(std::forward<A>(args_then_callback)...);
        json::Array data = start_event(event, kArgs);
        detail::append_first<kArgs>(data, all);
        return send_with_ack(std::move(data),
                             BroadcastAckCallback(std::get<kArgs>(std::move(all))));
    }

    // emit("message", args...), as socket.io's send().
    template <typename... A>
    bool send_message(A&&... args) const {
        return emit("message", std::forward<A>(args)...);
    }

    // ---- the cluster utilities, on the selection ---------------------------------------------
    void fetch_sockets(std::function<void(std::vector<SocketInfo>)> done) const;
    void sockets_join(std::string_view room) const;
    void sockets_join(std::initializer_list<std::string_view> rooms) const;
    void sockets_leave(std::string_view room) const;
    void sockets_leave(std::initializer_list<std::string_view> rooms) const;
    void disconnect_sockets(bool close_underlying = false) const;

    const BroadcastOptions& options() const { return options_; }
    Namespace& nsp() const { return *nsp_; }

private:
    json::Array start_event(std::string_view event, std::size_t arg_count) const;
    bool send(json::Array&& data) const;
    bool send_with_ack(json::Array&& data, BroadcastAckCallback done) const;

    Namespace* nsp_;
    BroadcastOptions options_;
};

}   // namespace looplab::socketio
