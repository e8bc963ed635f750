// tests/bench/load_generator.cpp
//
// load_generator — the client side of every network benchmark in `make bench`. It is its own
// small epoll loop in plain C-style C++ (no looplab loop), so that it is never the thing being
// measured, and it reports its own CPU use so a reader can tell when it was the bottleneck.
//
//   tcp-echo      N connections, each keeping M messages of S bytes in flight, for D seconds;
//                 counts echoed messages -> messages/s, MB/s (payload, one way)
//   tcp-pingpong  1 connection, 1 message in flight: round-trip latency p50/p99 in µs
//   udp           N connected UDP sockets, each keeping M datagrams of S bytes in flight to
//                 an ECHO server; counts echoed datagrams. The server therefore receives (and
//                 sends) that many datagrams per second: that is the "one way" figure. A
//                 datagram that is not back within kUdpLossTimeout counts as lost and is
//                 replaced, so loss lowers the figure instead of stalling the window.
//   ws-echo       WebSocket: HTTP upgrade with a fixed key, then masked binary frames of S
//                 bytes, N connections x M in flight; counts echoed (unmasked) frames
//   ws-pingpong   the same with 1 connection and 1 frame in flight: latency
//   ws-idle       opens K WebSocket connections, prints "up connections=K" when all are up,
//                 holds them D seconds (answering pings), then exits. tests/bench/run reads
//                 the server's RSS meanwhile: memory per idle connection.
//   sio-echo, sio-idle, sio-broadcast
//                 the same over Socket.IO (Engine.IO v4 on a WebSocket, namespace "/"): events
//                 42["echo","<S bytes>"] echoed back; K idle ready sockets; a room of K sockets
//                 (default 10,000) that receives M "tick" emits per blast -> deliveries/s.
//                 They live in socketio_load.hpp, which says exactly what they send.
//
// Usage: load_generator MODE [--host 127.0.0.1] --port N [--connections 100] [--depth 16]
//                            [--size 64] [--seconds 2] [--path /] [--timeout-ms 3000]
//                            [--wait sleep|spin]
//        (the sio modes' --path is the Engine.IO path, default /socket.io/)
//
// --wait spin never sleeps in epoll_wait (timeout 0, called again at once). On loopback, the
// kernel runs the receiving side's TCP input inside the sender's send(), and a send to a
// sleeping reader also pays for waking it: an inter-processor interrupt, which costs a
// virtual machine an exit to the host. A generator that sleeps between replies thus bills
// the server it measures for its own wake-ups (a quarter of the server's CPU in a Socket.IO
// broadcast, measured with perf on a 2-core VM). Spinning on a CPU of its own, the generator
// is always awake and the server no longer pays for waking it (it still carries the
// generator's TCP input, as every loopback sender does). Its CPU share then reads 100 %, so
// the result line also gives generator_busy: the share of the time it had work.
// tests/bench/run passes --wait spin to the runs of its tables when the generator has a CPU
// of its own (taskset), and sleep otherwise.
//
// Output: progress and errors on stderr; one line "result mode=... key=value ..." on stdout,
// which tests/bench/run parses. Exit code 1 on any error: server missing, connection reset,
// wrong echo, no progress for --timeout-ms. Every wait is bounded: nothing here can hang.
#include "load_tools.hpp"
#include "socketio_load.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

// ---- limits ---------------------------------------------------------------------------------

// Connections being connected or upgraded at once. More would overflow the server's listen
// backlog; the kernel then drops SYNs and retries after a second, which slows set-up down.
constexpr std::size_t kMaxOpening = 256;
// The whole set-up (connect + upgrade of every connection) must finish within kSetupSeconds
// plus kSetupSecondsPerConnection each, and some connection must come up every --timeout-ms,
// or the run fails with "only X of N connections are up". Generous: on a busy machine a
// WebSocket server can take milliseconds per upgrade.
constexpr double kSetupSeconds = 10.0;
constexpr double kSetupSecondsPerConnection = 0.005;
// Longest sleep in epoll_wait; every loop re-checks its deadlines at least this often.
constexpr int kTickMs = 20;
// A UDP datagram not echoed within this is counted as lost and replaced by a new one.
constexpr double kUdpLossTimeout = 0.05;
// Largest message size; bigger --size values are refused (the stream buffer must hold copies).
constexpr std::size_t kMaxSize = 1 << 20;
// The largest payload of one IPv4 UDP datagram (65535 - 8 UDP header - 20 IP header).
constexpr std::size_t kMaxUdpPayload = 65507;
// One read() takes at most this much; a level-triggered epoll calls us again for the rest.
constexpr std::size_t kReadChunk = 64 * 1024;
// Latency samples kept for percentiles (one per round trip; a 2 s run makes far fewer).
constexpr std::size_t kMaxSamples = 10'000'000;

// ---- small helpers --------------------------------------------------------------------------

using bench::cpu_seconds;
using bench::errno_text;
using bench::fail;
using bench::now_seconds;

// ---- options --------------------------------------------------------------------------------

enum class Mode {
    TcpEcho,
    TcpPingPong,
    Udp,
    WsEcho,
    WsPingPong,
    WsIdle,
    SioEcho,
    SioIdle,
    SioBroadcast
};

struct Options {
    Mode mode = Mode::TcpEcho;
    std::string mode_name;
    std::string host = "127.0.0.1";
    int port = 0;
    std::size_t connections = 100;
    std::size_t depth = 16;
    std::size_t size = 64;
    double seconds = 2.0;
    std::string path = "/";
    double timeout = 3.0;   // no progress for this long is an error
    bool spin = false;      // --wait spin: epoll_wait never sleeps (see the top of the file)

    // How long one epoll_wait may sleep: `timeout_ms`, or not at all with --wait spin.
    int wait_ms(int timeout_ms) const { return spin ? 0 : timeout_ms; }

    bool is_ws() const {
        return mode == Mode::WsEcho || mode == Mode::WsPingPong || mode == Mode::WsIdle;
    }
    bool is_pingpong() const { return mode == Mode::TcpPingPong || mode == Mode::WsPingPong; }
    bool is_socketio() const {
        return mode == Mode::SioEcho || mode == Mode::SioIdle || mode == Mode::SioBroadcast;
    }
};

[[noreturn]] void usage() {
    fmt::print(stderr,
               "usage: load_generator tcp-echo|tcp-pingpong|udp|ws-echo|ws-pingpong|ws-idle|\n"
               "                      sio-echo|sio-idle|sio-broadcast\n"
               "         [--host 127.0.0.1] --port N [--connections 100] [--depth 16]\n"
               "         [--size 64] [--seconds 2] [--path /] [--timeout-ms 3000]\n"
               "         [--wait sleep|spin]\n");
    std::exit(2);
}

Options parse(int argc, char** argv) {
    if (argc < 2) usage();
    Options options;
    options.mode_name = argv[1];
    const std::string_view mode = argv[1];
    if (mode == "tcp-echo") options.mode = Mode::TcpEcho;
    else if (mode == "tcp-pingpong") options.mode = Mode::TcpPingPong;
    else if (mode == "udp") options.mode = Mode::Udp;
    else if (mode == "ws-echo") options.mode = Mode::WsEcho;
    else if (mode == "ws-pingpong") options.mode = Mode::WsPingPong;
    else if (mode == "ws-idle") options.mode = Mode::WsIdle;
    else if (mode == "sio-echo") options.mode = Mode::SioEcho;
    else if (mode == "sio-idle") options.mode = Mode::SioIdle;
    else if (mode == "sio-broadcast") options.mode = Mode::SioBroadcast;
    else usage();
    if (options.is_socketio()) options.path = "/socket.io/";
    if (options.mode == Mode::SioBroadcast) options.connections = 10'000;

    for (int i = 2; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (i + 1 >= argc) usage();
        const char* value = argv[++i];
        auto number = [&](double low, double high) {
            char* end = nullptr;
            const double parsed = std::strtod(value, &end);
            if (end == value || *end != '\0' || parsed < low || parsed > high)
                fail(fmt::format("{} wants a number from {} to {}, not \"{}\"", arg, low, high,
                                 value));
            return parsed;
        };
        if (arg == "--host") options.host = value;
        else if (arg == "--port") options.port = static_cast<int>(number(1, 65535));
        else if (arg == "--connections")
            options.connections = static_cast<std::size_t>(number(1, 1e6));
        else if (arg == "--depth") options.depth = static_cast<std::size_t>(number(1, 1e6));
        else if (arg == "--size") options.size = static_cast<std::size_t>(number(1, kMaxSize));
        else if (arg == "--seconds") options.seconds = number(0, 3600);
        else if (arg == "--path") options.path = value;
        else if (arg == "--timeout-ms") options.timeout = number(1, 3.6e6) / 1000;
        else if (arg == "--wait" &&
                 (value == std::string_view{"sleep"} || value == std::string_view{"spin"}))
            options.spin = value == std::string_view{"spin"};
        else usage();
    }
    if (options.port == 0) fail("--port is required");
    if (options.mode == Mode::Udp && options.size > kMaxUdpPayload)
        fail(fmt::format("a UDP datagram carries at most {} bytes; lower --size", kMaxUdpPayload));
    if (options.is_pingpong()) options.connections = options.depth = 1;
    if (options.mode == Mode::WsIdle || options.mode == Mode::SioIdle) options.depth = 0;
    return options;
}

void raise_fd_limit(std::size_t connections) {
    const rlim_t wanted = connections + 64;   // + epoll, stdio, and a margin
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == -1) fail("getrlimit: " + errno_text());
    if (limit.rlim_cur >= wanted) return;
    if (limit.rlim_max < wanted)
        fail(
            fmt::format("{} connections need {} file descriptors but the hard limit is {}; "
                        "raise it (ulimit -Hn, or prlimit)",
                        connections, wanted, limit.rlim_max));
    limit.rlim_cur = wanted;
    if (::setrlimit(RLIMIT_NOFILE, &limit) == -1) fail("setrlimit: " + errno_text());
}

// ---- what we send ---------------------------------------------------------------------------

// Every message is the same `unit` of bytes (a raw payload, or one masked frame), so the whole
// outgoing stream is periodic. `stream` holds enough copies that one write() can send up to
// 64 KiB starting at any offset: sending never copies, and a partial write just leaves the
// stream position where it stopped.
//
//   stream  | unit | unit | unit | ... | unit |
//           ^ sent_total % unit.size() is where the next write starts
struct Outgoing {
    std::vector<std::uint8_t> payload;   // what the echo must carry back
    std::vector<std::uint8_t> unit;      // what one message looks like on the wire
    std::vector<std::uint8_t> stream;
};

std::vector<std::uint8_t> masked_binary_frame(const std::vector<std::uint8_t>& payload,
                                              std::uint8_t opcode = 0x2) {
    return bench::masked_frame(payload.data(), payload.size(), opcode);
}

Outgoing make_outgoing(const Options& options) {
    Outgoing out;
    out.payload.resize(options.size);
    for (std::size_t i = 0; i < options.size; ++i)
        out.payload[i] = static_cast<std::uint8_t>('a' + (i * 7 + i / 26) % 26);
    out.unit = options.is_ws() ? masked_binary_frame(out.payload) : out.payload;
    const std::size_t copies = 64 * 1024 / out.unit.size() + 2;
    for (std::size_t i = 0; i < copies; ++i)
        out.stream.insert(out.stream.end(), out.unit.begin(), out.unit.end());
    return out;
}

// ---- connections ----------------------------------------------------------------------------

enum class State { Connecting, Upgrading, Open };

struct Connection {
    int fd = -1;
    State state = State::Connecting;
    bool wants_write = false;       // EPOLLOUT is on
    std::uint64_t sent_total = 0;   // bytes of the periodic stream written so far
    std::uint64_t owed = 0;         // bytes of the stream still to write
    std::string upgrade_reply;      // the server's 101 response, until its blank line
    // Echo parsing. TCP: how far into the current message. WebSocket: the frame being read.
    std::uint64_t message_offset = 0;
    std::uint8_t header[14] = {};
    std::size_t header_length = 0;
    std::uint64_t frame_length = 0;
    std::uint64_t payload_left = 0;
    std::uint8_t opcode = 0;
    bool is_final = false;
    std::uint8_t control[125] = {};   // a ping's payload, echoed in the pong
    double sent_at = 0;               // ping-pong: when the message in flight left
};

struct Totals {
    std::uint64_t messages = 0;   // echoes received complete and correct
    std::uint64_t pings = 0;      // pings the server sent us (answered only while idle)
    std::uint64_t closed_by_server = 0;
    std::vector<double> latencies;   // seconds, ping-pong modes only
};

class Client {
public:
    Client(const Options& options, Outgoing outgoing)
        : options_(options), out_(std::move(outgoing)), connections_(options.connections) {
        epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
        if (epoll_fd_ == -1) fail("epoll_create1: " + errno_text());
        server_.sin_family = AF_INET;
        server_.sin_port = htons(static_cast<std::uint16_t>(options.port));
        if (::inet_pton(AF_INET, options.host.c_str(), &server_.sin_addr) != 1)
            fail(fmt::format("--host {} is not an IPv4 address", options.host));
    }

    std::string where() const { return fmt::format("{}:{}", options_.host, options_.port); }

    // Connects (and upgrades) every connection, at most kMaxOpening at a time.
    void open_all() {
        const std::size_t total = connections_.size();
        const double start = now_seconds();
        const double deadline =
            start + kSetupSeconds + kSetupSecondsPerConnection * static_cast<double>(total);
        std::size_t started = 0;
        double last_progress = start;
        std::size_t last_open = 0;
        while (open_ < total) {
            while (started < total && started - open_ < kMaxOpening) start_connect(started++);
            const double now = now_seconds();
            if (open_ != last_open) {
                last_open = open_;
                last_progress = now;
            }
            if (now > deadline || now - last_progress > options_.timeout)
                fail(fmt::format(
                    "only {} of {} connections to {} are up after {:.1f} s{}", open_, total,
                    where(), now - start,
                    options_.is_ws() ? " (does it answer the WebSocket upgrade?)" : ""));
            turn(kTickMs);
        }
    }

    // Puts `depth` messages in flight on every connection.
    void start_sending() {
        for (std::size_t i = 0; i < connections_.size(); ++i) {
            connections_[i].sent_at = now_seconds();
            owe(i, options_.depth);
        }
    }

    // Runs until `until`; fails when no echo arrives for --timeout-ms.
    void run_until(double until) {
        double last_progress = now_seconds();
        std::uint64_t last_count = totals_.messages;
        for (double now = last_progress; now < until; now = now_seconds()) {
            const double left_ms = (until - now) * 1000;
            turn(static_cast<int>(std::min<double>(kTickMs, left_ms + 1)));
            if (totals_.messages != last_count || options_.depth == 0) {
                last_count = totals_.messages;
                last_progress = now;
            } else if (now - last_progress > options_.timeout) {
                fail(
                    fmt::format("no echo from {} for {:.1f} s ({} echoes so far): is the server "
                                "stuck?",
                                where(), options_.timeout, totals_.messages));
            }
        }
    }

    const Totals& totals() const { return totals_; }
    std::size_t open_count() const { return open_; }
    double idle_seconds() const { return idle_.idle_seconds(); }

private:
    void start_connect(std::size_t index) {
        bench::start_connect(epoll_fd_, server_, connections_[index], index, where(), fail);
    }

    void set_wants_write(std::size_t index, bool wants) {
        bench::set_wants_write(epoll_fd_, connections_[index], index, wants, fail);
    }

    // One epoll_wait and the handlers of what it returned.
    void turn(int timeout_ms) {
        const auto handle = [this](std::size_t index, std::uint32_t e) {
            Connection& c = connections_[index];
            if (c.state == State::Connecting) return finish_connect(index);
            if (e & (EPOLLIN | EPOLLERR | EPOLLHUP)) on_readable(index);
            if ((e & EPOLLOUT) && c.fd != -1) flush(index);
        };
        bench::handle_ready(epoll_fd_, options_.wait_ms(timeout_ms), handle, fail, idle_);
    }

    void finish_connect(std::size_t index) {
        Connection& c = connections_[index];
        bench::check_connected(c.fd, where(), fail);
        set_wants_write(index, false);
        if (!options_.is_ws()) {
            c.state = State::Open;
            ++open_;
            return;
        }
        c.state = State::Upgrading;
        bench::send_upgrade_request(c.fd, options_.path, where(), where(), fail);
    }

    // Adds `messages` messages to what connection `index` must send, and sends what it can.
    void owe(std::size_t index, std::uint64_t messages) {
        connections_[index].owed += messages * out_.unit.size();
        flush(index);
    }

    void flush(std::size_t index) {
        Connection& c = connections_[index];
        const std::size_t unit = out_.unit.size();
        while (c.owed > 0) {
            const std::size_t offset = c.sent_total % unit;
            const std::size_t length = static_cast<std::size_t>(
                std::min<std::uint64_t>(c.owed, out_.stream.size() - offset));
            const ssize_t n = ::send(c.fd, out_.stream.data() + offset, length, MSG_NOSIGNAL);
            if (n == -1) {
                if (errno == EAGAIN || errno == EWOULDBLOCK) break;
                fail(fmt::format("send to {}: {}", where(), errno_text()));
            }
            c.sent_total += static_cast<std::uint64_t>(n);
            c.owed -= static_cast<std::uint64_t>(n);
        }
        set_wants_write(index, c.owed > 0);
    }

    void on_readable(std::size_t index) {
        static std::uint8_t buffer[kReadChunk];
        Connection& c = connections_[index];
        const ssize_t n = ::read(c.fd, buffer, sizeof buffer);
        if (n == -1) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) return;
            fail(fmt::format("read from {}: {}", where(), errno_text()));
        }
        if (n == 0) return on_server_closed(index);
        const std::uint8_t* bytes = buffer;
        std::size_t length = static_cast<std::size_t>(n);
        if (c.state == State::Upgrading) {
            const std::size_t used = read_upgrade_reply(index, bytes, length);
            bytes += used;
            length -= used;
        }
        if (c.state != State::Open || length == 0) return;
        if (options_.is_ws()) read_frames(index, bytes, length);
        else read_echo(index, bytes, length);
    }

    void on_server_closed(std::size_t index) {
        Connection& c = connections_[index];
        if (options_.mode != Mode::WsIdle || c.state != State::Open)
            fail(fmt::format("{} closed a connection ({} of {} were up){}", where(), open_,
                             connections_.size(),
                             c.state == State::Upgrading ? " during the WebSocket upgrade" : ""));
        ::close(c.fd);   // also leaves the epoll set
        c.fd = -1;
        ++totals_.closed_by_server;
    }

    // Collects the 101 response; returns how many bytes of `bytes` it used.
    std::size_t read_upgrade_reply(std::size_t index, const std::uint8_t* bytes, std::size_t n) {
        Connection& c = connections_[index];
        const long used = bench::take_upgrade_reply(c.upgrade_reply, bytes, n, where());
        if (used < 0) return n;
        c.state = State::Open;
        ++open_;
        return static_cast<std::size_t>(used);
    }

    // TCP echo: the bytes must be our periodic stream; every `size` bytes is one message.
    void read_echo(std::size_t index, const std::uint8_t* bytes, std::size_t n) {
        Connection& c = connections_[index];
        const std::size_t size = out_.payload.size();
        std::uint64_t completed = 0;
        while (n > 0) {
            const std::size_t take =
                std::min<std::size_t>(n, size - static_cast<std::size_t>(c.message_offset));
            if (std::memcmp(bytes, out_.payload.data() + c.message_offset, take) != 0)
                fail(fmt::format("{} echoed bytes that were never sent", where()));
            bytes += take;
            n -= take;
            c.message_offset += take;
            if (c.message_offset == size) {
                c.message_offset = 0;
                ++completed;
            }
        }
        if (completed > 0) echoed(index, completed);
    }

    // Counts `count` complete echoes on connection `index` and sends as many new messages.
    void echoed(std::size_t index, std::uint64_t count) {
        totals_.messages += count;
        if (options_.is_pingpong()) {
            const double now = now_seconds();
            if (totals_.latencies.size() < kMaxSamples)
                totals_.latencies.push_back(now - connections_[index].sent_at);
            connections_[index].sent_at = now;
        }
        if (options_.depth > 0) owe(index, count);
    }

    // WebSocket: server frames, cut anywhere. Headers are gathered byte by byte (they are 2 to
    // 10 bytes); payloads are compared with what we sent, chunk by chunk.
    void read_frames(std::size_t index, const std::uint8_t* bytes, std::size_t n) {
        Connection& c = connections_[index];
        std::uint64_t completed = 0;
        while (n > 0) {
            if (c.payload_left == 0) {
                c.header[c.header_length++] = *bytes++;
                --n;
                if (!header_complete(c)) continue;
                if (c.payload_left > 0) continue;
            } else {
                const std::size_t take =
                    static_cast<std::size_t>(std::min<std::uint64_t>(n, c.payload_left));
                check_payload(c, bytes, take);
                bytes += take;
                n -= take;
                c.payload_left -= take;
                if (c.payload_left > 0) continue;
            }
            completed += frame_done(index);
        }
        if (completed > 0) echoed(index, completed);
    }

    // True once c.header holds a whole header, which is then decoded into the frame fields.
    bool header_complete(Connection& c) {
        if (c.header_length < 2) return false;
        if (c.header[1] & 0x80)
            fail(fmt::format("{} sent a masked frame (servers must not)", where()));
        const std::uint8_t length7 = c.header[1] & 0x7f;
        const std::size_t needed = length7 == 127 ? 10 : length7 == 126 ? 4 : 2;
        if (c.header_length < needed) return false;
        std::uint64_t length = length7;
        if (length7 >= 126) {
            length = 0;
            for (std::size_t i = 2; i < needed; ++i) length = length << 8 | c.header[i];
        }
        c.is_final = (c.header[0] & 0x80) != 0;
        c.opcode = c.header[0] & 0x0f;
        if (c.header[0] & 0x70) fail(fmt::format("{} set RSV bits without an extension", where()));
        const bool is_control = (c.opcode & 0x8) != 0;
        if (is_control && length > 125)
            fail(fmt::format("{} sent a control frame over 125 bytes", where()));
        if (!is_control && length > options_.size)
            fail(fmt::format("{} echoed a frame of {} bytes; we sent {}", where(), length,
                             options_.size));
        c.frame_length = c.payload_left = length;
        c.header_length = 0;
        return true;
    }

    void check_payload(Connection& c, const std::uint8_t* bytes, std::size_t n) {
        const std::uint64_t offset = c.frame_length - c.payload_left;
        if (c.opcode & 0x8) {   // control: keep it (a ping's payload goes back in the pong)
            std::memcpy(c.control + offset, bytes, n);
            return;
        }
        // Data: continuation frames would carry on where the message left off.
        const std::uint64_t at = c.message_offset + offset;
        if (at + n > out_.payload.size() || std::memcmp(bytes, out_.payload.data() + at, n) != 0)
            fail(fmt::format("{} echoed a payload that differs from what we sent", where()));
    }

    // A frame just ended; returns 1 if it completed an echoed message.
    std::uint64_t frame_done(std::size_t index) {
        Connection& c = connections_[index];
        switch (c.opcode) {
            case 0x0:
            case 0x1:
            case 0x2:   // continuation, text, binary
                c.message_offset += c.frame_length;
                if (!c.is_final) return 0;
                if (c.message_offset != out_.payload.size())
                    fail(fmt::format("{} echoed a message of {} bytes; we sent {}", where(),
                                     c.message_offset, out_.payload.size()));
                c.message_offset = 0;
                return 1;
            case 0x8:
                fail(fmt::format("{} sent a close frame (code {})", where(),
                                 c.frame_length >= 2 ? c.control[0] << 8 | c.control[1] : 1005));
            case 0x9:
                ++totals_.pings;
                // While data flows, our stream is mid-frame more often than not, so a pong
                // cannot be slipped in; the benchmark runs are shorter than any ping interval.
                if (options_.mode == Mode::WsIdle) send_pong(c);
                return 0;
            case 0xA: return 0;
            default:
                fail(fmt::format("{} sent a frame with reserved opcode {}", where(), c.opcode));
        }
    }

    void send_pong(Connection& c) {
        const std::vector<std::uint8_t> payload(c.control, c.control + c.frame_length);
        const std::vector<std::uint8_t> pong = masked_binary_frame(payload, 0xA);
        if (::send(c.fd, pong.data(), pong.size(), MSG_NOSIGNAL) !=
            static_cast<ssize_t>(pong.size()))
            fail(fmt::format("could not send a pong to {}: {}", where(), errno_text()));
    }

    const Options& options_;
    bench::IdleClock idle_;
    Outgoing out_;
    std::vector<Connection> connections_;
    sockaddr_in server_{};
    int epoll_fd_ = -1;
    std::size_t open_ = 0;
    Totals totals_;
};

// ---- UDP ------------------------------------------------------------------------------------

struct UdpTotals {
    std::uint64_t sent = 0;
    std::uint64_t echoed = 0;
    std::uint64_t lost = 0;
};

struct UdpSocket {
    int fd = -1;
    std::uint64_t in_flight = 0;
    std::uint64_t owed = 0;   // datagrams the send buffer had no room for yet
    double last_heard = 0;
    bool wants_write = false;
};

class UdpClient {
public:
    explicit UdpClient(const Options& options) : options_(options), sockets_(options.connections) {
        payload_.resize(options.size);
        for (std::size_t i = 0; i < payload_.size(); ++i)
            payload_[i] = static_cast<char>('a' + i % 26);
        epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
        if (epoll_fd_ == -1) fail("epoll_create1: " + errno_text());
        sockaddr_in server{};
        server.sin_family = AF_INET;
        server.sin_port = htons(static_cast<std::uint16_t>(options.port));
        if (::inet_pton(AF_INET, options.host.c_str(), &server.sin_addr) != 1)
            fail(fmt::format("--host {} is not an IPv4 address", options.host));
        for (std::size_t i = 0; i < sockets_.size(); ++i) {
            UdpSocket& s = sockets_[i];
            s.fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            if (s.fd == -1) fail("socket: " + errno_text());
            // connect() fixes the peer: send() needs no address, and an ICMP "port
            // unreachable" comes back to us as ECONNREFUSED instead of being lost.
            if (::connect(s.fd, reinterpret_cast<const sockaddr*>(&server), sizeof server) == -1)
                fail(fmt::format("connect udp {}: {}", where(), errno_text()));
            epoll_event event{};
            event.events = EPOLLIN;
            event.data.u64 = i;
            if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, s.fd, &event) == -1)
                fail("epoll_ctl: " + errno_text());
        }
    }

    std::string where() const { return fmt::format("{}:{}", options_.host, options_.port); }

    void run_until(double until) {
        const double start = now_seconds();
        for (std::size_t i = 0; i < sockets_.size(); ++i) {
            sockets_[i].last_heard = start;
            sockets_[i].owed = options_.depth;
            send_owed(i);
        }
        double last_progress = start;
        std::uint64_t last_echoed = 0;
        for (double now = start; now < until; now = now_seconds()) {
            turn(static_cast<int>(
                std::min<double>(kUdpLossTimeout * 1000 / 2, (until - now) * 1000 + 1)));
            now = now_seconds();
            replace_lost(now);
            if (totals_.echoed != last_echoed) {
                last_echoed = totals_.echoed;
                last_progress = now;
            } else if (now - last_progress > options_.timeout) {
                fail(
                    fmt::format("no datagram came back from {} for {:.1f} s: is an echo server "
                                "listening there?",
                                where(), options_.timeout));
            }
        }
    }

    const UdpTotals& totals() const { return totals_; }
    double idle_seconds() const { return idle_.idle_seconds(); }

private:
    void turn(int timeout_ms) {
        epoll_event events[256];
        idle_.before_wait();
        const int count =
            ::epoll_wait(epoll_fd_, events, 256, std::max(options_.wait_ms(timeout_ms), 0));
        idle_.after_wait(count);
        if (count == -1) {
            if (errno == EINTR) return;
            fail("epoll_wait: " + errno_text());
        }
        for (int i = 0; i < count; ++i) {
            const std::size_t index = events[i].data.u64;
            if (events[i].events & (EPOLLIN | EPOLLERR)) receive(index);
            if (events[i].events & EPOLLOUT) send_owed(index);
        }
    }

    void receive(std::size_t index) {
        UdpSocket& s = sockets_[index];
        char buffer[kMaxUdpPayload + 1];   // +1: a longer echo shows up as a wrong length
        std::uint64_t got = 0;
        // At most a window's worth per turn, so one socket cannot starve the others.
        for (std::size_t i = 0; i < options_.depth; ++i) {
            const ssize_t n = ::recv(s.fd, buffer, sizeof buffer, 0);
            if (n == -1) {
                if (errno == EAGAIN || errno == EWOULDBLOCK) break;
                if (errno == ECONNREFUSED)
                    fail(fmt::format("nobody listens on udp {} (ICMP port unreachable)", where()));
                fail(fmt::format("recv from udp {}: {}", where(), errno_text()));
            }
            if (static_cast<std::size_t>(n) != payload_.size())
                fail(
                    fmt::format("udp {} echoed {} bytes; we sent {}", where(), n, payload_.size()));
            ++got;
        }
        if (got == 0) return;
        totals_.echoed += got;
        s.in_flight -= std::min(s.in_flight, got);   // a late echo of a "lost" one: no underflow
        s.last_heard = now_seconds();
        s.owed += got;
        send_owed(index);
    }

    void send_owed(std::size_t index) {
        UdpSocket& s = sockets_[index];
        while (s.owed > 0) {
            if (::send(s.fd, payload_.data(), payload_.size(), 0) == -1) {
                if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) break;
                if (errno == ECONNREFUSED)
                    fail(fmt::format("nobody listens on udp {} (ICMP port unreachable)", where()));
                fail(fmt::format("send to udp {}: {}", where(), errno_text()));
            }
            --s.owed;
            ++s.in_flight;
            ++totals_.sent;
        }
        const bool wants = s.owed > 0;
        if (wants == s.wants_write) return;
        epoll_event event{};
        event.events = EPOLLIN | (wants ? EPOLLOUT : 0u);
        event.data.u64 = index;
        if (::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, s.fd, &event) == -1)
            fail("epoll_ctl: " + errno_text());
        s.wants_write = wants;
    }

    // A socket that heard nothing for kUdpLossTimeout gets its whole window back: what was in
    // flight is counted lost (UDP will not resend it) and replaced.
    void replace_lost(double now) {
        for (std::size_t i = 0; i < sockets_.size(); ++i) {
            UdpSocket& s = sockets_[i];
            if (s.in_flight == 0 || now - s.last_heard < kUdpLossTimeout) continue;
            totals_.lost += s.in_flight;
            s.owed += s.in_flight;
            s.in_flight = 0;
            s.last_heard = now;
            send_owed(i);
        }
    }

    const Options& options_;
    bench::IdleClock idle_;
    std::vector<UdpSocket> sockets_;
    std::string payload_;
    int epoll_fd_ = -1;
    UdpTotals totals_;
};

// ---- reports --------------------------------------------------------------------------------

double percentile(std::vector<double>& sorted, double p) {
    if (sorted.empty()) return 0;
    const auto at =
        static_cast<std::size_t>(p / 100 * static_cast<double>(sorted.size() - 1) + 0.5);
    return sorted[std::min(at, sorted.size() - 1)];
}

void print_result(const Options& options, const std::string& fields, double elapsed, double cpu,
                  double idle) {
    bench::print_result(options.mode_name, options.connections, options.depth, options.size, fields,
                        elapsed, cpu, idle, !options.is_pingpong() && options.mode != Mode::WsIdle);
}

int run_stream(const Options& options) {
    Client client{options, make_outgoing(options)};
    client.open_all();
    const double start = now_seconds();
    const double cpu_start = cpu_seconds();
    const double idle_start = client.idle_seconds();
    client.start_sending();
    client.run_until(start + options.seconds);
    const double elapsed = now_seconds() - start;
    const double cpu = cpu_seconds() - cpu_start;
    const double idle = client.idle_seconds() - idle_start;
    const Totals& totals = client.totals();
    if (totals.messages == 0)
        fail(fmt::format("no echo came back from {} in {:.1f} s", client.where(), elapsed));
    const double per_second = static_cast<double>(totals.messages) / elapsed;
    std::string fields =
        fmt::format("messages={} msgs_per_s={:.0f} mb_per_s={:.1f}", totals.messages, per_second,
                    per_second * static_cast<double>(options.size) / 1e6);
    if (options.is_pingpong()) {
        std::vector<double> sorted = totals.latencies;
        std::sort(sorted.begin(), sorted.end());
        double sum = 0;
        for (double sample : sorted) sum += sample;
        fields += fmt::format(
            " p50_us={:.1f} p99_us={:.1f} min_us={:.1f} max_us={:.1f} avg_us={:.1f}",
            1e6 * percentile(sorted, 50), 1e6 * percentile(sorted, 99),
            sorted.empty() ? 0 : 1e6 * sorted.front(), sorted.empty() ? 0 : 1e6 * sorted.back(),
            sorted.empty() ? 0 : 1e6 * sum / static_cast<double>(sorted.size()));
    }
    if (totals.pings > 0) fields += fmt::format(" pings_ignored={}", totals.pings);
    print_result(options, fields, elapsed, cpu, idle);
    return 0;
}

int run_idle(const Options& options) {
    Client client{options, make_outgoing(options)};
    const double start = now_seconds();
    client.open_all();
    const double setup = now_seconds() - start;
    fmt::print("up connections={} setup_seconds={:.2f}\n", client.open_count(), setup);
    std::fflush(stdout);   // tests/bench/run waits for this line, then reads the server's RSS
    const double hold_start = now_seconds();
    const double cpu_start = cpu_seconds();
    const double idle_start = client.idle_seconds();
    client.run_until(hold_start + options.seconds);
    print_result(
        options,
        fmt::format("up={} setup_seconds={:.2f} closed_by_server={} pings={}", client.open_count(),
                    setup, client.totals().closed_by_server, client.totals().pings),
        now_seconds() - hold_start, cpu_seconds() - cpu_start, client.idle_seconds() - idle_start);
    return client.totals().closed_by_server == 0 ? 0 : 1;
}

int run_socketio(const Options& options) {
    bench::SioOptions sio;
    sio.mode = options.mode == Mode::SioEcho   ? bench::SioMode::Echo
               : options.mode == Mode::SioIdle ? bench::SioMode::Idle
                                               : bench::SioMode::Broadcast;
    sio.mode_name = options.mode_name;
    sio.host = options.host;
    sio.port = options.port;
    sio.connections = options.connections;
    sio.depth = options.depth;
    sio.size = options.size;
    sio.seconds = options.seconds;
    sio.path = options.path;
    sio.timeout = options.timeout;
    sio.spin = options.spin;
    switch (sio.mode) {
        case bench::SioMode::Echo: return bench::run_sio_echo(sio);
        case bench::SioMode::Idle: return bench::run_sio_idle(sio);
        case bench::SioMode::Broadcast: return bench::run_sio_broadcast(sio);
    }
    return 2;
}

int run_udp(const Options& options) {
    UdpClient client{options};
    const double start = now_seconds();
    const double cpu_start = cpu_seconds();
    const double idle_start = client.idle_seconds();
    client.run_until(start + options.seconds);
    const double elapsed = now_seconds() - start;
    const UdpTotals& totals = client.totals();
    if (totals.echoed == 0)
        fail(fmt::format("no datagram came back from udp {} in {:.1f} s", client.where(), elapsed));
    print_result(
        options,
        fmt::format("sent={} echoed={} lost={} sent_per_s={:.0f} echoed_per_s={:.0f}", totals.sent,
                    totals.echoed, totals.lost, static_cast<double>(totals.sent) / elapsed,
                    static_cast<double>(totals.echoed) / elapsed),
        elapsed, cpu_seconds() - cpu_start, client.idle_seconds() - idle_start);
    return 0;
}

}   // namespace

int main(int argc, char** argv) {
    const Options options = parse(argc, argv);
    raise_fd_limit(options.connections);
    switch (options.mode) {
        case Mode::Udp: return run_udp(options);
        case Mode::WsIdle: return run_idle(options);
        case Mode::SioEcho:
        case Mode::SioIdle:
        case Mode::SioBroadcast: return run_socketio(options);
        default: return run_stream(options);
    }
}
