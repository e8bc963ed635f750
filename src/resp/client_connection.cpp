// looplab/resp/client_connection.cpp — the connection's life: connect, handshake (HELLO 3,
// AUTH, SELECT, CLIENT SETNAME, subscriptions restored), lose it, back off, reconnect, end.
// Commands are sent in client.cpp, replies read in client_replies.cpp.
//
//   Idle ─connect()─► Connecting ─TCP up─► Handshaking ─replies OK─► Ready
//                        ▲   │ refused          │ lost                 │ lost
//                        │   ▼                  ▼                      ▼
//                        └─ Waiting (backoff) ◄─────────────────────────┘
//   close(), AUTH refused, attempts used up ──► Closed
#include "looplab/resp/client.hpp"

#include "looplab/resp/encoder.hpp"
#include "looplab/resp/slot.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <map>

namespace looplab::resp {

// ---- connecting --------------------------------------------------------------------------------

void Client::start_attempt() {
    state_ = ClientState::Connecting;
    net::ConnectOptions connect_options;
    connect_options.timeout = options_.connect_timeout;
    connector_.connect(
        server_,
        [this](Result<std::unique_ptr<net::TcpConnection>> made) {
            if (state_ == ClientState::Closed) return;   // close() while connecting
            if (!made) return on_connection_lost(made.error());
            on_connected(std::move(made).value());
        },
        connect_options);
}

void Client::on_connected(std::unique_ptr<net::TcpConnection> connection) {
    connection_ = std::move(connection);
    connection_error_.reset();
    connection_->on(events::data, [this](net::ByteBuffer& input) { on_data(input); });
    connection_->on(events::error, [this](const Error& error) { connection_error_ = error; });
    connection_->on(events::close, [this] {
        on_connection_lost(connection_error_.value_or(
            Error{ECONNRESET, fmt::format("the server at {} closed the connection", server_)}));
    });
    (void)connection_->set_no_delay(true);   // a lone command must not wait for Nagle
    if (auto started = connection_->start(); !started) return on_connection_lost(started.error());

    state_ = ClientState::Handshaking;
    net::LifetimeFlag::Scope alive{lifetime_};
    emitters_->connection.emit("connect", ConnectionEvent{});
    if (alive.was_destroyed() || state_ != ClientState::Handshaking) return;
    start_handshake();
}

void Client::on_connection_lost(const Error& why) {
    net::LifetimeFlag::Scope alive{lifetime_};
    const bool was_connected = connection_ != nullptr;   // else: a connect attempt failed
    connection_.reset();   // safe inside its own on_close; closes at once otherwise
    outgoing_.clear();
    parser_.reset();
    if (state_ == ClientState::Closed) return;
    state_ = ClientState::Waiting;

    const Error lost{why.code(), fmt::format("resp: connection to {} lost before the reply; {}",
                                             server_, why.context())};
    fail_pending(lost, /*include_offline=*/false);
    if (alive.was_destroyed()) return;
    if (was_connected) {
        emitters_->connection.emit("disconnect", ConnectionEvent{why, attempt_, Millis{0}});
        if (alive.was_destroyed() || state_ != ClientState::Waiting) return;
    }

    const std::size_t max_attempts = options_.backoff.max_attempts;
    if (!options_.reconnect || (max_attempts > 0 && attempt_ >= max_attempts)) return end(why);
    schedule_reconnect(why);
}

void Client::schedule_reconnect(const Error& why) {
    ++attempt_;
    const Backoff& backoff = options_.backoff;
    const double grown = static_cast<double>(backoff.initial_delay.count()) *
                         std::pow(backoff.factor, static_cast<double>(attempt_ - 1));
    const double capped = std::min(grown, static_cast<double>(backoff.max_delay.count()));
    std::uniform_real_distribution<double> spread{1.0 - backoff.jitter, 1.0 + backoff.jitter};
    const Millis delay{static_cast<std::int64_t>(std::max(0.0, capped * spread(jitter_random_)))};

    reconnect_timer_ = loop_.set_timeout(delay, [this] {
        reconnect_timer_ = 0;
        start_attempt();
    });
    emitters_->connection.emit("reconnecting", ConnectionEvent{why, attempt_, delay});
}

void Client::end(std::optional<Error> why) {
    state_ = ClientState::Closed;
    loop_.cancel_timer(reconnect_timer_);
    reconnect_timer_ = 0;
    // Every command fails below, so no deadline is left to watch; an armed timer would keep
    // the loop running after close() (the lifetime rule: nothing is left behind).
    loop_.cancel_timer(timeout_timer_);
    timeout_timer_ = 0;
    if (connection_) connection_->close();   // graceful: what was sent still goes out
    const Error closed =
        why ? Error{why->code(), fmt::format("resp: client ended; {}", why->context())}
            : Error::because("resp: client closed");
    fail_pending(closed, /*include_offline=*/true);
    loop_.post_next([this, alive = lifetime_.alive_token(), why = std::move(why)] {
        if (!*alive) return;
        connection_.reset();
        const net::LifetimeFlag::Scope still_alive{lifetime_};   // the listener may destroy us
        emitters_->connection.emit("end", ConnectionEvent{why, attempt_, Millis{0}});
    });
}

// ---- the handshake -----------------------------------------------------------------------------

void Client::start_handshake() {
    protocol_ = options_.resp3 ? 3 : 2;   // HELLO 3 goes first: what follows is RESP3
    handshake_left_ = 0;
    const auto internal = [this](std::vector<std::string> args, std::string what) {
        std::vector<std::string_view> views{args.begin(), args.end()};
        Pending pending = make_pending(
            views, [this, what](Result<Reply> reply) { on_handshake_reply(what, reply); });
        encode_command(std::span<const std::string_view>{views}, pending.wire);
        pending.is_internal = true;
        ++handshake_left_;
        return pending;
    };
    const std::string user = options_.user.empty() ? "default" : options_.user;
    if (options_.resp3) {
        std::vector<std::string> hello{"HELLO", "3"};
        if (!options_.password.empty())
            hello.insert(hello.end(), {"AUTH", user, options_.password});
        send_now(internal(std::move(hello), "HELLO 3"));
    } else if (!options_.password.empty()) {
        std::vector<std::string> auth{"AUTH"};
        if (!options_.user.empty()) auth.push_back(options_.user);
        auth.push_back(options_.password);
        send_now(internal(std::move(auth), "AUTH"));
    }
    if (!options_.name.empty())
        send_now(internal({"CLIENT", "SETNAME", options_.name}, "CLIENT SETNAME"));

    // The subscriptions this client holds, again: a new connection has none.
    const std::pair<const char*, SubscriptionKind> kinds[] = {
        {"SUBSCRIBE", SubscriptionKind::Channel},
        {"PSUBSCRIBE", SubscriptionKind::Pattern},
        {"SSUBSCRIBE", SubscriptionKind::Shard}};
    for (const auto& [verb, kind] : kinds)
        for (std::vector<std::string>& names : restore_groups(kind)) {
            std::vector<std::string> args{verb};
            args.insert(args.end(), names.begin(), names.end());
            Pending pending = internal(std::move(args), verb);
            pending.callback = [this, verb = verb, kind = kind, names](Result<Reply> reply) {
                on_restore_reply(verb, kind, names, reply);
            };
            pending.subscription = kind;
            pending.frames_left = names.size();
            pending.names = std::move(names);   // a refusal forgets them (refuse())
            send_now(std::move(pending));
        }
    if (handshake_left_ == 0) become_ready();
}

// The names of `kind` this client holds, except those whose SUBSCRIBE still waits in the
// offline queue: that one goes out after the handshake anyway, and sending the name twice
// would confirm it twice.
std::set<std::string> Client::names_to_restore(SubscriptionKind kind) const {
    std::set<std::string> names = names_of(kind);
    for (const Pending& waiting : offline_)
        if (waiting.subscription == kind && !waiting.is_unsubscribe)
            for (const std::string& name : waiting.names) names.erase(name);
    return names;
}

// The names to restore, in commands: one for channels, one for patterns, one per slot for
// shard channels (a cluster answers -CROSSSLOT to an SSUBSCRIBE that spans slots).
std::vector<std::vector<std::string>> Client::restore_groups(SubscriptionKind kind) const {
    const std::set<std::string> names = names_to_restore(kind);
    if (names.empty()) return {};
    if (kind != SubscriptionKind::Shard)
        return {std::vector<std::string>{names.begin(), names.end()}};
    std::map<std::uint16_t, std::vector<std::string>> by_slot;
    for (const std::string& name : names) by_slot[slot_of(name)].push_back(name);
    std::vector<std::vector<std::string>> groups;
    for (auto& [slot, group] : by_slot) groups.push_back(std::move(group));
    return groups;
}

// A subscription held before the reconnect, refused now (in a cluster, -MOVED: its slot
// moved while we were away). Not a reason to end the client: the names are forgotten
// (refuse() did it) and reported as the server reports a subscription it drops itself.
void Client::on_restore_reply(std::string_view verb, SubscriptionKind kind,
                              const std::vector<std::string>& names, const Result<Reply>& reply) {
    if (reply || reply.error().code() != 0) return on_handshake_reply(verb, reply);
    if (state_ != ClientState::Handshaking) return;
    const char* dropped = kind == SubscriptionKind::Shard     ? "sunsubscribe"
                          : kind == SubscriptionKind::Pattern ? "punsubscribe"
                                                              : "unsubscribe";
    net::LifetimeFlag::Scope alive{lifetime_};
    for (const std::string& name : names) {
        PubSubMessage message;
        message.kind = kind;
        (kind == SubscriptionKind::Pattern ? message.pattern : message.channel) = name;
        message.count = static_cast<std::int64_t>(names_of(kind).size());
        emitters_->pubsub.emit(dropped, message);
        if (alive.was_destroyed() || state_ != ClientState::Handshaking) return;
    }
    if (--handshake_left_ == 0) become_ready();
}

void Client::on_handshake_reply(std::string_view what, const Result<Reply>& reply) {
    if (state_ != ClientState::Handshaking) return;
    if (reply) {
        if (--handshake_left_ == 0) become_ready();
        return;
    }
    // The server said no (wrong password, no RESP3): trying again would get the same answer.
    if (reply.error().code() == 0)
        return end(Error::because(
            fmt::format("{} refused by {}: {}", what, server_, reply.error().message())));
    if (connection_) connection_->abort();   // timed out: try a fresh connection
}

void Client::become_ready() {
    state_ = ClientState::Ready;
    attempt_ = 0;
    std::deque<Pending> waiting = std::exchange(offline_, {});
    for (Pending& pending : waiting) send_now(std::move(pending));
    emitters_->connection.emit("ready", ConnectionEvent{});
}

}   // namespace looplab::resp
