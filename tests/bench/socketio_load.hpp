// tests/bench/socketio_load.hpp
//
// The load generator's Socket.IO modes: a minimal Socket.IO v5 client over Engine.IO v4 on a
// WebSocket (no polling), in the same plain epoll style as the other modes. Facts:
// ../shared/PROTOCOLS.md §1-2. Every connection goes
//
//   TCP connect ─► GET /socket.io/?EIO=4&transport=websocket (101) ─► server: 0{"sid":...}
//   ─► us: 40 ─► server: 40{"sid":...} ─► (broadcast only) us: 420["join","bench"]
//   ─► server: 430[members] ─► ready
//
// and answers every Engine.IO ping "2" with "3" at any time, also between echo frames.
//
//   sio-echo       N connections, each keeping M events 42["echo","<S bytes>"] in flight;
//                  counts the echoes 42["echo","<the same S bytes>"] -> messages/s
//   sio-idle       K ready connections, "up connections=K" once all are, held D seconds
//                  (tests/bench/run reads the server's RSS: memory per idle connection)
//   sio-broadcast  K connections join room "bench"; then one of them sends
//                  42["blast",M,"<S bytes>"], asking the server to emit "tick" with those
//                  bytes to the room M times; we count ticks until every connection has all
//                  M. The first blast warms up; blasts are then repeated (one at a time) for
//                  D seconds -> deliveries/s, all connections together
//
// The bench servers (socketio_echo_server.cpp and .js) handle "echo", "join" and "blast".
#pragma once

#include "load_tools.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace bench {

// Connections being set up at once. More would overflow the server's listen backlog.
inline constexpr std::size_t kSioMaxOpening = 256;
// Set-up of all connections must end within this plus so much per connection, and some
// connection must get ready every --timeout-ms, or the run fails.
inline constexpr double kSioSetupSeconds = 10.0;
inline constexpr double kSioSetupSecondsPerConnection = 0.005;
// Longest sleep in epoll_wait; deadlines are checked at least this often.
inline constexpr int kSioTickMs = 20;
// The largest message we accept from the server; a bigger frame fails the run.
inline constexpr std::size_t kSioMaxMessage = 1 << 20;
// One read() takes at most this much; a level-triggered epoll calls us again for the rest.
inline constexpr std::size_t kSioReadChunk = 64 * 1024;
// The room sio-broadcast joins and blasts to (the bench servers' "blast" emits to it).
inline constexpr std::string_view kSioBenchRoom = "bench";

enum class SioMode { Echo, Idle, Broadcast };

struct SioOptions {
    SioMode mode = SioMode::Echo;
    std::string mode_name;
    std::string host = "127.0.0.1";
    int port = 0;
    std::size_t connections = 100;
    std::size_t depth = 16;   // echo: events in flight per connection; broadcast: ticks per blast
    std::size_t size = 64;    // bytes of the string each event carries
    double seconds = 2.0;
    std::string path = "/socket.io/";
    double timeout = 3.0;   // no progress for this long is an error
    bool spin = false;      // --wait spin: epoll_wait never sleeps (load_generator.cpp says why)
};

// Where a connection is on its way to "ready" (see the picture above).
enum class SioStage { Connecting, Upgrading, AwaitingOpen, AwaitingConnect, AwaitingJoin, Ready };

struct SioConnection {
    int fd = -1;
    SioStage stage = SioStage::Connecting;
    bool wants_write = false;
    // Echo events go out as one periodic stream (see Outgoing in load_generator.cpp):
    std::uint64_t sent_total = 0;   // bytes of the stream written so far
    std::uint64_t owed = 0;         // bytes of the stream still to write
    // Every other frame (40, 3, join, blast, pongs) waits here for a frame boundary of the
    // stream, so it never lands inside an echo frame.
    std::string extra;
    std::size_t extra_sent = 0;
    std::string upgrade_reply;   // the 101 response until its blank line
    std::string inbox;           // the start of a frame that has not fully arrived
    std::string fragments;       // a fragmented message so far
    std::uint64_t ticks = 0;     // broadcast: ticks received
};

struct SioTotals {
    std::uint64_t echoes = 0;
    std::uint64_t ticks = 0;
    std::uint64_t pings = 0;   // Engine.IO pings answered
    std::uint64_t closed_by_server = 0;
};

class SioClient {
public:
    explicit SioClient(const SioOptions& options)
        : options_(options), connections_(options.connections) {
        epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
        if (epoll_fd_ == -1) fail("epoll_create1: " + errno_text());
        server_.sin_family = AF_INET;
        server_.sin_port = htons(static_cast<std::uint16_t>(options.port));
        if (::inet_pton(AF_INET, options.host.c_str(), &server_.sin_addr) != 1)
            fail(fmt::format("--host {} is not an IPv4 address", options.host));
        const std::string payload = make_payload(options.size);
        const std::string echo = fmt::format("42[\"echo\",\"{}\"]", payload);
        echo_expected_ = echo;
        const std::vector<std::uint8_t> unit = masked_text_frame(echo);
        echo_unit_size_ = unit.size();
        // Enough copies that one send() of up to 64 KiB may start at any offset.
        for (std::size_t i = 0; i < 64 * 1024 / unit.size() + 2; ++i)
            echo_stream_.insert(echo_stream_.end(), unit.begin(), unit.end());
        tick_expected_ = fmt::format("42[\"tick\",\"{}\"]", payload);
        blast_frame_ = frame_text(fmt::format("42[\"blast\",{},\"{}\"]", options.depth, payload));
        connect_frame_ = frame_text("40");
        pong_frame_ = frame_text("3");
        join_frame_ = frame_text(fmt::format("420[\"join\",\"{}\"]", kSioBenchRoom));
    }

    std::string where() const { return fmt::format("{}:{}", options_.host, options_.port); }
    const SioTotals& totals() const { return totals_; }
    std::size_t ready_count() const { return ready_; }
    double idle_seconds() const { return idle_.idle_seconds(); }

    // Connects every connection and takes it to "ready", at most kSioMaxOpening at a time.
    void open_all() {
        const std::size_t total = connections_.size();
        const double start = now_seconds();
        const double deadline =
            start + kSioSetupSeconds + kSioSetupSecondsPerConnection * static_cast<double>(total);
        std::size_t started = 0;
        double last_progress = start;
        std::size_t last_ready = 0;
        while (ready_ < total) {
            while (started < total && started - ready_ < kSioMaxOpening) start_connect(started++);
            const double now = now_seconds();
            if (ready_ != last_ready) {
                last_ready = ready_;
                last_progress = now;
            }
            if (now > deadline || now - last_progress > options_.timeout)
                fail(
                    fmt::format("only {} of {} Socket.IO connections to {} are ready after "
                                "{:.1f} s (stuck: {})",
                                ready_, total, where(), now - start, stuck_stages()));
            turn(kSioTickMs);
        }
    }

    // sio-echo: `depth` events in flight on every connection until `until`.
    void echo_until(double until) {
        for (std::size_t i = 0; i < connections_.size(); ++i) owe_echoes(i, options_.depth);
        wait_until(until, &totals_.echoes, "echo");
    }

    // sio-idle: answers pings until `until`.
    void hold_until(double until) { wait_until(until, nullptr, ""); }

    // sio-broadcast: one blast, waited for until every connection has all its ticks.
    void blast_and_wait() {
        const std::uint64_t target =
            totals_.ticks + static_cast<std::uint64_t>(connections_.size()) * options_.depth;
        ticks_per_connection_ += options_.depth;
        queue_frame(0, blast_frame_);
        double last_progress = now_seconds();
        std::uint64_t last_ticks = totals_.ticks;
        while (totals_.ticks < target) {
            turn(kSioTickMs);
            const double now = now_seconds();
            if (totals_.ticks != last_ticks) {
                last_ticks = totals_.ticks;
                last_progress = now;
            } else if (now - last_progress > options_.timeout) {
                fail(
                    fmt::format("no tick from {} for {:.1f} s ({} of {} arrived): is the "
                                "broadcast stuck?",
                                where(), options_.timeout, totals_.ticks, target));
            }
        }
    }

private:
    static std::string make_payload(std::size_t size) {
        std::string payload(size, 'a');
        for (std::size_t i = 0; i < size; ++i)
            payload[i] = static_cast<char>('a' + (i * 7 + i / 26) % 26);
        return payload;   // letters only: JSON writes it back unescaped
    }

    static std::string frame_text(std::string_view text) {
        const std::vector<std::uint8_t> frame = masked_text_frame(text);
        return std::string(frame.begin(), frame.end());
    }

    // Runs the loop until `until`; fails if `*progress` (when given) stops growing for
    // --timeout-ms.
    void wait_until(double until, const std::uint64_t* progress, std::string_view what) {
        double last_progress = now_seconds();
        std::uint64_t last = progress ? *progress : 0;
        for (double now = last_progress; now < until; now = now_seconds()) {
            turn(static_cast<int>(std::min<double>(kSioTickMs, (until - now) * 1000 + 1)));
            if (progress == nullptr) continue;
            if (*progress != last) {
                last = *progress;
                last_progress = now;
            } else if (now - last_progress > options_.timeout) {
                fail(fmt::format("no {} from {} for {:.1f} s ({} so far): is the server stuck?",
                                 what, where(), options_.timeout, last));
            }
        }
    }

    std::string stuck_stages() const {
        std::size_t by_stage[6] = {};
        for (const SioConnection& c : connections_)
            if (c.fd != -1) ++by_stage[static_cast<int>(c.stage)];
        return fmt::format(
            "{} connecting, {} upgrading, {} awaiting 0{{...}}, {} awaiting "
            "40{{...}}, {} awaiting the join ack",
            by_stage[0], by_stage[1], by_stage[2], by_stage[3], by_stage[4]);
    }

    void start_connect(std::size_t index) {
        bench::start_connect(epoll_fd_, server_, connections_[index], index, where(), fail);
    }

    void set_wants_write(std::size_t index, bool wants) {
        if (connections_[index].fd == -1) return;   // closed: nothing to watch
        bench::set_wants_write(epoll_fd_, connections_[index], index, wants, fail);
    }

    void turn(int timeout_ms) {
        const auto handle = [this](std::size_t index, std::uint32_t e) {
            SioConnection& c = connections_[index];
            if (c.fd == -1) return;
            if (c.stage == SioStage::Connecting) return finish_connect(index);
            if (e & (EPOLLIN | EPOLLERR | EPOLLHUP)) on_readable(index);
            if ((e & EPOLLOUT) && c.fd != -1) flush(index);
        };
        handle_ready(epoll_fd_, options_.spin ? 0 : timeout_ms, handle, fail, idle_);
    }

    void finish_connect(std::size_t index) {
        SioConnection& c = connections_[index];
        check_connected(c.fd, where(), fail);
        set_wants_write(index, false);
        c.stage = SioStage::Upgrading;
        send_upgrade_request(c.fd, options_.path + "?EIO=4&transport=websocket", where(), where(),
                             fail);
    }

    // ---- sending ----

    void owe_echoes(std::size_t index, std::uint64_t count) {
        connections_[index].owed += count * echo_unit_size_;
        flush(index);
    }

    void queue_frame(std::size_t index, const std::string& frame) {
        connections_[index].extra += frame;
        flush(index);
    }

    void flush(std::size_t index) {
        SioConnection& c = connections_[index];
        while (true) {
            const std::size_t offset = c.sent_total % echo_unit_size_;
            const bool has_extra = c.extra_sent < c.extra.size();
            const char* data = nullptr;
            std::size_t length = 0;
            if (has_extra && offset == 0) {   // between two echo frames: the others go first
                data = c.extra.data() + c.extra_sent;
                length = c.extra.size() - c.extra_sent;
            } else if (c.owed > 0) {   // the stream, up to the end of this frame if others wait
                data = reinterpret_cast<const char*>(echo_stream_.data()) + offset;
                length = static_cast<std::size_t>(
                    std::min<std::uint64_t>(c.owed, echo_stream_.size() - offset));
                if (has_extra) length = std::min(length, echo_unit_size_ - offset);
            } else {
                break;
            }
            const ssize_t n = ::send(c.fd, data, length, MSG_NOSIGNAL);
            if (n == -1) {
                if (errno == EAGAIN || errno == EWOULDBLOCK) break;
                fail(fmt::format("send to {}: {}", where(), errno_text()));
            }
            const auto sent = static_cast<std::size_t>(n);
            if (has_extra && offset == 0) {
                c.extra_sent += sent;
                if (c.extra_sent == c.extra.size()) {
                    c.extra.clear();
                    c.extra_sent = 0;
                }
            } else {
                c.sent_total += sent;
                c.owed -= sent;
            }
        }
        set_wants_write(index, c.owed > 0 || c.extra_sent < c.extra.size());
    }

    // ---- receiving ----

    void on_readable(std::size_t index) {
        static std::uint8_t buffer[kSioReadChunk];
        SioConnection& c = connections_[index];
        const ssize_t n = ::read(c.fd, buffer, sizeof buffer);
        if (n == -1) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) return;
            fail(fmt::format("read from {}: {}", where(), errno_text()));
        }
        if (n == 0) return on_server_closed(index, "closed the TCP connection");
        const std::uint8_t* bytes = buffer;
        std::size_t length = static_cast<std::size_t>(n);
        if (c.stage == SioStage::Upgrading) {
            const long used = take_upgrade_reply(c.upgrade_reply, bytes, length, where());
            if (used < 0) return;
            c.stage = SioStage::AwaitingOpen;
            bytes += used;
            length -= static_cast<std::size_t>(used);
        }
        if (length == 0) return;
        const char* data = reinterpret_cast<const char*>(bytes);
        std::uint64_t echoes = 0;
        if (c.inbox.empty()) {   // the usual case: frames straight from the read buffer
            const std::size_t used = take_frames(index, data, length, echoes);
            if (c.fd != -1) c.inbox.assign(data + used, length - used);
        } else {
            c.inbox.append(data, length);
            const std::string inbox = std::move(c.inbox);
            const std::size_t used = take_frames(index, inbox.data(), inbox.size(), echoes);
            if (c.fd != -1) c.inbox.assign(inbox, used);
        }
        if (echoes > 0 && c.fd != -1) {
            totals_.echoes += echoes;
            owe_echoes(index, echoes);
        }
    }

    void on_server_closed(std::size_t index, std::string_view how) {
        SioConnection& c = connections_[index];
        if (options_.mode != SioMode::Idle || c.stage != SioStage::Ready)
            fail(fmt::format("{} {} ({} of {} were ready)", where(), how, ready_,
                             connections_.size()));
        ::close(c.fd);   // also leaves the epoll set
        c.fd = -1;
        ++totals_.closed_by_server;
    }

    // Handles every whole frame in `data`; returns how many bytes they took.
    std::size_t take_frames(std::size_t index, const char* data, std::size_t n,
                            std::uint64_t& echoes) {
        const auto* bytes = reinterpret_cast<const std::uint8_t*>(data);
        std::size_t at = 0;
        while (n - at >= 2 && connections_[index].fd != -1) {
            const std::uint8_t first = bytes[at];
            const std::uint8_t length7 = bytes[at + 1] & 0x7f;
            if (bytes[at + 1] & 0x80) fail(fmt::format("{} sent a masked frame", where()));
            if (first & 0x70) fail(fmt::format("{} set RSV bits without an extension", where()));
            const std::size_t header = length7 == 127 ? 10 : length7 == 126 ? 4 : 2;
            if (n - at < header) break;
            std::uint64_t length = length7;
            if (length7 >= 126) {
                length = 0;
                for (std::size_t i = 2; i < header; ++i) length = length << 8 | bytes[at + i];
            }
            if (length > kSioMaxMessage)
                fail(fmt::format("{} sent a frame of {} bytes", where(), length));
            if (n - at - header < length) break;
            const std::string_view payload{data + at + header, static_cast<std::size_t>(length)};
            at += header + static_cast<std::size_t>(length);
            take_frame(index, first & 0x0f, (first & 0x80) != 0, payload, echoes);
        }
        return at;
    }

    void take_frame(std::size_t index, std::uint8_t opcode, bool is_final, std::string_view payload,
                    std::uint64_t& echoes) {
        SioConnection& c = connections_[index];
        switch (opcode) {
            case 0x0:   // continuation
            case 0x1:   // text
                if (is_final && c.fragments.empty()) return take_message(index, payload, echoes);
                if (c.fragments.size() + payload.size() > kSioMaxMessage)
                    fail(fmt::format("{} sent a message over {} bytes", where(), kSioMaxMessage));
                c.fragments.append(payload);
                if (is_final) {
                    const std::string message = std::move(c.fragments);
                    c.fragments.clear();
                    take_message(index, message, echoes);
                }
                return;
            case 0x2:
                fail(fmt::format("{} sent a binary message; no event of ours carries bytes",
                                 where()));
            case 0x8: return on_server_closed(index, "sent a WebSocket close frame");
            case 0x9: {   // a WebSocket ping (not Engine.IO's): pong with the same payload
                const std::vector<std::uint8_t> pong = masked_frame(
                    reinterpret_cast<const std::uint8_t*>(payload.data()), payload.size(), 0xA);
                return queue_frame(index, std::string(pong.begin(), pong.end()));
            }
            case 0xA: return;
            default: fail(fmt::format("{} sent a frame with reserved opcode {}", where(), opcode));
        }
    }

    // One Engine.IO packet (a whole WebSocket text message).
    void take_message(std::size_t index, std::string_view message, std::uint64_t& echoes) {
        SioConnection& c = connections_[index];
        if (message.empty()) fail(fmt::format("{} sent an empty Engine.IO packet", where()));
        switch (message[0]) {
            case '0':   // open: {"sid":...,"pingInterval":...}
                if (c.stage != SioStage::AwaitingOpen)
                    fail(fmt::format("{} sent a second Engine.IO open packet", where()));
                c.stage = SioStage::AwaitingConnect;
                return queue_frame(index, connect_frame_);
            case '2':   // ping: pong at once (the server closes a session that does not)
                ++totals_.pings;
                return queue_frame(index, pong_frame_);
            case '1': return on_server_closed(index, "closed the Engine.IO session (packet 1)");
            case '6':   // noop
                return;
            case '4': return take_packet(index, message.substr(1), echoes);
            default:
                fail(fmt::format("{} sent an unexpected Engine.IO packet \"{:.40}\"", where(),
                                 message));
        }
    }

    // One Socket.IO packet on namespace "/".
    void take_packet(std::size_t index, std::string_view packet, std::uint64_t& echoes) {
        SioConnection& c = connections_[index];
        const char type = packet.empty() ? '?' : packet[0];
        if (type == '2' && c.stage == SioStage::Ready) {
            if (options_.mode == SioMode::Echo &&
                packet == std::string_view{echo_expected_}.substr(1)) {
                ++echoes;
                return;
            }
            if (options_.mode == SioMode::Broadcast &&
                packet == std::string_view{tick_expected_}.substr(1)) {
                if (++c.ticks > ticks_per_connection_)
                    fail(fmt::format("{} delivered a tick twice to one connection", where()));
                ++totals_.ticks;
                return;
            }
            fail(fmt::format("{} sent an event we did not expect: \"4{:.60}\"", where(), packet));
        }
        if (type == '0' && c.stage == SioStage::AwaitingConnect) {
            if (options_.mode == SioMode::Broadcast) {
                c.stage = SioStage::AwaitingJoin;
                return queue_frame(index, join_frame_);
            }
            return now_ready(c);
        }
        if (type == '3' && c.stage == SioStage::AwaitingJoin) return now_ready(c);
        if (type == '3' && c.stage == SioStage::Ready) return;   // the blast's ack, if any
        if (type == '4')
            fail(fmt::format("{} refused the namespace: \"4{:.80}\"", where(), packet));
        if (type == '1') return on_server_closed(index, "disconnected the socket (packet 41)");
        fail(fmt::format("{} sent \"4{:.60}\" while we were at stage {}", where(), packet,
                         static_cast<int>(c.stage)));
    }

    void now_ready(SioConnection& c) {
        c.stage = SioStage::Ready;
        ++ready_;
    }

    const SioOptions& options_;
    IdleClock idle_;
    std::vector<SioConnection> connections_;
    sockaddr_in server_{};
    int epoll_fd_ = -1;
    std::size_t ready_ = 0;
    SioTotals totals_;
    std::uint64_t ticks_per_connection_ = 0;   // what each connection should have by now
    std::string echo_expected_;                // 42["echo","<payload>"]
    std::string tick_expected_;                // 42["tick","<payload>"]
    std::vector<std::uint8_t> echo_stream_;    // masked echo frames, back to back
    std::size_t echo_unit_size_ = 1;
    std::string blast_frame_, connect_frame_, pong_frame_, join_frame_;
};

// ---- the three modes -------------------------------------------------------------------------

inline int run_sio_echo(const SioOptions& options) {
    SioClient client{options};
    client.open_all();
    const double start = now_seconds();
    const double cpu_start = cpu_seconds();
    const double idle_start = client.idle_seconds();
    client.echo_until(start + options.seconds);
    const double elapsed = now_seconds() - start;
    const SioTotals& totals = client.totals();
    if (totals.echoes == 0)
        fail(fmt::format("no echo came back from {} in {:.1f} s", client.where(), elapsed));
    const double per_second = static_cast<double>(totals.echoes) / elapsed;
    print_result(
        options.mode_name, options.connections, options.depth, options.size,
        fmt::format("messages={} msgs_per_s={:.0f} mb_per_s={:.1f} pings={}", totals.echoes,
                    per_second, per_second * static_cast<double>(options.size) / 1e6, totals.pings),
        elapsed, cpu_seconds() - cpu_start, client.idle_seconds() - idle_start, true);
    return 0;
}

inline int run_sio_idle(const SioOptions& options) {
    SioClient client{options};
    const double start = now_seconds();
    client.open_all();
    const double setup = now_seconds() - start;
    fmt::print("up connections={} setup_seconds={:.2f}\n", client.ready_count(), setup);
    std::fflush(stdout);   // tests/bench/run waits for this line, then reads the server's RSS
    const double hold_start = now_seconds();
    const double cpu_start = cpu_seconds();
    const double idle_start = client.idle_seconds();
    client.hold_until(hold_start + options.seconds);
    const SioTotals& totals = client.totals();
    print_result(options.mode_name, options.connections, options.depth, options.size,
                 fmt::format("up={} setup_seconds={:.2f} closed_by_server={} pings={}",
                             client.ready_count(), setup, totals.closed_by_server, totals.pings),
                 now_seconds() - hold_start, cpu_seconds() - cpu_start,
                 client.idle_seconds() - idle_start, false);
    return totals.closed_by_server == 0 ? 0 : 1;
}

inline int run_sio_broadcast(const SioOptions& options) {
    SioClient client{options};
    const double setup_start = now_seconds();
    client.open_all();
    const double setup = now_seconds() - setup_start;
    const double warm_start = now_seconds();
    client.blast_and_wait();   // the warm-up: not counted
    const double warm = now_seconds() - warm_start;
    const double start = now_seconds();
    const double cpu_start = cpu_seconds();
    const double idle_start = client.idle_seconds();
    const std::uint64_t ticks_before = client.totals().ticks;
    std::uint64_t blasts = 0;
    do {
        client.blast_and_wait();
        ++blasts;
    } while (now_seconds() - start < options.seconds);
    const double elapsed = now_seconds() - start;
    const auto deliveries = static_cast<double>(client.totals().ticks - ticks_before);
    print_result(options.mode_name, options.connections, options.depth, options.size,
                 fmt::format("setup_seconds={:.2f} blasts={} deliveries={:.0f} "
                             "deliveries_per_s={:.0f} first_blast_ms={:.1f} pings={}",
                             setup, blasts, deliveries, deliveries / elapsed, warm * 1000,
                             client.totals().pings),
                 elapsed, cpu_seconds() - cpu_start, client.idle_seconds() - idle_start, true);
    return 0;
}

}   // namespace bench
