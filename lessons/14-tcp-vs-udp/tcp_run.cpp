// lessons/14-tcp-vs-udp/tcp_run.cpp
//
// (c) TCP: the same messages written to one connection, length-prefixed (lesson 09's
// framing, from the lesson kit's length_prefix.hpp: TCP keeps bytes, not message
// boundaries). Sequence numbers, acks, retransmission, ordering, flow and congestion control
// all happen in the kernel; the application only sees the result. With a NetemPath the connection crosses the kernel-impaired veth pair; without
// one it crosses a TcpDelayRelay: the same delay as the UDP rows, but no loss (a program
// cannot drop TCP segments), and it says so.
#include "netem_path.hpp"
#include "tcp_delay_relay.hpp"

#include "looplab/lesson/length_prefix.hpp"
#include "looplab/net/tcp_connection.hpp"
#include "looplab/net/tcp_connector.hpp"
#include "looplab/net/tcp_listener.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace lab {
namespace {

namespace net = looplab::net;
namespace events = looplab::events;

// The kernel's count of segments this socket sent again (Linux TCP_INFO).
std::size_t tcp_retransmissions(int fd) {
    tcp_info info{};
    socklen_t size = sizeof info;
    if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &size) == -1) return 0;
    return info.tcpi_total_retrans;
}

net::TcpListener listen_or_fail(EventLoop& loop, NetemPath* netem) {
    std::optional<looplab::Result<net::TcpListener>> bound;
    // (TcpListener cannot be assigned, only moved into place: emplace.)
    if (netem == nullptr) {
        bound.emplace(net::TcpListener::bind(loop, net::Address::loopback(0)));
    } else if (auto inside = netem->in_b([&] { bound.emplace(net::TcpListener::bind(loop, netem->server_address(0))); });
               !inside) {
        lesson::fail(inside.error());
    }
    return lesson::or_fail(std::move(*bound));
}

void report(const RunResult& row, const Workload& workload, const lesson::Options& options, bool impaired) {
    lesson::say("the client wrote {} length-prefixed messages to one connection; the kernel did the rest",
                workload.count);
    lesson::say("the application got {}", delivery_summary(row));
    lesson::say("TCP's own retransmissions (the kernel's count, TCP_INFO): {}",
                options.demo ? std::string{"shown without --demo (the kernel's timers decide them)"}
                             : std::to_string(row.retransmissions));
    if (impaired) {
        lesson::say("the path: netem in the kernel, {}", describe(workload.path));
        lesson::say("segments the server's kernel dropped for a bad checksum: {}", row.corrupted_caught);
        return;
    }
    lesson::say("the path: a TCP relay in this program, with the UDP rows' {}", describe_delay(workload.path));
    lesson::say("but NO loss, duplication, reordering or corruption: nothing was lost, so nothing to recover.");
    lesson::say("A program cannot drop or damage TCP segments (the kernel makes and checks them);");
    lesson::say("run as root with --netem to give TCP the same bad path{}",
                options.has("netem") ? " (it could not be set up: see above)" : "");
}

}  // namespace

RunResult run_tcp(EventLoop& loop, const Workload& workload, const lesson::Options& options, NetemPath* netem) {
    net::TcpListener listener = listen_or_fail(loop, netem);
    net::TcpConnector connector{loop};
    std::unique_ptr<net::TcpConnection> client;
    std::unique_ptr<net::TcpConnection> server;
    const std::uint64_t checksum_errors_before = netem ? netem->checksum_errors_in_b() : 0;

    Tally tally{workload.count, loop.now()};
    lesson::FrameReader reader;
    std::vector<std::string> messages;
    Pacer pacer{loop, workload, [&](std::uint32_t, Bytes message) {
        client->send(lesson::frame_message({reinterpret_cast<const char*>(message.data()), message.size()}));
    }};

    auto accepting = listener.start([&](std::unique_ptr<net::TcpConnection> accepted) {
        server = std::move(accepted);
        server->on(events::data, [&](net::ByteBuffer& input) {
            messages.clear();
            if (reader.feed(input.readable(), messages)) lesson::fail("TCP run: a framing error");
            input.consume(input.size());
            for (const std::string& text : messages)
                tally.on_message({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()},
                                 workload.size, loop.now(), pacer.queued_at());
        });
        if (auto reading = server->start(); !reading) lesson::fail(reading.error());
    });
    if (!accepting) lesson::fail(accepting.error());

    // Without netem, TCP crosses a relay with the UDP rows' delay, so the rows compare alike.
    std::unique_ptr<TcpDelayRelay> relay;
    if (netem == nullptr) {
        auto opened = TcpDelayRelay::open(loop, listener.local_address(), workload.path.delay,
                                          workload.path.jitter, workload.seed);
        if (!opened) lesson::fail(opened.error());
        relay = std::move(*opened);
    }
    const net::Address server_address = relay ? relay->address() : listener.local_address();

    auto connect = [&] {
        connector.connect(server_address, [&](looplab::Result<std::unique_ptr<net::TcpConnection>> made) {
            if (!made) lesson::fail(made.error());
            client = std::move(*made);
            // Small messages: send each at once instead of batching them (Nagle's algorithm).
            if (auto set = client->set_no_delay(true); !set) lesson::fail(set.error());
            if (auto started = client->start(); !started) lesson::fail(started.error());
            pacer.start();
        });
    };
    if (netem == nullptr) connect();
    else if (auto inside = netem->in_a(connect); !inside) lesson::fail(inside.error());

    const bool finished = run_until(loop, [&] { return tally.delivered() == workload.count; });

    RunResult row = result_from(netem ? "TCP (netem, lossy)" : "TCP (delay only)", tally, workload.count, workload.size);
    row.path = netem ? "netem in the kernel: " + describe(workload.path)
                     : "a TCP relay: the same " + describe_delay(workload.path) +
                           ", no loss (no --netem: a program cannot drop TCP segments)";
    row.retransmissions = client ? tcp_retransmissions(client->fd()) : 0;
    row.retransmissions_vary = true;
    row.finished = finished;
    if (netem) row.corrupted_caught = netem->checksum_errors_in_b() - checksum_errors_before;
    report(row, workload, options, netem != nullptr);
    return row;
}

}  // namespace lab
