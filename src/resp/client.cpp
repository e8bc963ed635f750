// looplab/resp/client.cpp — the client's public face and its commands: send (pipelined),
// refuse what the state forbids, time out. The connection's life (connect, handshake,
// reconnect, end) is in client_connection.cpp, replies are read in client_replies.cpp,
// pub/sub commands are built in client_pubsub.cpp.
#include "looplab/resp/client.hpp"

#include "looplab/resp/encoder.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>

namespace looplab::resp {

namespace {

std::string upper(std::string_view text) {
    std::string out{text};
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

bool is_subscription_verb(std::string_view name) {
    return name == "SUBSCRIBE" || name == "PSUBSCRIBE" || name == "SSUBSCRIBE" ||
           name == "UNSUBSCRIBE" || name == "PUNSUBSCRIBE" || name == "SUNSUBSCRIBE";
}

}   // namespace

std::string_view state_name(ClientState state) {
    switch (state) {
        case ClientState::Idle: return "idle";
        case ClientState::Connecting: return "connecting";
        case ClientState::Handshaking: return "handshaking";
        case ClientState::Ready: return "ready";
        case ClientState::Waiting: return "waiting";
        case ClientState::Closed: return "closed";
    }
    return "unknown";
}

Client::Client(loop::EventLoop& loop, net::Address server, ClientOptions options)
    : loop_(loop),
      server_(std::move(server)),
      options_(std::move(options)),
      connector_(loop),
      parser_(options_.limits),
      // Jitter only has to differ between clients, not be unpredictable.
      jitter_random_(static_cast<std::uint32_t>(
          std::chrono::steady_clock::now().time_since_epoch().count() ^ server_.port())) {}

Client::~Client() {
    loop_.cancel_timer(reconnect_timer_);
    loop_.cancel_timer(timeout_timer_);
    // Destroyed inside one of their listeners: it is still running, the rest must not be.
    emitters_->pubsub.silence();
    emitters_->connection.silence();
    lifetime_.retire(loop_, std::move(emitters_));
}

void Client::connect() {
    LOOPLAB_ASSERT(state_ == ClientState::Idle,
                   "connect() called twice; the client reconnects by itself");
    start_attempt();
}

void Client::close() {
    if (state_ == ClientState::Closed) return;
    end(std::nullopt);
}

bool Client::is_in_subscribe_mode() const {
    return !options_.resp3 &&
           (!channels_.empty() || !patterns_.empty() || !shard_channels_.empty());
}

std::size_t Client::pending() const {
    const auto waiting = [](const Pending& p) { return !p.has_timed_out; };
    return static_cast<std::size_t>(
        std::count_if(in_flight_.begin(), in_flight_.end(), waiting) +
        std::count_if(subscription_waits_.begin(), subscription_waits_.end(), waiting));
}

// ---- sending
// -------------------------------------------------------------------------------------

void Client::command(std::initializer_list<std::string_view> args, Callback on_reply) {
    command(std::span<const std::string_view>{args.begin(), args.size()}, std::move(on_reply));
}

void Client::command(std::span<const std::string> args, Callback on_reply) {
    std::vector<std::string_view> views{args.begin(), args.end()};
    command(std::span<const std::string_view>{views}, std::move(on_reply));
}

void Client::command(std::span<const std::string_view> args, Callback on_reply) {
    LOOPLAB_ASSERT(!args.empty(), "command() needs at least the command's name");
    if (auto refused = refusal_for(args.front()))
        return deliver_later(std::move(on_reply), *refused);
    submit(make_pending(args, std::move(on_reply)), args);
}

void Client::publish(std::string_view channel, std::string_view payload, Callback on_reply) {
    command({"PUBLISH", channel, payload}, std::move(on_reply));
}

void Client::spublish(std::string_view channel, std::string_view payload, Callback on_reply) {
    command({"SPUBLISH", channel, payload}, std::move(on_reply));
}

void Client::pubsub_numsub(std::span<const std::string> channels, NumsubCallback on_reply) {
    std::vector<std::string_view> args{"PUBSUB", "NUMSUB"};
    args.insert(args.end(), channels.begin(), channels.end());
    command(std::span<const std::string_view>{args},
            [on_reply = std::move(on_reply)](Result<Reply> reply) {
                if (!reply) return on_reply(reply.error());
                // A flat list: channel, count, channel, count... (flat on RESP3 too).
                std::vector<std::pair<std::string, std::int64_t>> counts;
                const std::vector<Reply>& items = reply->elements;
                for (std::size_t i = 0; i + 1 < items.size(); i += 2)
                    counts.emplace_back(items[i].text, items[i + 1].integer);
                on_reply(std::move(counts));
            });
}

Client::Pending Client::make_pending(std::span<const std::string_view> args, Callback callback) {
    Pending pending;
    pending.name = upper(args.front());
    pending.callback = std::move(callback);
    pending.deadline = options_.command_timeout.count() > 0 ? loop_.now() + options_.command_timeout
                                                            : Clock::time_point::max();
    return pending;
}

std::optional<Error> Client::refusal_for(std::string_view command_name) const {
    const std::string name = upper(command_name);
    if (state_ == ClientState::Closed) return Error::because("resp: client closed");
    if (is_subscription_verb(name)) {
        std::string method = name;   // SUBSCRIBE -> subscribe()
        for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return Error::because(fmt::format(
            "resp: send {} with Client::{}() (its replies are counted per channel)", name, method));
    }
    if (is_in_subscribe_mode() && name != "PING" && name != "QUIT" && name != "RESET")
        return Error::because(fmt::format(
            "resp: {} refused: this connection is subscribed (RESP2 subscribe mode), where only "
            "(P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PING, QUIT and RESET are allowed; use a second "
            "Client for other commands, or ClientOptions::resp3",
            name));
    return std::nullopt;
}

void Client::submit(Pending pending, std::span<const std::string_view> args) {
    if (state_ == ClientState::Closed)
        return deliver_later(std::move(pending.callback), Error::because("resp: client closed"));
    if (state_ == ClientState::Ready) {   // the usual case: straight into this turn's bytes
        if (in_flight_.size() >= options_.max_in_flight_commands)
            return deliver_later(std::move(pending.callback),
                                 Error::because(fmt::format(
                                     "resp: {} refused: {} commands already wait for their reply "
                                     "from {} (max_in_flight_commands)",
                                     pending.name, in_flight_.size(), server_)));
        encode_command(args, outgoing_);
        return send_now(std::move(pending));
    }
    if (offline_.size() >= options_.max_offline_commands)
        return deliver_later(
            std::move(pending.callback),
            Error::because(fmt::format("resp: {} refused: {} commands already wait for {} "
                                       "(max_offline_commands)",
                                       pending.name, offline_.size(), server_)));
    arm_timeout(pending.deadline);
    encode_command(args, pending.wire);
    offline_.push_back(std::move(pending));
}

void Client::send_now(Pending pending) {
    outgoing_ += pending.wire;
    pending.wire = std::string{};
    pending.sequence = next_sequence_++;
    schedule_flush();
    arm_timeout(pending.deadline);
    // RESP3 answers (un)subscribe commands with pushes only, never in band (redis#11784):
    // they must not take a place in the FIFO of in-band replies.
    if (protocol_ == 3 && pending.subscription) subscription_waits_.push_back(std::move(pending));
    else in_flight_.push_back(std::move(pending));
}

// Every command issued during one callback leaves in one send(): the flush runs in the loop's
// "next" phase, after the callback (a reply burst that triggers 1,000 GETs costs one write).
void Client::schedule_flush() {
    if (is_flush_scheduled_) return;
    is_flush_scheduled_ = true;
    loop_.post_next([this, alive = lifetime_.alive_token()] {
        if (*alive) flush();
    });
}

void Client::flush() {
    is_flush_scheduled_ = false;
    if (!connection_ || outgoing_.empty()) return;
    connection_->send(outgoing_);
    outgoing_.clear();
}

// ---- timeouts and failures ---------------------------------------------------------------------

void Client::arm_timeout(Clock::time_point deadline) {
    if (deadline == Clock::time_point::max()) return;
    if (timeout_timer_ != 0 && timeout_at_ <= deadline) return;
    loop_.cancel_timer(timeout_timer_);
    timeout_at_ = deadline;
    const auto delay = std::chrono::ceil<Millis>(deadline - loop_.now());
    timeout_timer_ = loop_.set_timeout(std::max(delay, Millis{0}), [this] {
        timeout_timer_ = 0;
        on_timeout();
    });
}

void Client::on_timeout() {
    const auto now = loop_.now();
    const auto timed_out = [&](const Pending& p) {
        return Error{ETIMEDOUT, fmt::format("resp: {} timed out after {} ms", p.name,
                                            options_.command_timeout.count())};
    };
    std::vector<std::pair<Callback, Error>> due;
    Clock::time_point next = Clock::time_point::max();
    // Sent commands keep their place (their late reply must still be matched and dropped).
    for (auto* queue : {&in_flight_, &subscription_waits_})
        for (Pending& p : *queue) {
            if (p.has_timed_out) continue;
            if (p.deadline > now) {
                next = std::min(next, p.deadline);
                continue;
            }
            p.has_timed_out = true;
            if (p.callback) due.emplace_back(std::exchange(p.callback, {}), timed_out(p));
        }
    // Unsent ones simply leave the queue.
    for (auto it = offline_.begin(); it != offline_.end();) {
        if (it->deadline > now) {
            next = std::min(next, it->deadline);
            ++it;
            continue;
        }
        if (it->callback) due.emplace_back(std::move(it->callback), timed_out(*it));
        it = offline_.erase(it);
    }
    if (next != Clock::time_point::max()) arm_timeout(next);
    net::LifetimeFlag::Scope alive{lifetime_};
    for (auto& [callback, error] : due) {
        callback(error);
        if (alive.was_destroyed()) return;
    }
}

void Client::fail_pending(const Error& why, bool include_offline) {
    std::vector<Callback> callbacks;
    const auto take = [&](std::deque<Pending>& queue) {
        for (Pending& p : queue)   // the handshake's own commands die with their connection
            if (p.callback && !p.has_timed_out && !p.is_internal)
                callbacks.push_back(std::move(p.callback));
        queue.clear();
    };
    take(in_flight_);
    take(subscription_waits_);
    if (include_offline) take(offline_);
    // Later, from the loop: a callback may issue commands, close or destroy the client.
    for (Callback& callback : callbacks) deliver_later(std::move(callback), why);
}

void Client::deliver_later(Callback callback, Result<Reply> result) {
    if (!callback) return;
    loop_.post_next([alive = lifetime_.alive_token(), callback = std::move(callback),
                     result = std::move(result)]() mutable {
        if (*alive) callback(std::move(result));
    });
}

}   // namespace looplab::resp
