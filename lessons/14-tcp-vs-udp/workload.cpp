// lessons/14-tcp-vs-udp/workload.cpp
//
// The part every transport shares: the messages, the pace at which the application hands
// them over, and the tally the receiving application keeps.
#include "lab.hpp"

#include <algorithm>
#include <cmath>

namespace lab {

Bytes make_message(std::uint32_t seq, std::size_t size) {
    Bytes message(std::max(size, kMinMessageSize));
    message[0] = static_cast<std::uint8_t>(seq >> 24);
    message[1] = static_cast<std::uint8_t>(seq >> 16);
    message[2] = static_cast<std::uint8_t>(seq >> 8);
    message[3] = static_cast<std::uint8_t>(seq);
    for (std::size_t i = kMinMessageSize; i < message.size(); ++i)
        message[i] = static_cast<std::uint8_t>('a' + (seq + i) % 26);
    return message;
}

std::optional<std::uint32_t> seq_of(std::span<const std::uint8_t> message) {
    if (message.size() < kMinMessageSize) return std::nullopt;
    return static_cast<std::uint32_t>(message[0]) << 24 | static_cast<std::uint32_t>(message[1]) << 16 |
           static_cast<std::uint32_t>(message[2]) << 8 | message[3];
}

void Tally::on_message(std::span<const std::uint8_t> message, std::size_t expected_size,
                       TimePoint now, const std::vector<TimePoint>& queued_at) {
    const auto seq = seq_of(message);
    if (!seq || *seq >= first_seen_.size() || *seq >= queued_at.size() ||
        !std::ranges::equal(message, make_message(*seq, expected_size))) {
        ++bad_content_;   // never expected: every transport here checks its data
        return;
    }
    if (first_seen_[*seq]) {
        ++duplicated_;
        return;
    }
    first_seen_[*seq] = true;
    ++delivered_;
    if (static_cast<std::int64_t>(*seq) < highest_) ++out_of_order_;
    else highest_ = *seq;
    latencies_ms_.push_back(std::chrono::duration<double, std::milli>(now - queued_at[*seq]).count());
    last_delivery_ = now;
}

RunResult result_from(std::string transport, const Tally& tally, std::size_t count, std::size_t size) {
    RunResult row;
    row.transport = std::move(transport);
    row.count = count;
    row.delivered = tally.delivered();
    row.duplicated = tally.duplicated();
    row.out_of_order = tally.out_of_order();
    row.corrupted_caught = tally.corrupted_caught();
    if (tally.last_delivery()) {
        const double seconds = std::chrono::duration<double>(*tally.last_delivery() - tally.started()).count();
        if (seconds > 0) row.goodput_kib_s = static_cast<double>(tally.delivered() * size) / 1024.0 / seconds;
    }
    std::vector<double> sorted = tally.latencies_ms();
    std::sort(sorted.begin(), sorted.end());
    auto percentile = [&sorted](double p) {   // nearest rank
        if (sorted.empty()) return 0.0;
        const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
        return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
    };
    row.p50_ms = percentile(50);
    row.p99_ms = percentile(99);
    return row;
}

std::string delivery_summary(const RunResult& row) {
    const std::string got = fmt::format("{} of {} messages", row.delivered, row.count);
    if (row.duplicated == 0 && row.out_of_order == 0) return got + ", each once, in order";
    return fmt::format("{} ({} twice, {} out of order)", got, row.duplicated, row.out_of_order);
}

Pacer::Pacer(EventLoop& loop, const Workload& workload, Send send)
    : loop_(loop), workload_(workload), send_(std::move(send)), queued_at_(workload.count) {}

Pacer::~Pacer() { loop_.cancel_timer(timer_); }

void Pacer::start() {
    started_ = loop_.now();
    release_due();
    if (workload_.rate > 0 && !is_done())
        timer_ = loop_.set_interval(looplab::Millis{1}, [this] { release_due(); });
}

// Hands over every message whose time has come: message i is due at i / rate seconds, or,
// with rate 0, kBurstPerTurn of them on each turn of the loop.
void Pacer::release_due() {
    std::size_t due = std::min(workload_.count, next_ + kBurstPerTurn);
    if (workload_.rate > 0) {
        const double elapsed = std::chrono::duration<double>(loop_.now() - started_).count();
        const auto by_now = static_cast<std::size_t>(elapsed * static_cast<double>(workload_.rate)) + 1;
        due = std::min(workload_.count, by_now);
    }
    while (next_ < due) {
        queued_at_[next_] = loop_.now();
        send_(next_, make_message(next_, workload_.size));
        ++next_;
    }
    if (workload_.rate == 0 && !is_done()) {
        loop_.post_next([this, alive = lifetime_.alive_token()] {
            if (*alive) release_due();
        });
    }
    if (is_done() && timer_ != 0) {
        loop_.cancel_timer(timer_);
        timer_ = 0;
    }
}

bool run_until(EventLoop& loop, const std::function<bool()>& done) {
    return loop.run_until(done, kRunLimit);
}

std::string describe(const Impairments& path) {
    auto percent = [](double p) { return static_cast<int>(std::lround(p * 100)); };
    return fmt::format("loss {} %, duplication {} %, reordering {} %, corruption {} %, delay {} ms + "
                       "0..{} ms jitter",
                       percent(path.loss), percent(path.duplicate), percent(path.reorder),
                       percent(path.corrupt), path.delay.count(), path.jitter.count());
}

std::string describe_delay(const Impairments& path) {
    return fmt::format("delay {} ms + 0..{} ms jitter", path.delay.count(), path.jitter.count());
}

}  // namespace lab
