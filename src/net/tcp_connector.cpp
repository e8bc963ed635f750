#include "looplab/net/tcp_connector.hpp"

#include "socket_ops.hpp"

#include <cerrno>

#include <sys/socket.h>

namespace looplab::net {

TcpConnector::~TcpConnector() {
    for (auto& [id, attempt] : attempts_) {
        loop_.cancel_timer(attempt.timer);
        if (attempt.is_watched) loop_.forget(attempt.fd.get());
    }
}

void TcpConnector::connect(const Address& remote, OnConnected on_connected, ConnectOptions options,
                           SourceSite site) {
    LOOPLAB_ASSERT(on_connected != nullptr, "connect() needs a callback to report the outcome to");
    const AttemptId id = next_id_++;
    Attempt& attempt = attempts_[id];
    attempt.remote = remote;
    attempt.on_connected = std::move(on_connected);
    if (std::optional<Error> failed = begin(attempt, id, options, site)) {
        // Report it from the loop, like every other outcome: a callback that sometimes runs
        // inside connect() and sometimes later is a classic source of bugs.
        // The token tells the task whether this connector still exists when it runs.
        loop_.post_next(
            [this, id, error = *failed, alive = lifetime_.alive_token()] {
                if (*alive) finish(id, error);
            },
            site);
    }
}

std::optional<Error> TcpConnector::begin(Attempt& attempt, AttemptId id,
                                         const ConnectOptions& options, SourceSite site) {
    const Address& remote = attempt.remote;
    attempt.fd = UniqueFd{::socket(remote.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)};
    if (!attempt.fd) return Error::from_errno(fmt::format("socket {}", remote));
    const int fd = attempt.fd.get();

    if (options.local) {
        if (auto set = detail::set_int_option(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
            !set)
            return set.error();
        if (::bind(fd, options.local->data(), options.local->size()) == -1)
            return Error::from_errno(fmt::format("bind {}", *options.local));
    }
    // EINPROGRESS is the normal answer: the handshake goes on while we return to the loop.
    if (::connect(fd, remote.data(), remote.size()) == -1 && errno != EINPROGRESS)
        return Error::from_errno(fmt::format("connect {}", remote));

    if (auto watched = loop_.watch(
            fd, loop::Interest::write(),
            [this, id](const loop::Ready& ready) { on_ready(id, ready); }, "tcp connect", site);
        !watched)
        return watched.error();
    attempt.is_watched = true;
    // The map's nodes never move, so the attempt may be named by its address.
    loop_.describe_socket(fd, &attempt, &TcpConnector::describe);
    attempt.timer = loop_.set_timeout(
        options.timeout,
        [this, id] {
            finish(id, Error{ETIMEDOUT, fmt::format("connect {}", attempts_.at(id).remote)});
        },
        site);
    return std::nullopt;
}

void TcpConnector::describe(const void* attempt, trace::SocketView& view) {
    const auto& self = *static_cast<const Attempt*>(attempt);
    view.kind = "tcp";
    view.state = "connecting";
    view.local = detail::local_address_of(self.fd.get()).to_string();
    view.peer = self.remote.to_string();
}

// Writable (or an error/hang-up): the handshake is over, one way or the other. Which way, the
// event says (kqueue: ECONNREFUSED in the EV_EOF kevent) or else the socket (SO_ERROR).
void TcpConnector::on_ready(AttemptId id, const loop::Ready& ready) {
    Attempt& attempt = attempts_.at(id);
    if (const int error = detail::take_socket_error(attempt.fd.get(), ready.socket_error);
        error != 0) {
        finish(id, Error{error, fmt::format("connect {}", attempt.remote)});
        return;
    }
    loop_.forget(attempt.fd.get());
    attempt.is_watched = false;
    finish(id, std::make_unique<TcpConnection>(loop_, std::move(attempt.fd)));
}

void TcpConnector::finish(AttemptId id, Result<std::unique_ptr<TcpConnection>> result) {
    // Take the attempt out first: the callback may start new attempts or destroy us.
    auto node = attempts_.extract(id);
    Attempt& attempt = node.mapped();
    loop_.cancel_timer(attempt.timer);
    if (attempt.is_watched) loop_.forget(attempt.fd.get());
    attempt.fd.reset();
    OnConnected on_connected = std::move(attempt.on_connected);
    on_connected(std::move(result));   // last: touches nothing of ours afterwards
}

}   // namespace looplab::net
