// tests/bench/echo_server_looplab.cpp
//
// echo_server_looplab — the same echo service as baseline_epoll_echo.cpp, written the way a
// looplab user would: TcpListener, TcpConnection, UdpSocket on an EventLoop. tests/bench/run
// measures both with one load generator; the ratio is what looplab's layers cost.
//
//   echo_server_looplab [--port N] [--poller NAME] [--udp]
//     TCP (default): whatever arrives is sent straight back from on_data. A client that does
//     not read makes its pending output reach the high watermark; reading from it then
//     pauses until on_drain (the baseline does the same), so memory stays bounded.
//     --udp: one socket; every datagram goes straight back to its sender.
//
// Prints "listening on PORT" (port 0, the default, lets the kernel choose), then serves until
// SIGINT or SIGTERM, which arrive as ordinary loop events. Loopback only.
#include "looplab/loop/event_loop.hpp"
#include "looplab/net/address.hpp"
#include "looplab/net/tcp_connection.hpp"
#include "looplab/net/tcp_listener.hpp"
#include "looplab/net/udp_socket.hpp"
#include "looplab/poller/poller.hpp"

#include <fmt/format.h>

#include <charconv>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include <sys/resource.h>

using namespace looplab;
using namespace looplab::net;

namespace {

struct Options {
    std::uint16_t port = 0;
    std::string poller;
    bool is_udp = false;
};

[[noreturn]] void fail(const Error& error) {
    fmt::print(stderr, "echo_server_looplab: {}\n", error);
    std::exit(1);
}

[[noreturn]] void usage() {
    fmt::print(stderr, "usage: echo_server_looplab [--port N] [--poller NAME] [--udp]\n");
    std::exit(2);
}

Options parse(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--port" && i + 1 < argc) {
            const std::string_view text = argv[++i];
            const auto [end, error] =
                std::from_chars(text.data(), text.data() + text.size(), options.port);
            if (error != std::errc{} || end != text.data() + text.size()) usage();
        } else if (arg == "--poller" && i + 1 < argc) {
            options.poller = argv[++i];
        } else if (arg == "--udp") {
            options.is_udp = true;
        } else {
            usage();
        }
    }
    if (auto poller = poller::make_poller(options.poller); !poller) fail(poller.error());
    return options;
}

void raise_fd_limit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;   // as many connections as we are allowed
        ::setrlimit(RLIMIT_NOFILE, &limit);
    }
}

// Owns every connection; each one is erased in its own on_close.
class TcpEchoServer {
public:
    void adopt(std::unique_ptr<TcpConnection> connection) {
        TcpConnection* raw = connection.get();
        (void)raw->set_no_delay(true);   // answer each read at once, as the baseline does
        raw->on(events::data, [raw](ByteBuffer& input) {
            raw->send(input.readable());   // straight to the socket: no copy unless it is full
            input.consume(input.size());
        });
        raw->on(events::high_watermark, [raw](std::size_t) { raw->pause_reading(); });
        raw->on(events::drain, [raw] { raw->resume_reading(); });
        raw->on(events::close, [this, raw] { connections_.erase(raw); });
        if (auto started = raw->start(); !started) return;   // dropped: closes the socket
        connections_.emplace(raw, std::move(connection));
    }

    void close_all() {
        for (auto& [raw, connection] : connections_) connection->abort();
    }

private:
    std::unordered_map<TcpConnection*, std::unique_ptr<TcpConnection>> connections_;
};

}   // namespace

int main(int argc, char** argv) {
    const Options options = parse(argc, argv);
    std::signal(SIGPIPE, SIG_IGN);
    raise_fd_limit();
    loop::EventLoop loop{options.poller};

    std::optional<TcpListener> listener;
    std::optional<UdpSocket> udp;
    TcpEchoServer tcp;
    if (options.is_udp) {
        auto bound = UdpSocket::bind(loop, Address::loopback(options.port));
        if (!bound) fail(bound.error());
        udp.emplace(std::move(bound).value());
        auto started = udp->start([&udp](const Datagram& datagram) {
            // A full send buffer drops the echo, as UDP may; the client counts it as lost.
            (void)udp->send_to(datagram.from, datagram.bytes);
        });
        if (!started) fail(started.error());
    } else {
        ListenOptions listen_options;
        listen_options.backlog = 4096;
        auto bound = TcpListener::bind(loop, Address::loopback(options.port), listen_options);
        if (!bound) fail(bound.error());
        listener.emplace(std::move(bound).value());
        auto started = listener->start([&tcp](std::unique_ptr<TcpConnection> connection) {
            tcp.adopt(std::move(connection));
        });
        if (!started) fail(started.error());
    }

    const auto finish = [&](int) {
        if (listener) listener->stop();
        if (udp) udp->stop();
        tcp.close_all();
        loop.stop();
    };
    if (auto handled = loop.on_signal(SIGINT, finish); !handled) fail(handled.error());
    if (auto handled = loop.on_signal(SIGTERM, finish); !handled) fail(handled.error());

    // Only now, with the signals routed to the loop, may the benchmark script start (and stop) us.
    fmt::print("listening on {}\n",
               udp ? udp->local_address().port() : listener->local_address().port());
    std::fflush(stdout);

    if (auto ran = loop.run(); !ran) fail(ran.error());
    return 0;
}
