// looplab/resp/client_replies.cpp — what the client does with each reply that arrives.
//
// Matching replies to commands needs no ids: Redis answers in the order it was asked, so the
// oldest command waiting (the front of the FIFO) owns the next reply. Three kinds of frame
// are not replies to the front and are taken out first:
//   - RESP3 pushes (`>`): messages and subscription confirmations, out of band;
//   - RESP2 pub/sub frames on a subscribed connection: arrays that start with "message",
//     "pmessage", "smessage" (any time), or a confirmation ("subscribe", ...);
//   - confirmations count down their command: SUBSCRIBE a b c is answered by three frames.
#include "looplab/resp/client.hpp"

#include <fmt/format.h>

#include <cerrno>

namespace looplab::resp {

namespace {

// What the first word of a pub/sub frame says.
struct FrameKind {
    SubscriptionKind kind;
    bool is_message;       // message / pmessage / smessage
    bool is_unsubscribe;   // an unsubscribe confirmation
};

std::optional<FrameKind> classify(std::string_view word) {
    if (word == "message") return FrameKind{SubscriptionKind::Channel, true, false};
    if (word == "pmessage") return FrameKind{SubscriptionKind::Pattern, true, false};
    if (word == "smessage") return FrameKind{SubscriptionKind::Shard, true, false};
    if (word == "subscribe") return FrameKind{SubscriptionKind::Channel, false, false};
    if (word == "psubscribe") return FrameKind{SubscriptionKind::Pattern, false, false};
    if (word == "ssubscribe") return FrameKind{SubscriptionKind::Shard, false, false};
    if (word == "unsubscribe") return FrameKind{SubscriptionKind::Channel, false, true};
    if (word == "punsubscribe") return FrameKind{SubscriptionKind::Pattern, false, true};
    if (word == "sunsubscribe") return FrameKind{SubscriptionKind::Shard, false, true};
    return std::nullopt;
}

std::optional<FrameKind> classify(const Reply& frame) {
    if (frame.elements.size() < 3 || !frame.elements[0].is_string()) return std::nullopt;
    return classify(frame.elements[0].text);
}

}   // namespace

void Client::on_data(net::ByteBuffer& input) {
    replies_.clear();
    const auto broken = parser_.feed(input.readable(), replies_);
    input.consume(input.size());

    net::LifetimeFlag::Scope alive{lifetime_};
    for (Reply& reply : replies_) {   // a listener may close the client: then queues are empty
        on_reply(std::move(reply));
        if (alive.was_destroyed()) return;
    }
    replies_.clear();
    if (broken && connection_) {
        // The stream can no longer be trusted: nothing after this point could be matched.
        connection_->abort();
        on_connection_lost(
            Error{EPROTO,
                  fmt::format("resp: the server at {} broke the protocol: {}", server_, *broken)});
    }
}

void Client::on_reply(Reply reply) {
    if (reply.type == ReplyType::Push) return on_push(reply);
    if (protocol_ == 2 && on_resp2_pubsub_frame(reply)) return;
    if (reply.is_error() && is_for_subscription(reply)) return;
    if (in_flight_.empty()) return;   // nobody asked (a reply after close()): dropped

    Pending done = std::move(in_flight_.front());
    in_flight_.pop_front();
    if (reply.is_error()) return refuse(done, std::move(reply.text));
    answer(done, std::move(reply));
}

// The server said no: its text is the error. A refused SUBSCRIBE subscribed to nothing, so its
// names are forgotten (else RESP2 subscribe mode would refuse commands for nothing, and a
// reconnect would send them again).
void Client::refuse(Pending& pending, std::string server_text) {
    if (pending.subscription && !pending.is_unsubscribe)
        for (const std::string& name : pending.names) names_of(*pending.subscription).erase(name);
    answer(pending, Error::because(std::move(server_text)));
}

// RESP3: a (P|S)(UN)SUBSCRIBE that the server refuses (-MOVED, -NOAUTH...) answers in band,
// with one error, although its confirmations would have been pushes. It belongs to that
// command if it was sent before the oldest in-band command still waiting.
bool Client::is_for_subscription(Reply& error) {
    if (subscription_waits_.empty()) return false;
    if (!in_flight_.empty() && in_flight_.front().sequence < subscription_waits_.front().sequence)
        return false;
    Pending refused = std::move(subscription_waits_.front());
    subscription_waits_.pop_front();
    refuse(refused, std::move(error.text));
    return true;
}

bool Client::on_resp2_pubsub_frame(const Reply& frame) {
    if (frame.type != ReplyType::Array) return false;
    const auto kind = classify(frame);
    if (!kind) return false;
    // An array that merely looks like a pub/sub frame (LRANGE of a list holding "message")
    // is an ordinary reply unless this connection is subscribed or subscribing.
    const bool is_subscribing = !in_flight_.empty() && in_flight_.front().subscription;
    if (!is_subscribing && !is_in_subscribe_mode()) return false;
    if (kind->is_message) emit_message(frame);
    else on_confirmation(in_flight_, frame);
    return true;
}

void Client::on_push(const Reply& push) {
    const auto kind = classify(push);
    if (!kind) return;   // other pushes (client-side caching's "invalidate"): not used here
    if (kind->is_message) emit_message(push);
    else on_confirmation(subscription_waits_, push);
}

void Client::on_confirmation(std::deque<Pending>& waits, const Reply& frame) {
    const std::string& verb = frame.elements[0].text;
    const FrameKind kind = *classify(verb);
    PubSubMessage confirmed;
    confirmed.kind = kind.kind;
    (kind.kind == SubscriptionKind::Pattern ? confirmed.pattern : confirmed.channel) =
        frame.elements[1].text;   // empty for the null of "unsubscribed from nothing"
    confirmed.count = frame.elements[2].integer;

    std::optional<Pending> done;
    if (!waits.empty() && waits.front().subscription == kind.kind &&
        waits.front().is_unsubscribe == kind.is_unsubscribe) {
        if (--waits.front().frames_left == 0) {
            done.emplace(std::move(waits.front()));
            waits.pop_front();
        }
    } else if (kind.is_unsubscribe) {
        // Nobody asked: the server dropped this subscription itself (a cluster slot moved
        // away). Forget it, so it is not restored on reconnect.
        names_of(kind.kind).erase(frame.elements[1].text);
    }

    net::LifetimeFlag::Scope alive{lifetime_};
    emitters_->pubsub.emit(verb, confirmed);
    if (alive.was_destroyed() || !done) return;
    answer(*done, Reply::integer_value(confirmed.count));
}

void Client::emit_message(const Reply& frame) {
    const std::string& word = frame.elements[0].text;
    PubSubMessage message;
    message.kind = classify(word)->kind;
    const std::size_t first = message.kind == SubscriptionKind::Pattern ? 2 : 1;
    if (frame.elements.size() < first + 2) return;   // a pmessage needs 4 elements
    if (first == 2) message.pattern = frame.elements[1].text;
    message.channel = frame.elements[first].text;
    message.payload = frame.elements[first + 1].text;
    emitters_->pubsub.emit(word, message);
}

void Client::answer(Pending& pending, Result<Reply> result) {
    if (!pending.callback) return;   // none given, or it already timed out
    Callback callback = std::exchange(pending.callback, {});
    callback(std::move(result));
}

}   // namespace looplab::resp
