// lessons/14-tcp-vs-udp/results_table.cpp
//
// The comparison as a table: one row per transport, counts first, times after. --demo shows
// only the counts: they come from the seed; times come from the machine.
#include "lab.hpp"

namespace lab {
namespace {

std::string times_of(const RunResult& row) {
    return fmt::format(" {:>9.0f} {:>8.2f} {:>8.2f}", row.goodput_kib_s, row.p50_ms, row.p99_ms);
}

}  // namespace

void print_table(const std::vector<RunResult>& rows, const lesson::Options& options) {
    const bool with_times = !options.demo;
    lesson::say("{:<22} {:>9} {:>5} {:>10} {:>8} {:>9} {:>9}{}", "", "delivered", "lost", "duplicated",
                "out of", "corrupted", "retrans-",
                with_times ? fmt::format(" {:>9} {:>8} {:>8}", "goodput", "latency", "latency") : "");
    lesson::say("{:<22} {:>9} {:>5} {:>10} {:>8} {:>9} {:>9}{}", "", "", "", "", "order", "& caught",
                "missions", with_times ? fmt::format(" {:>9} {:>8} {:>8}", "KiB/s", "p50 ms", "p99 ms") : "");
    for (const RunResult& row : rows) {
        const std::string retransmissions = !with_times && row.retransmissions_vary
                                                ? std::string{"-"}
                                                : std::to_string(row.retransmissions);
        lesson::say("{:<22} {:>9} {:>5} {:>10} {:>8} {:>9} {:>9}{}{}", row.transport, row.delivered, row.lost(),
                    row.duplicated, row.out_of_order, row.corrupted_caught, retransmissions,
                    with_times ? times_of(row) : "", row.finished ? "" : "  (gave up: time limit)");
    }
    lesson::say("the path each row took:");
    for (const RunResult& row : rows) lesson::say("  {:<22} {}", row.transport, row.path);
    if (!with_times)
        lesson::say("(goodput, latency and TCP's own retransmissions depend on the machine's timing, "
                    "not on the seed: run without --demo)");
}

}  // namespace lab
