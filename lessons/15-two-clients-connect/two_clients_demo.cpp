// lessons/15-two-clients-connect/two_clients_demo.cpp
//
// The class notes say two client sockets cannot connect to each other in TCP. They can: if
// both send a SYN to the other's address:port, TCP makes ONE connection of them, with no
// listener anywhere (simultaneous open, RFC 9293 §3.5). And a socket can connect to itself.
// Read with notes/15-two-clients-connect.md.
#include "active_open.hpp"

#include "looplab/net/tcp_connection.hpp"

#include <cstring>
#include <memory>
#include <string>

using namespace looplab;
using namespace simopen;

namespace {

std::string outcome(int error) {
    if (error == 0) return "connected";
    return fmt::format("{}{}", std::strerror(error), error == ECONNREFUSED ? " (ECONNREFUSED)" : "");
}

// One end of a finished handshake, wrapped as an ordinary TcpConnection that keeps what it reads.
struct End {
    std::unique_ptr<net::TcpConnection> connection;
    std::string received;

    End(loop::EventLoop& loop, UniqueFd fd)
        : connection(std::make_unique<net::TcpConnection>(loop, std::move(fd))) {
        connection->on(events::data, [this](net::ByteBuffer& input) { received += input.take(input.size()); });
        if (auto started = connection->start(); !started) lesson::fail(started.error());
    }

    // "(local 127.0.0.1 port C, peer 127.0.0.1 port D)", read from the socket itself.
    std::string four_tuple(const lesson::Options& options) const {
        const std::string local = options.label(connection->local_address().port(), "port");
        const std::string peer = options.label(connection->peer_address().port(), "port");
        return fmt::format("(local {} {}, peer {} {})", connection->local_address().ip(), local,
                           connection->peer_address().ip(), peer);
    }
};

UniqueFd open_or_fail(const net::Address& local, const net::Address& remote, Signing signing) {
    auto fd = start_active_open(local, remote, signing);
    if (!fd) lesson::fail(fd.error());
    return std::move(*fd);
}

// Step 1: socket A connects to B's port, then socket B connects to A's port. Plain loopback.
void one_after_the_other(loop::EventLoop& loop, const lesson::Options& options) {
    const auto [port_a_number, port_b_number] = two_free_ports(loop);
    const net::Address a = net::Address::loopback(port_a_number);
    const net::Address b = net::Address::loopback(port_b_number);
    const std::string port_a = options.label(a.port(), "port");
    const std::string port_b = options.label(b.port(), "port");
    lesson::say("socket A will use {}, socket B {}; nobody listens anywhere", port_a, port_b);

    UniqueFd socket_a = open_or_fail(a, b, Signing::None);
    HandshakeWatch watch_a{loop, socket_a.get()};
    lesson::say("socket A: connect({}) -> A is {}: its SYN reached {} at once, found no socket "
                "waiting for it, and got a reset", port_b, tcp_state(socket_a.get()), port_b);

    UniqueFd socket_b = open_or_fail(b, a, Signing::None);
    HandshakeWatch watch_b{loop, socket_b.get()};
    lesson::say("socket B: connect({}) -> B is {}: the same thing the other way round (A is gone)",
                port_a, tcp_state(socket_b.get()));

    wait_for(loop, [&] { return watch_a.is_done() && watch_b.is_done(); }, "both handshakes");
    lesson::say("socket A: {}", outcome(watch_a.error()));
    lesson::say("socket B: {}", outcome(watch_b.error()));
    lesson::say("on loopback a segment arrives the instant it is sent: the two SYNs never cross");
}

// Step 2: the same, but C's first SYN is dropped (not refused), so C is still in SYN-SENT
// when D's SYN arrives: the simultaneous-open rule of RFC 9293 §3.5 takes over.
void simultaneous_open(loop::EventLoop& loop, const lesson::Options& options) {
    const Signing signing = options.has("unsigned") ? Signing::None : Signing::TcpMd5;
    const auto [port_c_number, port_d_number] = two_free_ports(loop);
    const net::Address c = net::Address::loopback(port_c_number);
    const net::Address d = net::Address::loopback(port_d_number);
    const std::string port_c = options.label(c.port(), "port");
    const std::string port_d = options.label(d.port(), "port");
    lesson::say("socket C will use {}, socket D {}; nobody listens anywhere", port_c, port_d);
    if (signing == Signing::TcpMd5)
        lesson::say("both sign their segments (TCP-MD5): a signed SYN that finds nobody is "
                    "dropped, not reset, as if the network had lost it");

    auto socket_c = start_active_open(c, d, signing);
    if (!socket_c) {   // a kernel without TCP-MD5 (not Linux, or built without it)
        lesson::say("this system cannot sign TCP segments ({}): step skipped", socket_c.error());
        return;
    }
    HandshakeWatch watch_c{loop, socket_c->get()};
    lesson::say("socket C: connect({}) -> C is {} (its SYN was dropped at {})", port_d,
                tcp_state(socket_c->get()), port_d);

    UniqueFd socket_d = open_or_fail(d, c, signing);
    HandshakeWatch watch_d{loop, socket_d.get()};
    lesson::say("socket D: connect({}) -> D's SYN finds C in SYN-SENT; C answers SYN,ACK "
                "(C: SYN-SENT -> SYN-RECEIVED)", port_c);

    wait_for(loop, [&] { return watch_c.is_done() && watch_d.is_done(); }, "both handshakes");
    if (watch_c.error() != 0 || watch_d.error() != 0) {
        lesson::say("socket C: {}; socket D: {}", outcome(watch_c.error()), outcome(watch_d.error()));
        lesson::fail("the simultaneous open did not happen");
    }
    lesson::say("socket C: {}", tcp_state(socket_c->get()));
    lesson::say("socket D: {}", tcp_state(socket_d.get()));
    End end_c{loop, std::move(*socket_c)};
    End end_d{loop, std::move(socket_d)};
    lesson::say("its 4-tuple, as each end sees it: C {}, D {}", end_c.four_tuple(options),
                end_d.four_tuple(options));
    lesson::say("ONE connection from two active opens: no listen(), no accept()");

    end_c.connection->send("hello from C");
    end_d.connection->send("hello from D");
    wait_for(loop, [&] { return end_c.received.size() == 12 && end_d.received.size() == 12; },
             "the two hellos");
    lesson::say("C -> D: D read \"{}\"", end_d.received);
    lesson::say("D -> C: C read \"{}\"", end_c.received);
}

// Step 3: one socket, bound to port E, connects to port E.
void self_connect(loop::EventLoop& loop, const lesson::Options& options) {
    const net::Address e = net::Address::loopback(free_port(loop));
    const std::string port_e = options.label(e.port(), "port");
    UniqueFd socket_e = open_or_fail(e, e, Signing::None);
    HandshakeWatch watch_e{loop, socket_e.get()};
    lesson::say("socket E: bound to {}, connect({})", port_e, port_e);
    lesson::say("its SYN arrives at itself while it is SYN-SENT: the simultaneous-open rules, "
                "with a single socket playing both ends");
    wait_for(loop, [&] { return watch_e.is_done(); }, "the self-connect");
    lesson::say("socket E: {}, {}", outcome(watch_e.error()), tcp_state(socket_e.get()));
    if (watch_e.error() != 0) return;

    End end_e{loop, std::move(socket_e)};
    lesson::say("its 4-tuple: {}: the same address at both ends", end_e.four_tuple(options));
    end_e.connection->send("echo?");
    wait_for(loop, [&] { return end_e.received.size() == 5; }, "the echo");
    lesson::say("E -> E: \"echo?\" written, and read back by the same socket: \"{}\"", end_e.received);
}

}  // namespace

int main(int argc, char** argv) {
    const auto options = lesson::parse(
        argc, argv, "lesson-15",
        lesson::flag("unsigned", "step 2 without TCP-MD5 (works when the network delays SYNs, "
                                 "e.g. tc netem on lo)"));
    lesson::TraceSession tracing{options};
    loop::EventLoop loop{options.poller};

    // 1. What the class notes had in mind: it fails, and we see why.
    options.step("Two clients connect to each other, one after the other");
    one_after_the_other(loop, options);

    // 2. The SYN meets a socket that is itself connecting: one connection.
    options.step("Simultaneous open: a SYN meets a socket in SYN-SENT");
    simultaneous_open(loop, options);

    // 3. The smallest case of the same rule.
    options.step("A socket that connects to itself");
    self_connect(loop, options);

    options.step("The correct statement");
    lesson::say("normally one side listens and accepts, and the other connects;");
    lesson::say("two active openers meet only through simultaneous open (RFC 9293 section 3.5),");
    lesson::say("which TCP implementations must support, and which NAT hole punching relies on");
    return 0;
}
