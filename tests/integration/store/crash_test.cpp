// tests/integration/store/crash_test.cpp — the promise of the write-ahead order, tested the
// hard way. A writer process (a fork() of this test) appends under FsyncPolicy Always and,
// after each append() returns, reports the record's offset through a pipe: that report is the
// "acknowledgement". The test kills it with SIGKILL at a random moment (while it opens the
// log, recovers it, writes a record, or waits for the drive), then opens the log itself and
// checks:
//   - every acknowledged record is there, in order, with the bytes that were appended;
//   - nothing else is wrong: offsets 0, 1, 2... with no gap, every value the one the writer
//     made for that offset (at most the records written but not yet acknowledged follow);
//   - the file ends right after the last good record (a torn tail was cut).
// Hundreds of rounds, at most about 15 s in all. What this proves and what it cannot (power
// loss): notes/16-database.md. Because a kill never tests fsync (the kernel keeps every
// written byte), the files live in /dev/shm when there is one: the same page cache, without
// waiting for a drive that other programs keep busy. Elsewhere (TMPDIR) it runs fewer rounds.
#include "unit/store/store_test_support.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <csignal>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace looplab;
using namespace looplab::store;
using namespace looplab::store::testing;

namespace {

// Rounds and time: whichever ends first. Each writer's file starts fresh every
// kRoundsPerFile rounds, so recovery's full scans stay short.
constexpr int kMaxRounds = 500;
constexpr auto kTimeBudget = std::chrono::seconds{15};
constexpr int kRoundsPerFile = 20;
constexpr std::uint64_t kWriterFailed = ~std::uint64_t{0};   // sent instead of an offset

// The value the writer appends at `offset`: its number, then filler whose length depends on
// it. Most are short; every 32nd is 20-90 KiB, so one write() spans many pages and a kill can
// land in the middle of it.
std::string value_for(Offset offset) {
    std::mt19937 random{static_cast<std::uint32_t>(offset)};
    const std::size_t filler = offset % 32 == 31 ? 20'000 + random() % 70'000 : random() % 200;
    std::string value = fmt::format("record {} ", offset);
    for (std::size_t i = 0; i < filler; ++i)
        value.push_back(static_cast<char>('a' + (offset + i) % 26));
    return value;
}

// The writer: runs in the child until SIGKILL. Never returns.
[[noreturn]] void run_writer(const std::string& path, int ack_fd) {
    LogOptions options;
    options.fsync = Always{};
    auto log = Log::open(path, options);
    if (!log) {
        [[maybe_unused]] const ssize_t sent = ::write(ack_fd, &kWriterFailed, sizeof kWriterFailed);
        ::_exit(1);
    }
    for (;;) {
        const Offset next = log->next_offset();
        auto offset = log->append("k", value_for(next));
        // Acknowledged only now, after append() returned: the write-ahead order.
        const std::uint64_t ack = offset && *offset == next ? *offset : kWriterFailed;
        if (::write(ack_fd, &ack, sizeof ack) != sizeof ack || ack == kWriterFailed) ::_exit(1);
    }
}

struct RoundResult {
    std::vector<std::uint64_t> acks;
    bool writer_failed = false;
};

// One round: start a writer, let it run for a random moment, kill it, collect its acks.
RoundResult kill_a_writer(const std::string& path, std::mt19937& random) {
    int pipe_fds[2];
    REQUIRE(::pipe(pipe_fds) == 0);
    const pid_t child = ::fork();
    REQUIRE(child != -1);
    if (child == 0) {
        ::close(pipe_fds[0]);
        run_writer(path, pipe_fds[1]);
    }
    ::close(pipe_fds[1]);

    // The random moment: sometimes right away (inside open or recovery), sometimes after a
    // few acknowledged appends, sometimes a little later in the middle of one.
    RoundResult result;
    std::vector<std::uint64_t> buffer(1024);
    auto read_acks = [&](int timeout_ms) {
        pollfd ready{pipe_fds[0], POLLIN, 0};
        if (::poll(&ready, 1, timeout_ms) <= 0) return false;
        const ssize_t got =
            ::read(pipe_fds[0], buffer.data(), buffer.size() * sizeof(std::uint64_t));
        if (got <= 0) return false;   // the writer is gone
        for (std::size_t i = 0; i < static_cast<std::size_t>(got) / sizeof(std::uint64_t); ++i)
            result.acks.push_back(buffer[i]);
        return true;
    };
    const std::size_t wanted_acks = random() % 4 == 0 ? 0 : random() % 30;
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds{2};
    while (result.acks.size() < wanted_acks && std::chrono::steady_clock::now() < give_up)
        if (!read_acks(100)) break;
    const useconds_t extra = static_cast<useconds_t>(random() % 500);   // 0-0.5 ms more
    if (extra > 0) ::usleep(extra);

    ::kill(child, SIGKILL);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    while (read_acks(0)) {   // what it acknowledged before it died is still in the pipe
    }
    ::close(pipe_fds[0]);
    for (std::uint64_t ack : result.acks) result.writer_failed |= ack == kWriterFailed;
    return result;
}

}   // namespace

TEST_CASE("a writer killed with SIGKILL at random moments loses no acknowledged record",
          "[store-crash][store][integration]") {
    TempDir dir{::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : ""};
    std::mt19937 random{20261206};
    const auto deadline = std::chrono::steady_clock::now() + kTimeBudget;
    int rounds = 0;
    int torn_tails = 0;
    std::size_t acknowledged = 0;
    std::string path;
    std::uint64_t last_acked_in_file = 0;
    bool any_acked_in_file = false;

    while (rounds < kMaxRounds && std::chrono::steady_clock::now() < deadline) {
        if (rounds % kRoundsPerFile == 0) {
            path = dir.file(fmt::format("crash-{}.log", rounds / kRoundsPerFile));
            any_acked_in_file = false;
        }
        const RoundResult round = kill_a_writer(path, random);
        ++rounds;
        CAPTURE(rounds);
        REQUIRE_FALSE(round.writer_failed);

        // Acks come in order, one per offset.
        bool acks_in_order = true;
        for (std::size_t i = 1; i < round.acks.size(); ++i)
            acks_in_order &= round.acks[i] == round.acks[i - 1] + 1;
        REQUIRE(acks_in_order);
        if (!round.acks.empty()) {
            if (any_acked_in_file) REQUIRE(round.acks.front() > last_acked_in_file);
            last_acked_in_file = round.acks.back();
            any_acked_in_file = true;
        }
        acknowledged += round.acks.size();

        // Recovery, as the next program to open the file would do it.
        const std::uint64_t size_before =
            std::filesystem::exists(path) ? std::filesystem::file_size(path) : 0;
        Log log = open_log(path, LogOptions{});
        const RecoveryReport& report = log.recovery();
        REQUIRE(report.ending != RecoveryReport::Ending::Corrupt);   // a kill only tears the tail
        if (report.ending == RecoveryReport::Ending::TornTail) ++torn_tails;
        // The file ends right after the last good record (a writer killed before its header
        // was whole leaves a new, empty log).
        REQUIRE(log.file_bytes() ==
                (report.created ? kStoreFileHeaderBytes : size_before - report.bytes_cut));

        const std::vector<Record> records = must(log.read_from(0));
        // Nothing wrong: offsets 0, 1, 2... and each value the one made for its offset.
        // (One REQUIRE per round, not per record: a million passing assertions are slow.)
        std::size_t first_wrong = records.size();
        for (std::size_t i = 0; i < records.size() && first_wrong == records.size(); ++i)
            if (records[i].offset != i || records[i].key != "k" || records[i].value != value_for(i))
                first_wrong = i;
        INFO("record " << first_wrong << " of " << records.size() << " is not what was appended");
        REQUIRE(first_wrong == records.size());
        // Everything acknowledged in this file is there (in order, by the check above).
        if (any_acked_in_file) REQUIRE(records.size() > last_acked_in_file);
        // At most one record more than acknowledged: the one written but not yet reported.
        if (!round.acks.empty()) REQUIRE(records.size() <= round.acks.back() + 2);
        REQUIRE(log.close());
    }

    INFO(rounds << " rounds, " << acknowledged << " acknowledged appends, " << torn_tails
                << " torn tails cut");
    CHECK(rounds >= 30);   // hundreds on /dev/shm; a busy disk may allow fewer in the budget
    CHECK(acknowledged > 0);
}
