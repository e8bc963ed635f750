// lessons/14-tcp-vs-udp/lab.hpp
//
// The TCP vs UDP lab: ONE workload (N numbered messages of S bytes) sent three ways, and the
// same figures measured for each at the receiving application.
//
//   workload.cpp           the messages, the pace they are handed over at, the receiver's tally
//   udp_endpoints.hpp      the two UDP sockets and the lossy relay between them
//   raw_udp_run.cpp        (a) raw UDP through the lossy link: send and hope
//   reliable_udp_run.cpp   (b) reliable_udp.hpp through the same link: what TCP does for you
//   tcp_run.cpp            (c) TCP: through a TCP relay with the same delay but no loss
//                              (tcp_delay_relay.cpp), or with --netem through a kernel-
//                              impaired path between two network namespaces (netem_path.cpp)
//   results_table.cpp      the table; svg_chart.cpp the chart (--svg FILE), both by hand
//
// Pure pieces (tests/unit/lessons): reliable_udp.hpp, netem_commands.hpp, and from the lesson
// kit (include/looplab/lesson/, shared with lesson 09) lab_packet.hpp and lossy_link.hpp;
// the kit's link_relay.hpp puts the lossy link on the loop.
#pragma once

#include "reliable_udp.hpp"

#include "looplab/core/clock.hpp"
#include "looplab/core/result.hpp"
#include "looplab/lesson/lab_packet.hpp"
#include "looplab/lesson/lesson.hpp"
#include "looplab/lesson/lossy_link.hpp"
#include "looplab/loop/event_loop.hpp"
#include "looplab/net/lifetime_flag.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lab {

namespace lesson = looplab::lesson;
using looplab::loop::EventLoop;

// What the lab takes from the lesson kit: the packet format and the lossy link.
using lesson::AckPacket;
using lesson::Bytes;
using lesson::DataPacket;
using lesson::Decoded;
using lesson::Duration;
using lesson::Impairments;
using lesson::kIdentityBytes;
using lesson::LinkCounts;
using lesson::LossyLink;
using lesson::PacketError;
using lesson::TimePoint;

// The same for every transport.
struct Workload {
    std::size_t count = 200;        // messages
    std::size_t size = 200;         // bytes each, at least kMinMessageSize
    std::size_t rate = 0;           // messages per second; 0: as fast as the transport takes them
    Impairments path;               // the lossy link's settings (and netem's, for TCP)
    std::uint64_t seed = 14;
    ReliableConfig reliable;
};

// A message starts with its number (4 bytes), so the receiver can tell which one it got.
inline constexpr std::size_t kMinMessageSize = 4;
// How long one transport may take before the lab gives up on it and reports what it has.
inline constexpr looplab::Millis kRunLimit{20'000};
// With rate 0 ("as fast as it takes them") the application hands over this many messages per
// turn of the loop: a UDP socket that gets hundreds at once overflows its receive buffer and
// drops datagrams, which would add losses that no seed decided.
inline constexpr std::size_t kBurstPerTurn = 32;

// Message `seq` of the workload: its number, big-endian, then a filler that depends on it.
Bytes make_message(std::uint32_t seq, std::size_t size);
std::optional<std::uint32_t> seq_of(std::span<const std::uint8_t> message);

// What the receiving application saw, counted the same way for every transport.
class Tally {
public:
    Tally(std::size_t count, TimePoint started) : first_seen_(count), started_(started) {}

    // The application got message bytes at `now` (already checked: intact).
    void on_message(std::span<const std::uint8_t> message, std::size_t expected_size, TimePoint now,
                    const std::vector<TimePoint>& queued_at);
    void on_corrupted() { ++corrupted_caught_; }

    std::size_t delivered() const { return delivered_; }
    std::size_t duplicated() const { return duplicated_; }
    std::size_t out_of_order() const { return out_of_order_; }
    std::size_t corrupted_caught() const { return corrupted_caught_; }
    std::size_t bad_content() const { return bad_content_; }
    const std::vector<double>& latencies_ms() const { return latencies_ms_; }
    std::optional<TimePoint> last_delivery() const { return last_delivery_; }
    TimePoint started() const { return started_; }

private:
    std::vector<bool> first_seen_;
    TimePoint started_;
    std::optional<TimePoint> last_delivery_;
    std::vector<double> latencies_ms_;
    std::int64_t highest_ = -1;
    std::size_t delivered_ = 0;
    std::size_t duplicated_ = 0;
    std::size_t out_of_order_ = 0;
    std::size_t corrupted_caught_ = 0;
    std::size_t bad_content_ = 0;
};

// One row of the table.
struct RunResult {
    std::string transport;               // "raw UDP (lossy)": the name says which path it took
    std::string path;                    // that path in words, printed under the table
    std::size_t count = 0;
    std::size_t delivered = 0;
    std::size_t duplicated = 0;
    std::size_t out_of_order = 0;
    std::size_t corrupted_caught = 0;
    std::size_t retransmissions = 0;
    double goodput_kib_s = 0;            // payload delivered per second
    double p50_ms = 0;
    double p99_ms = 0;
    bool finished = true;                // false: kRunLimit ran out
    // TCP's count comes from the kernel's timers, which a busy machine can set off even on a
    // clean loopback: not a figure the seed decides, so --demo does not print it.
    bool retransmissions_vary = false;
    std::size_t lost() const { return count - delivered; }
};

RunResult result_from(std::string transport, const Tally& tally, std::size_t count, std::size_t size);
// "200 of 200 messages, each once, in order", or what went wrong, as measured.
std::string delivery_summary(const RunResult& row);

// Hands the workload's messages to `send` at the workload's rate (kBurstPerTurn per turn if 0):
// the same arrival process for every transport. `queued_at[i]` is when message i was handed.
class Pacer {
public:
    using Send = std::function<void(std::uint32_t seq, Bytes message)>;
    Pacer(EventLoop& loop, const Workload& workload, Send send);
    ~Pacer();
    void start();
    bool is_done() const { return next_ == workload_.count; }
    const std::vector<TimePoint>& queued_at() const { return queued_at_; }

private:
    void release_due();

    EventLoop& loop_;
    const Workload& workload_;
    Send send_;
    std::vector<TimePoint> queued_at_;
    TimePoint started_{};
    std::uint32_t next_ = 0;
    looplab::loop::TimerId timer_ = 0;
    looplab::net::LifetimeFlag lifetime_;   // a posted release_due() must not outlive us
};

// Turns the loop until `done` or kRunLimit; false when the limit ran out.
bool run_until(EventLoop& loop, const std::function<bool()>& done);

// The three runs. They print a few lines about what happened on the way.
RunResult run_raw_udp(EventLoop& loop, const Workload& workload, const lesson::Options& options);
RunResult run_reliable_udp(EventLoop& loop, const Workload& workload, const lesson::Options& options);

class NetemPath;   // netem_path.cpp
// `netem`: the kernel-impaired path to use, or nullptr for the clean loopback.
RunResult run_tcp(EventLoop& loop, const Workload& workload, const lesson::Options& options,
                  NetemPath* netem);

// Output.
void print_table(const std::vector<RunResult>& rows, const lesson::Options& options);
[[nodiscard]] looplab::Status write_svg(const std::string& path, const std::vector<RunResult>& rows,
                                        const Workload& workload, bool tcp_impaired);
std::string describe(const Impairments& path);
// "delay 5 ms + 0..5 ms jitter": the part of the path a TCP relay can give TCP too.
std::string describe_delay(const Impairments& path);

}  // namespace lab
