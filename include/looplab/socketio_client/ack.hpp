// looplab/socketio_client/ack.hpp
//
// Acknowledgements on the client side — the same two directions as on the server
// (socketio/ack.hpp), with the client's types:
//
// 1. The server asks (`42 7["ask","q"]`): the listener receives an Ack and calls it once;
//    the server gets `43 7["answer"]`.
//
//        socket.on("ask", [](const socketio::Args& args, const socketio_client::Ack& ack) {
//            ack("answer", 42);          // a second call (of any copy) is ignored
//        });
//
//    An Ack may be copied and kept; a call after the socket disconnected (or was destroyed,
//    or reconnected since) is ignored: the server forgot that question with the connection.
//
// 2. We ask: Socket::emit_with_ack(event, args..., timeout, callback). The callback receives a
//    Result<socketio::Args>: the server's answer, or an Error whose context() is one of
//    socketio::kAckTimedOut ("operation has timed out"), socketio::kAckDisconnected
//    ("socket has been disconnected", the packet had been sent and the connection went) or
//    kAckBufferFull. Every ack ends, exactly once, unless its Socket is destroyed first
//    (then nothing fires: the usual rule).
#pragma once

#include "looplab/codec/json.hpp"
#include "looplab/core/result.hpp"
#include "looplab/socketio/ack.hpp"
#include "looplab/socketio/args.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <utility>

namespace looplab::socketio_client {

class Socket;

using AckCallback = std::function<void(Result<socketio::Args> reply)>;

class Ack {
public:
    Ack() = default;   // no acknowledgement wanted: calling it does nothing

    // True when the server asked, nothing was answered yet, and the socket is still on the
    // connection that asked (after a reconnection the server has forgotten the question).
    bool wanted() const;

    template <typename... A>
    void operator()(A&&... args) const {
        if (!wanted()) return;
        codec::json::Array reply;
        reply.reserve(sizeof...(A));
        socketio::detail::append_args(reply, std::forward<A>(args)...);
        send(std::move(reply));
    }

    // Answers with exactly these values, one argument each.
    void send_args(const socketio::Args& args) const {
        if (wanted()) send(args.to_array());
    }

    std::uint64_t id() const;

private:
    friend class Socket;
    struct State {
        std::weak_ptr<Socket*> socket;   // empty once the Socket object is gone
        std::uint64_t id = 0;
        std::uint64_t connection = 0;   // the socket's connection count when asked
        bool is_sent = false;
    };
    explicit Ack(std::shared_ptr<State> state) : state_(std::move(state)) {}
    void send(codec::json::Array&& reply) const;

    std::shared_ptr<State> state_;   // shared by copies: one answer in all
};

}   // namespace looplab::socketio_client
