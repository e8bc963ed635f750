// lessons/14-tcp-vs-udp/tcp_vs_udp_demo.cpp
//
// The TCP vs UDP lab: the same workload over (a) raw UDP, (b) a small reliable protocol on
// UDP, (c) TCP, through the same bad path; one table, one chart. Read with
// notes/14-tcp-vs-udp.md.
#include "lab.hpp"
#include "netem_path.hpp"

#include <algorithm>

using namespace looplab;
using namespace lab;

namespace {

double percent(const lesson::Options& options, std::string_view name) {
    return static_cast<double>(std::clamp<std::int64_t>(options.number(name), 0, 100)) / 100.0;
}

Workload workload_from(const lesson::Options& options) {
    Workload workload;
    workload.count = static_cast<std::size_t>(std::clamp<std::int64_t>(options.number("count"), 1, 1'000'000));
    workload.size = static_cast<std::size_t>(std::clamp<std::int64_t>(options.number("size"), kMinMessageSize, 60'000));
    workload.rate = static_cast<std::size_t>(std::max<std::int64_t>(0, options.number("rate")));
    workload.seed = static_cast<std::uint64_t>(options.number("seed"));
    workload.path = Impairments{.loss = percent(options, "loss"), .duplicate = percent(options, "duplicate"),
                                .reorder = percent(options, "reorder"), .corrupt = percent(options, "corrupt"),
                                .delay = Millis{std::max<std::int64_t>(0, options.number("delay"))},
                                .jitter = Millis{std::max<std::int64_t>(0, options.number("jitter"))}};
    workload.reliable.window = static_cast<std::size_t>(std::clamp<std::int64_t>(options.number("window"), 1, kSackBits));
    workload.reliable.rto = Millis{std::max<std::int64_t>(1, options.number("rto"))};
    return workload;
}

}  // namespace

int main(int argc, char** argv) {
    const auto options = lesson::parse(
        argc, argv, "lesson-14",
        lesson::number("count", "N", "messages in the workload", 200),
        lesson::number("size", "BYTES", "bytes per message", 200),
        lesson::number("rate", "N", "messages per second (0: as fast as each transport takes them)", 0),
        lesson::number("loss", "PERCENT", "the link loses this share of datagrams", 10),
        lesson::number("duplicate", "PERCENT", "...duplicates", 5),
        lesson::number("reorder", "PERCENT", "...lets the next one overtake", 5),
        lesson::number("corrupt", "PERCENT", "...flips one bit in", 5),
        lesson::number("delay", "MS", "one-way delay", 5),
        lesson::number("jitter", "MS", "plus a random 0..jitter", 5),
        lesson::number("seed", "N", "the link's seed: same seed, same impairments", 14),
        lesson::number("window", "N", "the reliable protocol's window (at most 32)", static_cast<std::int64_t>(kDefaultWindow)),
        lesson::number("rto", "MS", "the reliable protocol's first retransmission timeout", kDefaultRto.count()),
        lesson::text("svg", "FILE", "also draw the comparison as an SVG chart in FILE"),
        lesson::flag("netem", "give TCP the same bad path with tc netem (Linux, root)"));
    lesson::TraceSession tracing{options};
    loop::EventLoop loop{options.poller};
    const Workload workload = workload_from(options);

    options.step("The workload and the path");
    lesson::say("{} numbered messages of {} bytes, handed over {}", workload.count, workload.size,
                workload.rate == 0 ? "as fast as each transport takes them"
                                   : fmt::format("at {} per second", workload.rate));
    lesson::say("the lossy link, a UDP relay in this program (seed {}), in both directions:", workload.seed);
    lesson::say("  {}", describe(workload.path));
    std::unique_ptr<NetemPath> netem;
    if (options.has("netem")) {
        auto built = NetemPath::set_up(workload.path);
        if (built) netem = std::move(*built);
        else lesson::say("--netem: could not build the impaired path for TCP: {}", built.error());
        if (netem) lesson::say("--netem: TCP crosses a veth pair with the same impairments (tc netem)");
    }

    std::vector<RunResult> rows;
    options.step("(a) Raw UDP: send once and hope");
    rows.push_back(run_raw_udp(loop, workload, options));

    options.step("(b) A reliable protocol over UDP: what TCP does for you");
    lesson::say("sequence numbers, a checksum, acks (cumulative + selective), a sliding window "
                "of {}, fast retransmit, and a retransmission timer of {} ms that doubles",
                workload.reliable.window, workload.reliable.rto.count());
    rows.push_back(run_reliable_udp(loop, workload, options));

    options.step("(c) TCP");
    rows.push_back(run_tcp(loop, workload, options, netem.get()));
    const bool tcp_impaired = netem != nullptr;
    netem.reset();   // remove the namespaces now

    options.step("The comparison");
    print_table(rows, options);
    if (options.has("svg")) {
        const std::string& file = options.text("svg");
        if (auto written = write_svg(file, rows, workload, tcp_impaired); !written)
            lesson::fail(written.error());
        lesson::say("chart written to {}", options.demo ? std::string{"the --svg file"} : file);
    }

    options.step("What to take away");
    lesson::say("raw UDP is the network as it is: fast, and whatever arrives, in whatever order;");
    lesson::say("the reliable protocol pays for exactly-once, in-order delivery with retransmissions");
    lesson::say("and waiting (one lost message holds back the ones behind it: head-of-line blocking);");
    lesson::say("TCP does the same inside the kernel, plus flow and congestion control, for every");
    lesson::say("connection. UDP is for those who would rather choose what to repair themselves.");
    return 0;
}
