// tests/bench/cluster_load.cpp
//
// cluster_load — the load generator of the cross-server room broadcast (issue 12 §5): two
// Socket.IO servers A and B joined by one Redis (the bench servers socketio_echo_server.cpp
// and .js started with --adapter redis), the same generator for looplab's pair and Node's.
//
//   cluster_load --port-a A --port-b B [--receivers 100] [--window 25600] [--size 64]
//                [--seconds 2] [--rate 10000] [--timeout 3] [--pids PID,PID]
//
//        sender ──42["blast",1,"<seq><t_emit><filler>"]──► server A ──PUBLISH──► Redis
//                                                                                  │
//   N receivers ◄──42["tick","<seq><t_emit><filler>"]──── server B ◄──message────────┘
//   (all in room "bench", on B)
//
// One process holds the sender and every receiver, so the emit time written into the
// payload and the receipt time read on arrival come from the same clock (CLOCK_MONOTONIC).
// The sender is not in the room, and A has no member of it: every delivery crossed Redis.
// One emit = N deliveries. Phases, one after the other:
//   set-up   N receivers connect to B and join "bench" (acked); the sender connects to A
//   path     one emit every kProbeEvery until every receiver has a tick (B's subscription
//            to Redis may come up after "listening"); then 0.5 s of flood, not counted
//   flood    for --seconds: emits as fast as the receivers keep up, with at most --window
//            deliveries under way (window / N emits not yet on every receiver, at least one)
//            -> deliveries_per_s. 25,600 by default (256 emits to 100 receivers): with 100
//            receivers, a shallower window capped both pairs here (3,200: looplab ~0.4 M/s,
//            25,600: ~2 M/s); a deeper one slowed both (102,400: the receivers' socket
//            buffers fill and the servers queue). In deliveries, not emits, so that a big room
//            does not put a second's worth of ticks in flight at once.
//   paced    for --seconds: emits at --rate deliveries/s (rate / N emits/s), every
//            delivery's latency from emit (written to A) to receipt (read from B)
//            -> p50_us p99_us max_us
// After flood and paced, the generator waits until every receiver has every emit (or for
// --timeout without progress): what never came is counted as lost (one that comes later
// after all is taken off again and counted late), and a tick out of order (or twice) fails
// the run. Result, one line for tests/bench/run:
//   result mode=cluster connections=N depth=EMITS_IN_FLIGHT size=S seconds=D emits=E deliveries=X
//     deliveries_per_s=R lost=L paced_rate=P paced_deliveries_per_s=Q paced_lost=M
//     p50_us=... p99_us=... max_us=... late=K pings=... generator_cpu=C%
// (generator_cpu: of the flood phase). With --pids (the two servers' process ids, Linux), also
// servers_cpu=X% (the CPU the servers used together during the flood, in shares of one CPU)
// and per_server_cpu=Y (deliveries per CPU-second of the servers: the figure to compare when
// others share the machine, as tests/bench/run's other tables do). Exits 1 with one line on stderr
// when a server cannot be reached, a connection is closed, or nothing moves for --timeout.
#include "load_tools.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

using bench::now_seconds;

// As bench::fail (which load_tools.hpp's WebSocket helpers still call), under our own name.
[[noreturn]] void fail(const std::string& message) {
    fmt::print(stderr, "cluster_load: {}\n", message);
    std::exit(1);
}

// Connections being set up at once (more would overflow a listen backlog).
constexpr std::size_t kMaxOpening = 256;
// Set-up of all connections must end within this plus so much per connection.
constexpr double kSetupSeconds = 10.0;
constexpr double kSetupSecondsPerConnection = 0.005;
// Until the path through Redis works: one probe emit this often, for at most kPathSeconds.
constexpr double kProbeEvery = 0.05;
constexpr double kPathSeconds = 10.0;
// The flood that warms the path up before anything is counted.
constexpr double kWarmUpSeconds = 0.5;
// Longest sleep in epoll_wait; deadlines are checked at least this often.
constexpr int kTickMs = 20;
// The largest WebSocket message we accept; a bigger one fails the run.
constexpr std::size_t kMaxMessage = 1 << 20;
// One read() takes at most this much; a level-triggered epoll calls us again for the rest.
constexpr std::size_t kReadChunk = 64 * 1024;
// The payload starts with the emit's number and its emit time, 16 hex digits each.
constexpr std::size_t kStampDigits = 16;
constexpr std::size_t kMinSize = 2 * kStampDigits;
constexpr std::size_t kMaxSize = 64 * 1024;
constexpr std::size_t kMaxReceivers = 100'000;
// Receivers that saw some emits skipped, printed one line each; the rest only counted.
constexpr std::uint64_t kMaxGapNotes = 3;
// The room the bench servers' "blast" emits to.
constexpr std::string_view kRoom = "bench";

struct Options {
    int port_a = 0;
    int port_b = 0;
    std::size_t receivers = 100;
    std::size_t window = 25'600;   // flood: deliveries under way (see the header)
    std::size_t size = 64;         // bytes of the string each tick carries
    double seconds = 2.0;
    double rate = 10'000;    // paced: deliveries per second, all receivers together
    double timeout = 3.0;    // no progress for this long is an error
    std::vector<int> pids;   // the servers, for their CPU time (none: not measured)
};

constexpr std::string_view kUsage =
    "usage: cluster_load --port-a A --port-b B [--receivers N] [--window W] [--size S]\n"
    "                    [--seconds D] [--rate DELIVERIES_PER_S] [--timeout S]\n";

[[noreturn]] void usage() { bench::exit_with_usage(kUsage); }

template <typename Number>
Number number_of(std::string_view text) {
    return bench::number_or_usage<Number>(text, kUsage);
}

Options parse(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; i += 2) {
        if (i + 1 >= argc) usage();
        const std::string_view name = argv[i];
        const std::string_view value = argv[i + 1];
        if (name == "--port-a") options.port_a = number_of<int>(value);
        else if (name == "--port-b") options.port_b = number_of<int>(value);
        else if (name == "--receivers") options.receivers = number_of<std::size_t>(value);
        else if (name == "--window") options.window = number_of<std::size_t>(value);
        else if (name == "--size") options.size = number_of<std::size_t>(value);
        else if (name == "--seconds") options.seconds = number_of<double>(value);
        else if (name == "--rate") options.rate = number_of<double>(value);
        else if (name == "--timeout") options.timeout = number_of<double>(value);
        else if (name == "--pids") {
            for (std::string_view rest = value; !rest.empty();) {
                const std::size_t comma = std::min(rest.find(','), rest.size());
                options.pids.push_back(number_of<int>(rest.substr(0, comma)));
                rest.remove_prefix(std::min(comma + 1, rest.size()));
            }
        } else usage();
    }
    const auto port_ok = [](int port) { return port > 0 && port < 65536; };
    if (!port_ok(options.port_a) || !port_ok(options.port_b)) usage();
    if (options.receivers == 0 || options.receivers > kMaxReceivers || options.window == 0 ||
        options.size < kMinSize || options.size > kMaxSize || !(options.seconds > 0) ||
        !(options.rate > 0) || !(options.timeout > 0))
        usage();
    return options;
}

// User + system CPU seconds process `pid` has used (fields 14 and 15 of /proc/PID/stat,
// counted after the ")" that ends the name, which may hold spaces); -1 when unreadable.
double cpu_seconds_of(int pid) {
    std::ifstream file{fmt::format("/proc/{}/stat", pid)};
    std::string stat{std::istreambuf_iterator<char>{file}, std::istreambuf_iterator<char>{}};
    const std::size_t name_end = stat.rfind(')');
    if (name_end == std::string::npos) return -1;
    std::istringstream fields{stat.substr(name_end + 1)};
    std::string field;
    double ticks = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i)   // field 3 is the state
        if (i >= 14) ticks += std::strtod(field.c_str(), nullptr);
    const long per_second = ::sysconf(_SC_CLK_TCK);
    return per_second > 0 ? ticks / static_cast<double>(per_second) : -1;
}

// The servers' CPU seconds together; -1 when there are none or one is unreadable.
double servers_cpu_seconds(const std::vector<int>& pids) {
    double total = 0;
    for (const int pid : pids) {
        const double seconds = cpu_seconds_of(pid);
        if (seconds < 0) return -1;
        total += seconds;
    }
    return pids.empty() ? -1 : total;
}

std::uint64_t now_ns() {
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<std::uint64_t>(now.tv_sec) * 1'000'000'000u +
           static_cast<std::uint64_t>(now.tv_nsec);
}

void put_hex(char* out, std::uint64_t value) {
    constexpr char kDigits[] = "0123456789abcdef";
    for (std::size_t i = kStampDigits; i-- > 0; value >>= 4) out[i] = kDigits[value & 0xf];
}

bool get_hex(std::string_view text, std::uint64_t& value) {
    if (text.size() != kStampDigits) return false;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
    return error == std::errc{} && end == text.data() + text.size();
}

// Where a connection is on its way to "ready":
//   TCP connect ─► GET /socket.io/?EIO=4&transport=websocket (101) ─► server: 0{"sid":...}
//   ─► us: 40 ─► server: 40{"sid":...} ─► (receivers) us: 420["join","bench"]
//   ─► server: 430[members] ─► ready
enum class Stage { Connecting, Upgrading, AwaitingOpen, AwaitingConnect, AwaitingJoin, Ready };

struct Connection {
    int fd = -1;
    bool is_sender = false;
    Stage stage = Stage::Connecting;
    bool wants_write = false;
    std::string out;   // frames not yet written
    std::size_t out_sent = 0;
    std::string upgrade_reply;    // the 101 response until its blank line
    std::string inbox;            // the start of a frame that has not fully arrived
    std::string fragments;        // a fragmented message so far
    std::uint64_t next_seq = 0;   // receivers: the emit expected next
    bool wrote_off = false;       // receivers: some emit was given up on (it may still come, late)
};

class Cluster {
public:
    explicit Cluster(const Options& options)
        : options_(options), connections_(options.receivers + 1) {
        epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
        if (epoll_fd_ == -1) fail("epoll_create1: " + bench::errno_text());
        connections_[0].is_sender = true;
        filler_.resize(options.size - kMinSize);
        for (std::size_t i = 0; i < filler_.size(); ++i)
            filler_[i] = static_cast<char>('a' + (i * 7 + i / 26) % 26);   // no JSON escapes
        connect_frame_ = text_frame("40");
        pong_frame_ = text_frame("3");
        join_frame_ = text_frame(fmt::format("420[\"join\",\"{}\"]", kRoom));
    }

    // Every receiver connected to B and in the room; the sender connected to A.
    void open_all() {
        const std::size_t total = connections_.size();
        const double start = now_seconds();
        const double deadline =
            start + kSetupSeconds + kSetupSecondsPerConnection * static_cast<double>(total);
        std::size_t started = 0;
        double last_progress = start;
        std::size_t last_ready = 0;
        while (ready_ < total) {
            while (started < total && started - ready_ < kMaxOpening) start_connect(started++);
            const double now = now_seconds();
            if (ready_ != last_ready) {
                last_ready = ready_;
                last_progress = now;
            }
            if (now > deadline || now - last_progress > options_.timeout)
                fail(fmt::format("only {} of {} connections are ready after {:.1f} s", ready_,
                                 total, now - start));
            turn(kTickMs);
        }
        setup_seconds_ = now_seconds() - start;
    }

    // Probes until a tick crosses to every receiver, then floods briefly; nothing counted.
    void open_path() {
        const double start = now_seconds();
        double next_probe = start;
        probing_ = true;   // a probe that never comes is no loss: B was not subscribed yet
        while (sent_ == 0 || !all_caught_up()) {
            const double now = now_seconds();
            if (now - start > kPathSeconds)
                fail(fmt::format(
                    "no tick reached all receivers on B (port {}) in {:.0f} s after an emit on A "
                    "(port {}): are both servers on the same Redis?",
                    options_.port_b, kPathSeconds, options_.port_a));
            // Another probe only when the last one reached nobody (yet) for kProbeEvery.
            if (now >= next_probe && nobody_has_the_last_emit()) {
                emit();
                flush(0);
                next_probe = now + kProbeEvery;
            }
            turn(static_cast<int>(kProbeEvery * 1000 / 5));
        }
        probing_ = false;
        path_seconds_ = now_seconds() - start;
        flood(kWarmUpSeconds);
    }

    struct Flood {
        double seconds = 0;
        std::uint64_t emits = 0;
        std::uint64_t deliveries = 0;
        std::uint64_t lost = 0;   // deliveries that never came (found once drained)
        double cpu = 0;
        double servers_cpu = -1;   // CPU seconds of the servers meanwhile (-1: not measured)
    };

    // Emits while fewer than --window deliveries are under way; counts deliveries. When
    // nothing arrives for --timeout (B's subscriber lost its Redis connection, say), what is
    // under way is written off as lost, and the flood goes on.
    Flood flood(double seconds) {
        Flood result;
        const std::uint64_t window =
            std::max<std::uint64_t>(1, options_.window / options_.receivers);
        const std::uint64_t deliveries_before = delivered_;
        const std::uint64_t sent_before = sent_;
        const std::uint64_t written_off_before = written_off_;
        const double cpu_before = bench::cpu_seconds();
        const double servers_before = servers_cpu_seconds(options_.pids);
        const double start = now_seconds();
        const double until = start + seconds;
        double last_progress = start;
        std::uint64_t last_delivered = delivered_;
        for (double now = start; now < until; now = now_seconds()) {
            // Emits done with so far (delivered, or known lost), as if the receivers went in turn.
            const std::uint64_t done = (delivered_ + written_off_) / options_.receivers;
            if (sent_ - done < window) {
                while (sent_ - done < window) emit();
                flush(0);
            }
            turn(static_cast<int>(std::min<double>(kTickMs, (until - now) * 1000 + 1)));
            if (delivered_ != last_delivered) {
                last_delivered = delivered_;
                last_progress = now;
            } else if (now - last_progress > options_.timeout) {
                write_off(seconds == kWarmUpSeconds ? "the warm-up" : "the flood");
                last_progress = now;
            }
        }
        result.seconds = now_seconds() - start;
        result.cpu = bench::cpu_seconds() - cpu_before;
        const double servers_after = servers_cpu_seconds(options_.pids);
        if (servers_before >= 0 && servers_after >= 0)
            result.servers_cpu = servers_after - servers_before;
        result.emits = sent_ - sent_before;
        result.deliveries = delivered_ - deliveries_before;
        drain(seconds == kWarmUpSeconds ? "the warm-up" : "the flood");
        result.lost = written_off_ > written_off_before ? written_off_ - written_off_before : 0;
        return result;
    }

    struct Paced {
        double seconds = 0;
        std::uint64_t emits = 0;
        std::uint64_t deliveries = 0;
        std::uint64_t lost = 0;
        std::vector<std::uint32_t> latencies_us;   // one per delivery
    };

    // Emits at `rate` deliveries/s for `seconds`, and waits for them; every latency kept.
    Paced paced(double seconds) {
        Paced result;
        const double emits_per_second = options_.rate / static_cast<double>(options_.receivers);
        latencies_ = &result.latencies_us;
        latencies_->reserve(static_cast<std::size_t>(options_.rate * seconds * 1.1) + 16);
        const std::uint64_t sent_before = sent_;
        const std::uint64_t written_off_before = written_off_;
        const double start = now_seconds();
        const double until = start + seconds;
        for (double now = start; now < until; now = now_seconds()) {
            const auto due = static_cast<std::uint64_t>((now - start) * emits_per_second) + 1;
            if (sent_ - sent_before < due) {
                while (sent_ - sent_before < due) emit();
                flush(0);
            }
            const double next = start + static_cast<double>(due) / emits_per_second;
            const double wait = std::min(next, until) - now_seconds();
            turn(std::clamp(static_cast<int>(std::ceil(wait * 1000)), 0, kTickMs));
        }
        result.seconds = now_seconds() - start;
        result.emits = sent_ - sent_before;
        drain("the paced run");
        result.deliveries = static_cast<std::uint64_t>(result.latencies_us.size());
        result.lost = written_off_ > written_off_before ? written_off_ - written_off_before : 0;
        latencies_ = nullptr;
        return result;
    }

    // Waits until every receiver has every emit, or nothing moved for --timeout; what never
    // came is written off (so later phases go on, their ticks in order).
    void drain(std::string_view what) {
        double last_progress = now_seconds();
        std::uint64_t last = delivered_;
        while (!all_caught_up()) {
            turn(kTickMs);
            const double now = now_seconds();
            if (delivered_ != last) {
                last = delivered_;
                last_progress = now;
            } else if (now - last_progress > options_.timeout) {
                break;
            }
        }
        write_off(what);
    }

    // Every delivery still under way is counted lost; later ticks are checked in order again.
    void write_off(std::string_view what) {
        std::uint64_t missing = 0;
        for (std::size_t i = 1; i < connections_.size(); ++i) {
            Connection& c = connections_[i];
            missing += sent_ - c.next_seq;
            c.wrote_off |= c.next_seq != sent_;
            c.next_seq = sent_;
        }
        if (missing > 0)
            fmt::print(stderr,
                       "cluster_load: {} deliveries of {} never reached B (nothing for {:.1f} s)\n",
                       missing, what, options_.timeout);
        written_off_ += missing;
    }

    double setup_seconds() const { return setup_seconds_; }
    double path_seconds() const { return path_seconds_; }
    std::uint64_t pings() const { return pings_; }
    std::uint64_t late() const { return late_; }

private:
    std::string where(std::size_t index) const {
        return fmt::format("{} (port {})", index == 0 ? "server A" : "server B",
                           index == 0 ? options_.port_a : options_.port_b);
    }

    static std::string text_frame(std::string_view text) {
        const std::vector<std::uint8_t> frame = bench::masked_text_frame(text);
        return std::string(frame.begin(), frame.end());
    }

    bool all_caught_up() const {
        return std::all_of(connections_.begin() + 1, connections_.end(),
                           [this](const Connection& c) { return c.next_seq == sent_; });
    }
    bool nobody_has_the_last_emit() const {
        return sent_ == 0 ||
               std::none_of(connections_.begin() + 1, connections_.end(),
                            [this](const Connection& c) { return c.next_seq == sent_; });
    }

    // One emit: 42["blast",1,"<seq><now><filler>"] to A, which emits "tick" with that text
    // to room "bench" (no member on A: it goes through Redis to B).
    void emit() {
        std::string text = "42[\"blast\",1,\"";
        const std::size_t at = text.size();
        text.resize(at + kMinSize);
        put_hex(text.data() + at, sent_);
        put_hex(text.data() + at + kStampDigits, now_ns());
        text += filler_;
        text += "\"]";
        ++sent_;
        connections_[0].out += text_frame(text);   // the caller flushes, once for a batch
    }

    void start_connect(std::size_t index) {
        sockaddr_in server{};
        server.sin_family = AF_INET;
        server.sin_port =
            htons(static_cast<std::uint16_t>(index == 0 ? options_.port_a : options_.port_b));
        server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        bench::start_connect(epoll_fd_, server, connections_[index], index, where(index), fail);
    }

    void set_wants_write(std::size_t index, bool wants) {
        bench::set_wants_write(epoll_fd_, connections_[index], index, wants, fail);
    }

    void turn(int timeout_ms) {
        const auto handle = [this](std::size_t index, std::uint32_t e) {
            if (connections_[index].stage == Stage::Connecting) return finish_connect(index);
            if (e & (EPOLLIN | EPOLLERR | EPOLLHUP)) on_readable(index);
            if (e & EPOLLOUT) flush(index);
        };
        bench::handle_ready(epoll_fd_, timeout_ms, handle, fail, idle_);
    }

    void finish_connect(std::size_t index) {
        Connection& c = connections_[index];
        bench::check_connected(c.fd, where(index), fail);
        set_wants_write(index, false);
        c.stage = Stage::Upgrading;
        const int port = index == 0 ? options_.port_a : options_.port_b;
        bench::send_upgrade_request(c.fd, "/socket.io/?EIO=4&transport=websocket",
                                    fmt::format("127.0.0.1:{}", port), where(index), fail);
    }

    void send_frame(std::size_t index, const std::string& frame) {
        connections_[index].out += frame;
        flush(index);
    }

    void flush(std::size_t index) {
        Connection& c = connections_[index];
        while (c.out_sent < c.out.size()) {
            const ssize_t n =
                ::send(c.fd, c.out.data() + c.out_sent, c.out.size() - c.out_sent, MSG_NOSIGNAL);
            if (n == -1) {
                if (errno == EAGAIN || errno == EWOULDBLOCK) break;
                fail(fmt::format("send to {}: {}", where(index), bench::errno_text()));
            }
            c.out_sent += static_cast<std::size_t>(n);
        }
        if (c.out_sent == c.out.size()) {
            c.out.clear();
            c.out_sent = 0;
        }
        set_wants_write(index, !c.out.empty());
    }

    void on_readable(std::size_t index) {
        Connection& c = connections_[index];
        const ssize_t n = ::read(c.fd, read_buffer_.data(), read_buffer_.size());
        if (n == -1) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) return;
            fail(fmt::format("read from {}: {}", where(index), bench::errno_text()));
        }
        if (n == 0)
            fail(fmt::format("{} closed a connection ({} of {} were ready)", where(index), ready_,
                             connections_.size()));
        const std::uint8_t* bytes = read_buffer_.data();
        std::size_t length = static_cast<std::size_t>(n);
        if (c.stage == Stage::Upgrading) {
            const long used =
                bench::take_upgrade_reply(c.upgrade_reply, bytes, length, where(index));
            if (used < 0) return;
            c.stage = Stage::AwaitingOpen;
            bytes += used;
            length -= static_cast<std::size_t>(used);
        }
        if (length == 0) return;
        const char* data = reinterpret_cast<const char*>(bytes);
        if (c.inbox.empty()) {   // the usual case: frames straight from the read buffer
            const std::size_t used = take_frames(index, data, length);
            c.inbox.assign(data + used, length - used);
        } else {
            c.inbox.append(data, length);
            const std::string inbox = std::move(c.inbox);
            const std::size_t used = take_frames(index, inbox.data(), inbox.size());
            c.inbox.assign(inbox, used);
        }
    }

    // Handles every whole frame in `data`; returns how many bytes they took.
    std::size_t take_frames(std::size_t index, const char* data, std::size_t n) {
        const auto* bytes = reinterpret_cast<const std::uint8_t*>(data);
        std::size_t at = 0;
        while (n - at >= 2) {
            const std::uint8_t first = bytes[at];
            const std::uint8_t length7 = bytes[at + 1] & 0x7f;
            if (bytes[at + 1] & 0x80) fail(fmt::format("{} sent a masked frame", where(index)));
            const std::size_t header = length7 == 127 ? 10 : length7 == 126 ? 4 : 2;
            if (n - at < header) break;
            std::uint64_t length = length7;
            if (length7 >= 126) {
                length = 0;
                for (std::size_t i = 2; i < header; ++i) length = length << 8 | bytes[at + i];
            }
            if (length > kMaxMessage)
                fail(fmt::format("{} sent a frame of {} bytes", where(index), length));
            if (n - at - header < length) break;
            const std::string_view payload{data + at + header, static_cast<std::size_t>(length)};
            at += header + static_cast<std::size_t>(length);
            take_frame(index, first & 0x0f, (first & 0x80) != 0, payload);
        }
        return at;
    }

    void take_frame(std::size_t index, std::uint8_t opcode, bool is_final,
                    std::string_view payload) {
        Connection& c = connections_[index];
        switch (opcode) {
            case 0x0:
            case 0x1:
                if (is_final && c.fragments.empty()) return take_message(index, payload);
                if (c.fragments.size() + payload.size() > kMaxMessage)
                    fail(fmt::format("{} sent a message over {} bytes", where(index), kMaxMessage));
                c.fragments.append(payload);
                if (is_final) {
                    const std::string message = std::move(c.fragments);
                    c.fragments.clear();
                    take_message(index, message);
                }
                return;
            case 0x8: fail(fmt::format("{} sent a WebSocket close frame", where(index)));
            case 0x9: {
                const std::vector<std::uint8_t> pong = bench::masked_frame(
                    reinterpret_cast<const std::uint8_t*>(payload.data()), payload.size(), 0xA);
                return send_frame(index, std::string(pong.begin(), pong.end()));
            }
            case 0xA: return;
            default: fail(fmt::format("{} sent a frame with opcode {}", where(index), opcode));
        }
    }

    // One Engine.IO packet.
    void take_message(std::size_t index, std::string_view message) {
        Connection& c = connections_[index];
        if (message.empty()) fail(fmt::format("{} sent an empty Engine.IO packet", where(index)));
        switch (message[0]) {
            case '0':
                if (c.stage != Stage::AwaitingOpen)
                    fail(fmt::format("{} sent a second open packet", where(index)));
                c.stage = Stage::AwaitingConnect;
                return send_frame(index, connect_frame_);
            case '2': ++pings_; return send_frame(index, pong_frame_);
            case '6': return;
            case '4': return take_packet(index, message.substr(1));
            default:
                fail(fmt::format("{} sent an unexpected Engine.IO packet \"{:.40}\"", where(index),
                                 message));
        }
    }

    // One Socket.IO packet on namespace "/".
    void take_packet(std::size_t index, std::string_view packet) {
        Connection& c = connections_[index];
        const char type = packet.empty() ? '?' : packet[0];
        if (type == '2' && c.stage == Stage::Ready && !c.is_sender) return take_tick(index, packet);
        if (type == '0' && c.stage == Stage::AwaitingConnect) {
            if (c.is_sender) return now_ready(c);
            c.stage = Stage::AwaitingJoin;
            return send_frame(index, join_frame_);
        }
        if (type == '3' && c.stage == Stage::AwaitingJoin) return now_ready(c);
        fail(fmt::format("{} sent \"4{:.60}\" at stage {}", where(index), packet,
                         static_cast<int>(c.stage)));
    }

    // 2["tick","<seq><emit time><filler>"]
    void take_tick(std::size_t index, std::string_view packet) {
        const std::uint64_t received_ns = now_ns();
        constexpr std::string_view kPrefix = "2[\"tick\",\"";
        Connection& c = connections_[index];
        std::uint64_t seq = 0;
        std::uint64_t emitted_ns = 0;
        if (packet.size() != kPrefix.size() + options_.size + 2 || !packet.starts_with(kPrefix) ||
            !packet.ends_with("\"]") ||
            !get_hex(packet.substr(kPrefix.size(), kStampDigits), seq) ||
            !get_hex(packet.substr(kPrefix.size() + kStampDigits, kStampDigits), emitted_ns))
            fail(fmt::format("{} sent an event we did not expect: \"4{:.80}\"", where(index),
                             packet));
        if (seq < c.next_seq && c.wrote_off &&
            written_off_ > 0) {   // given up on, but here after all
            --written_off_;
            ++delivered_;
            ++late_;
            return;
        }
        if (seq < c.next_seq || seq >= sent_)
            fail(fmt::format(
                "{} delivered emit {} to a receiver expecting {} ({} sent): twice or out of order",
                where(index), seq, c.next_seq, sent_));
        if (seq > c.next_seq) {   // skipped some: written off now, the order checked from here
            if (!probing_ && ++gap_notes_ <= kMaxGapNotes)
                fmt::print(stderr, "cluster_load: a receiver got emit {} after emit {}: {} lost\n",
                           seq, c.next_seq - 1, seq - c.next_seq);
            written_off_ += seq - c.next_seq;
        }
        c.next_seq = seq + 1;
        ++delivered_;
        if (latencies_ != nullptr && received_ns >= emitted_ns)
            latencies_->push_back(static_cast<std::uint32_t>(
                std::min<std::uint64_t>((received_ns - emitted_ns) / 1000, UINT32_MAX)));
    }

    void now_ready(Connection& c) {
        c.stage = Stage::Ready;
        ++ready_;
    }

    const Options& options_;
    std::vector<Connection> connections_;   // [0]: the sender, on A; the rest: receivers, on B
    int epoll_fd_ = -1;
    bench::IdleClock idle_;   // kept by handle_ready; not reported (this generator sleeps)
    std::size_t ready_ = 0;
    std::uint64_t sent_ = 0;        // emits so far; the next one's number
    std::uint64_t delivered_ = 0;   // ticks received, all receivers together
    std::uint64_t gap_notes_ = 0;   // receivers that saw emits skipped (the first few are printed)
    std::uint64_t late_ = 0;        // written off, then came after all (no longer lost)
    std::uint64_t written_off_ =
        0;   // deliveries that will not come (lost, or probes before B listened)
    bool probing_ = false;
    std::uint64_t pings_ = 0;
    std::vector<std::uint32_t>* latencies_ = nullptr;   // paced: where each delivery's goes
    std::string filler_;
    std::string connect_frame_, pong_frame_, join_frame_;
    std::vector<std::uint8_t> read_buffer_ = std::vector<std::uint8_t>(kReadChunk);
    double setup_seconds_ = 0;
    double path_seconds_ = 0;
};

// The q-quantile of sorted `values` (nearest rank).
std::uint32_t quantile(const std::vector<std::uint32_t>& sorted, double q) {
    if (sorted.empty()) return 0;
    const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
    return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

}   // namespace

int main(int argc, char** argv) {
    const Options options = parse(argc, argv);
    Cluster cluster{options};
    cluster.open_all();
    cluster.open_path();

    const Cluster::Flood flood = cluster.flood(options.seconds);
    Cluster::Paced paced = cluster.paced(options.seconds);
    std::sort(paced.latencies_us.begin(), paced.latencies_us.end());
    std::string servers = "servers_cpu=- per_server_cpu=-";
    if (flood.servers_cpu > 0)
        servers = fmt::format("servers_cpu={:.0f}% per_server_cpu={:.0f}",
                              100 * flood.servers_cpu / flood.seconds,
                              static_cast<double>(flood.deliveries) / flood.servers_cpu);

    bench::print_result(
        "cluster", options.receivers, std::max<std::size_t>(1, options.window / options.receivers),
        options.size,
        fmt::format("setup_seconds={:.2f} path_ms={:.0f} emits={} deliveries={} "
                    "deliveries_per_s={:.0f} lost={} "
                    "paced_rate={:.0f} paced_deliveries_per_s={:.0f} paced_lost={} p50_us={} "
                    "p99_us={} max_us={} "
                    "late={} pings={} {}",
                    cluster.setup_seconds(), cluster.path_seconds() * 1000, flood.emits,
                    flood.deliveries, static_cast<double>(flood.deliveries) / flood.seconds,
                    flood.lost, options.rate, static_cast<double>(paced.deliveries) / paced.seconds,
                    paced.lost, quantile(paced.latencies_us, 0.50),
                    quantile(paced.latencies_us, 0.99),
                    paced.latencies_us.empty() ? 0 : paced.latencies_us.back(), cluster.late(),
                    cluster.pings(), servers),
        flood.seconds, flood.cpu, -1, true);
    return 0;
}
