// looplab/socketio/ack.hpp
//
// Acknowledgements — "call me back when you got it". Two directions:
//
// 1. The peer asks (its EVENT carries an ack id, `42 7["ask","q"]`): the listener receives an
//    Ack and calls it with the answer; the peer gets `43 7["answer"]`.
//
//        s.on("ask", [](const socketio::Args& args, const socketio::Ack& ack) {
//            ack("answer", 42);        // once; a second call is ignored
//        });
//
//    ack.wanted() is false when the peer asked for no acknowledgement; calling it then does
//    nothing. An Ack may be copied and called later (after a timer, say): copies share the
//    "already answered" state, and a call after the socket has gone is ignored.
//
// 2. We ask: Socket::emit_with_ack(event, args..., timeout, callback). The callback runs once:
//    with the peer's answer, or with an AckError when no answer can come any more. An answer
//    that never comes is never a leak: it ends as "operation has timed out".
//
// Teaches: lesson 18 (delivery receipts on top of fire-and-forget events). Facts: PROTOCOLS.md
// §2.5.
#pragma once

#include "looplab/codec/json.hpp"
#include "looplab/socketio/args.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>

namespace looplab::socketio {

class Socket;

// The two ways an acknowledgement we asked for can end without an answer (socket.io's words
// for the first; the second is ours, because our socket object ends with its connection).
inline constexpr std::string_view kAckTimedOut = "operation has timed out";
inline constexpr std::string_view kAckDisconnected = "socket has been disconnected";

struct AckError {
    std::string_view reason;   // kAckTimedOut or kAckDisconnected
};

// Our emit_with_ack's callback: (nullopt, the peer's answer) or (the error, empty Args).
using AckCallback = std::function<void(std::optional<AckError> error, const Args& reply)>;

// A broadcast's: one response per recipient (each recipient's first answer argument), or an
// error with the responses that did arrive before the timeout.
using BroadcastAckCallback =
    std::function<void(std::optional<AckError> error, const json::Array& responses)>;

class Ack {
public:
    Ack() = default;   // no acknowledgement wanted: calling it does nothing

    // True when the peer asked for an acknowledgement and it has not been sent yet.
    bool wanted() const;

    // Sends ACK with these arguments (each converted to json::Value, as emit() does). Only the
    // first call of an Ack (or of any copy of it) sends; later calls are ignored.
    template <typename... A>
    void operator()(A&&... args) const {
        if (!wanted()) return;
        json::Array reply;
        reply.reserve(sizeof...(A));
        socketio::detail::append_args(reply, std::forward<A>(args)...);
        send(std::move(reply));
    }

    // The same with arguments known only at run time (one per element): ack.send_args(args)
    // answers with exactly what the peer sent.
    void send_args(const Args& args) const {
        if (wanted()) send(args.to_array());
    }

    // Copies share one "sent" state (made on the first copy; the listener's own Ack costs no
    // allocation when it is answered at once).
    Ack(const Ack& other);
    Ack& operator=(const Ack& other);
    Ack(Ack&& other) noexcept = default;
    Ack& operator=(Ack&& other) noexcept = default;
    ~Ack() = default;

    std::uint64_t id() const { return id_; }

private:
    friend class Socket;
    Ack(Socket& socket, std::uint64_t id) : socket_(&socket), id_(id) {}

    struct Shared {
        std::shared_ptr<const bool> socket_alive;
        bool is_sent = false;
    };

    void send(json::Array&& reply) const;
    bool& sent_flag() const { return shared_ ? shared_->is_sent : is_sent_; }
    void share_with(const Ack& other);

    Socket* socket_ = nullptr;
    std::uint64_t id_ = 0;
    mutable bool is_sent_ = false;
    mutable std::shared_ptr<Shared> shared_;
};

}   // namespace looplab::socketio
