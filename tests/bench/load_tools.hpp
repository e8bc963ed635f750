// tests/bench/load_tools.hpp
//
// What the load generators share: failing loudly, clocks, the result line, reading numbers
// from the command line, non-blocking TCP connections under one epoll, and the client side of
// a WebSocket (the upgrade request, its reply, masked frames). Included by load_generator.cpp
// (and its socketio_load.hpp), cluster_load.cpp and socketio_client_load.cpp; the Makefile
// builds each tests/bench/*.cpp as its own binary, so code shared between them lives in
// headers like this one.
//
// The helpers that can fail take the tool's own `fail` (one line on stderr, exit 1), so each
// tool's messages keep its name.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

namespace bench {

// RFC 6455 §1.3's example key and the accept value every server must answer it with.
inline constexpr std::string_view kWsKey = "dGhlIHNhbXBsZSBub25jZQ==";
inline constexpr std::string_view kWsAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
// Our mask key. A fixed one is fine for a benchmark (servers must not care), and non-zero so
// the server really has to unmask.
inline constexpr std::uint8_t kMask[4] = {0x37, 0xfa, 0x21, 0x3d};
// The longest upgrade reply we wait for; a longer one fails the run.
inline constexpr std::size_t kMaxUpgradeReply = 8192;

[[noreturn]] inline void fail(const std::string& message) {
    fmt::print(stderr, "load_generator: {}\n", message);
    std::exit(1);
}

inline double now_seconds() {
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

inline double cpu_seconds() {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6;
    };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

inline std::string errno_text() { return std::strerror(errno); }

// `text` as a number of type Number (all of it: "12x" is not one), or nothing.
template <typename Number>
std::optional<Number> number_from(std::string_view text) {
    Number value{};
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

// A bad command line: the tool's usage text on stderr, and exit 2.
[[noreturn]] inline void exit_with_usage(std::string_view usage) {
    fmt::print(stderr, "{}", usage);
    std::exit(2);
}

// An option's value as a Number, or exit_with_usage(usage).
template <typename Number>
Number number_or_usage(std::string_view text, std::string_view usage) {
    if (const auto value = number_from<Number>(text)) return *value;
    exit_with_usage(usage);
}

// ---- connections under one epoll (each tool keeps its own table of them) ------------------

// Events one epoll_wait hands over at most; a level-triggered epoll reports the rest next time.
inline constexpr int kEventsPerWait = 256;

// Watches `fd` for input, and for output too when `writable`; `index` comes back with its
// events. `op`: EPOLL_CTL_ADD or EPOLL_CTL_MOD.
template <typename Fail>
void epoll_watch(int epoll_fd, int op, int fd, std::size_t index, bool writable, Fail&& fail) {
    epoll_event event{};
    event.events = EPOLLIN | (writable ? EPOLLOUT : 0u);
    event.data.u64 = index;
    if (::epoll_ctl(epoll_fd, op, fd, &event) == -1) fail("epoll_ctl: " + errno_text());
}

// Below, a Connection is any struct of a tool's with `int fd` and `bool wants_write` (whether
// epoll watches it for output too).

// Connection `c` (number `index`): a new non-blocking TCP socket (TCP_NODELAY: small messages
// must leave now, not wait for Nagle) whose connect to `server` (called `where` in messages)
// is under way, watched by `epoll_fd` for output too: writable = the connect finished
// (check_connected()).
template <typename Connection, typename Fail>
void start_connect(int epoll_fd, const sockaddr_in& server, Connection& c, std::size_t index,
                   const std::string& where, Fail&& fail) {
    c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd == -1) fail("socket: " + errno_text());
    const int on = 1;
    ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    if (::connect(c.fd, reinterpret_cast<const sockaddr*>(&server), sizeof server) == -1 &&
        errno != EINPROGRESS)
        fail(fmt::format("connect {}: {} (is the server running?)", where, errno_text()));
    epoll_watch(epoll_fd, EPOLL_CTL_ADD, c.fd, index, true, fail);
    c.wants_write = true;
}

// Watches connection `c` (number `index`) for output too, or no longer.
template <typename Connection, typename Fail>
void set_wants_write(int epoll_fd, Connection& c, std::size_t index, bool wants, Fail&& fail) {
    if (c.wants_write == wants) return;
    epoll_watch(epoll_fd, EPOLL_CTL_MOD, c.fd, index, wants, fail);
    c.wants_write = wants;
}

// Once a socket of start_connect() turned writable: fails the run unless its connect worked.
template <typename Fail>
void check_connected(int fd, const std::string& where, Fail&& fail) {
    int error = 0;
    socklen_t length = sizeof error;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
    if (error != 0)
        fail(fmt::format("connect {}: {} (is the server running?)", where, std::strerror(error)));
}

// The time a generator had nothing to do: from an epoll_wait that returned no event to the
// next epoll_wait. With --wait spin the generator's CPU share is always about 100 %, so this,
// not its CPU time, tells whether it was the bottleneck: busy share = 1 - idle / elapsed.
class IdleClock {
public:
    void before_wait() {
        const double now = now_seconds();
        if (last_was_empty_) idle_seconds_ += now - last_wait_;
        last_wait_ = now;
    }
    void after_wait(int events) { last_was_empty_ = events == 0; }
    double idle_seconds() const { return idle_seconds_; }

private:
    double last_wait_ = 0;
    bool last_was_empty_ = false;
    double idle_seconds_ = 0;
};

// One epoll_wait of at most `timeout_ms` (a signal ends it early, with nothing to handle),
// then handle(index, events) for each connection that is ready.
template <typename Handle, typename Fail>
void handle_ready(int epoll_fd, int timeout_ms, Handle&& handle, Fail&& fail, IdleClock& idle) {
    epoll_event events[kEventsPerWait];
    idle.before_wait();
    const int count = ::epoll_wait(epoll_fd, events, kEventsPerWait, std::max(timeout_ms, 0));
    idle.after_wait(count);
    if (count == -1) {
        if (errno == EINTR) return;
        fail("epoll_wait: " + errno_text());
    }
    for (int i = 0; i < count; ++i)
        handle(static_cast<std::size_t>(events[i].data.u64),
               static_cast<std::uint32_t>(events[i].events));
}

// ---- results --------------------------------------------------------------------------------

// The one line tests/bench/run parses: "result mode=... key=value ...". `cpu` is the
// generator's CPU time and `idle` its IdleClock time over the `elapsed` seconds measured
// (idle < 0: not measured). generator_cpu is its CPU share; generator_busy, the share of the
// time it had work, which is what tells a spinning generator's load. Warns on stderr when the
// generator was busy nearly all the time (it may then be what limits the figure).
inline void print_result(std::string_view mode, std::size_t connections, std::size_t depth,
                         std::size_t size, const std::string& fields, double elapsed, double cpu,
                         double idle, bool warn_if_busy) {
    const double cpu_share = elapsed > 0 ? cpu / elapsed : 0;
    const double busy_share = idle < 0 ? cpu_share : std::max(0.0, 1 - idle / elapsed);
    fmt::print(
        "result mode={} connections={} depth={} size={} seconds={:.2f} {} "
        "generator_cpu={:.0f}%{}\n",
        mode, connections, depth, size, elapsed, fields, 100 * cpu_share,
        idle < 0 ? std::string{} : fmt::format(" generator_busy={:.0f}%", 100 * busy_share));
    if (warn_if_busy && busy_share > 0.95)
        fmt::print(stderr,
                   "load_generator: warning: the generator was busy {:.0f}% of the time; it "
                   "may be the bottleneck\n",
                   100 * busy_share);
}

// One client frame: FIN, `opcode`, masked with kMask (clients must mask every frame).
inline std::vector<std::uint8_t> masked_frame(const std::uint8_t* payload, std::size_t n,
                                              std::uint8_t opcode) {
    std::vector<std::uint8_t> frame;
    frame.push_back(static_cast<std::uint8_t>(0x80 | opcode));   // FIN + opcode
    if (n < 126) {
        frame.push_back(static_cast<std::uint8_t>(0x80 | n));   // MASK bit + 7-bit length
    } else if (n <= 0xffff) {
        frame.push_back(0x80 | 126);
        frame.push_back(static_cast<std::uint8_t>(n >> 8));
        frame.push_back(static_cast<std::uint8_t>(n));
    } else {
        frame.push_back(0x80 | 127);
        for (int shift = 56; shift >= 0; shift -= 8)
            frame.push_back(static_cast<std::uint8_t>(static_cast<std::uint64_t>(n) >> shift));
    }
    frame.insert(frame.end(), kMask, kMask + 4);
    for (std::size_t i = 0; i < n; ++i) frame.push_back(payload[i] ^ kMask[i % 4]);
    return frame;
}

inline std::vector<std::uint8_t> masked_text_frame(std::string_view text) {
    return masked_frame(reinterpret_cast<const std::uint8_t*>(text.data()), text.size(), 0x1);
}

inline std::string upgrade_request(std::string_view path, std::string_view host) {
    return fmt::format(
        "GET {} HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: {}\r\nSec-WebSocket-Version: 13\r\n\r\n",
        path, host, kWsKey);
}

// Sends upgrade_request(path, host) on a socket that has just connected: a fresh socket has a
// whole send buffer free, so the request always goes in one send. MSG_NOSIGNAL: a server that
// already dropped the connection makes this fail with a message, not kill us with SIGPIPE.
template <typename Fail>
void send_upgrade_request(int fd, std::string_view path, std::string_view host,
                          const std::string& where, Fail&& fail) {
    const std::string request = upgrade_request(path, host);
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(request.size()))
        fail(fmt::format("could not send the upgrade request to {}: {}", where, errno_text()));
}

// Collects the server's reply to upgrade_request() in `reply`. Returns how many of the `n` new
// bytes belonged to it once the blank line has come (the rest are frames), or -1 while it is
// still incomplete. Fails the run unless it is a 101 with the right Sec-WebSocket-Accept.
inline long take_upgrade_reply(std::string& reply, const std::uint8_t* bytes, std::size_t n,
                               const std::string& where) {
    const std::size_t before = reply.size();
    reply.append(reinterpret_cast<const char*>(bytes), n);
    const std::size_t end = reply.find("\r\n\r\n");
    if (end == std::string::npos) {
        if (reply.size() > kMaxUpgradeReply) fail("the upgrade response is over 8 KiB long");
        return -1;
    }
    std::string head = reply.substr(0, end + 2);
    const std::string first_line = head.substr(0, head.find("\r\n"));
    if (first_line.rfind("HTTP/1.1 101", 0) != 0)
        fail(fmt::format("{} refused the WebSocket upgrade: \"{}\"", where, first_line));
    for (char& ch : head) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    std::string accept_line = "sec-websocket-accept: ";
    for (char ch : kWsAccept) accept_line += static_cast<char>(std::tolower(ch));
    if (head.find("\r\n" + accept_line + "\r\n") == std::string::npos)
        fail(fmt::format("{} answered the upgrade without \"Sec-WebSocket-Accept: {}\"", where,
                         kWsAccept));
    const long used = static_cast<long>(end + 4 - before);
    reply.clear();
    reply.shrink_to_fit();
    return used;
}

}   // namespace bench
