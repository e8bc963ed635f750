// tests/bench/loop_bench.cpp
//
// Loop benchmarks — how fast the event loop's own parts run, per poller backend, in one
// thread. Prints figures next to the targets of issue 2 §7; never asserts (make bench).
//
//   next-tasks/s     post_next() chains: every task posts its successor
//   timers/s         1,000,000 timers with random 0-9 ms deadlines, added then fired;
//                    count / wall time of add + fire (the libuv "million timers" workload)
//   round trips/s    pipe ping-pong inside one loop: 1 pair, 100 busy pairs, and 1 busy pair
//                    among 1,000 idle watched pipes (poll pays for the idle ones, epoll not)
//   emit/s           EventEmitter::emit with 1 and 10 listeners (no poller involved)
//   tracing          a TraceScope-heavy task, sink off vs a TextSink writing to /dev/null
//
// Usage: loop_bench [--seconds S] [--pollers epoll,poll]
//                   [--only next|timers|pingpong|raw|emit|trace]
// Each time-boxed figure runs for S seconds (default 1). --only runs one group, for profiling:
//   valgrind --tool=callgrind build/bench-g++/bench/loop_bench --only timers
// Run it pinned to one CPU (tests/bench/run does) so the figures do not include migrations.
#include "looplab/core/unique_fd.hpp"
#include "looplab/events/event_emitter.hpp"
#include "looplab/loop/event_loop.hpp"
#include "looplab/poller/poller.hpp"
#include "looplab/trace/call_stack.hpp"
#include "looplab/trace/sinks.hpp"

#include "loop_figures.hpp"
#include "million_timers.hpp"
#include "pipe_ping_pong.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>

namespace {

using bench::Figure;
using bench::kFairShare;
using bench::pass_ball;
using bench::PingPongPair;
using bench::PingPongTable;
using bench::Pipe;
using bench::row;
using bench::Stopwatch;
using bench::WallClock;
using looplab::Millis;
using looplab::UniqueFd;
using looplab::loop::EventLoop;
using looplab::poller::Interest;
using looplab::poller::Ready;

// The workload sizes of issue 2 §7 (the million timers: million_timers.hpp).
constexpr std::size_t kChains = 1'000;   // post_next chains running side by side
constexpr std::size_t kBusyPairs = 100;
constexpr std::size_t kIdlePipes = 1'000;
// File descriptors the largest case needs (idle pipes, busy pairs, the loop's own), rounded up.
// If the hard limit is lower, that case prints "skipped" instead of failing half-way.
constexpr rlim_t kFdsNeeded = 2 * kIdlePipes + 4 * kBusyPairs + 64;
// ---- next-tasks -----------------------------------------------------------------------------

struct ChainState {
    EventLoop* loop;
    std::uint64_t ran = 0;
    bool is_stopping = false;
};

// Trivially copyable and two words small, so std::function keeps it inline: the figure is
// the loop's cost per task, not malloc's.
struct ChainStep {
    ChainState* state;
    void operator()() const {
        ++state->ran;
        if (!state->is_stopping) state->loop->post_next(*this);
    }
};

Millis millis(double seconds) { return Millis{static_cast<Millis::rep>(seconds * 1000)}; }

// Runs `chains` chains for `seconds`; a timer ends the measurement, so the loop's timer phase
// is part of what is measured, as in any real program.
template <typename Step>
Figure chained_tasks_per_second(const std::string& poller, std::size_t chains, double seconds) {
    EventLoop loop{poller};
    ChainState state{&loop};
    for (std::size_t i = 0; i < chains; ++i) loop.post_next(Step{&state});
    Stopwatch watch;
    loop.set_timeout(millis(seconds), [&] {
        watch.stop(state.ran);
        state.is_stopping = true;
    });
    if (!loop.run()) return Figure{};
    return watch.figure();
}

// ---- pipe ping-pong -------------------------------------------------------------------------

// Round trips per second through the loop, with `busy` pairs bouncing and `idle` more pipes
// watched but silent.
Figure round_trips_per_second(const std::string& poller, std::size_t busy, std::size_t idle,
                              double seconds) {
    auto table = PingPongTable::make(busy, idle);
    if (!table) return Figure{0, 1, true};
    EventLoop loop{poller};
    std::uint64_t round_trips = 0;
    bool is_stopping = false;
    for (const Pipe& pipe : table->idle_pipes)
        if (!loop.watch(pipe.read_end.get(), Interest::read(), [](const Ready&) {}))
            return Figure{0, 1, true};
    for (const PingPongPair& pair : table->pairs) {
        const int there_in = pair.there.read_end.get(), back_out = pair.back.write_end.get();
        const int back_in = pair.back.read_end.get(), there_out = pair.there.write_end.get();
        auto bounce = [there_in, back_out](const Ready&) { pass_ball(there_in, back_out); };
        auto home = [&round_trips, &is_stopping, back_in, there_out](const Ready&) {
            ++round_trips;
            if (!is_stopping) pass_ball(back_in, there_out);
        };
        if (!loop.watch(there_in, Interest::read(), bounce) ||
            !loop.watch(back_in, Interest::read(), home))
            return Figure{0, 1, true};
    }
    if (!table->serve()) return Figure{};

    Stopwatch watch;
    loop.set_timeout(millis(seconds), [&] {
        watch.stop(round_trips);
        loop.stop();
    });
    const bool ran = loop.run().has_value();
    for (const Pipe& pipe : table->idle_pipes) loop.forget(pipe.read_end.get());
    for (const PingPongPair& pair : table->pairs) {
        loop.forget(pair.there.read_end.get());
        loop.forget(pair.back.read_end.get());
    }
    return ran ? watch.figure() : Figure{};
}

// The same ping-pong with no loop at all: epoll_wait, read, write, written out by hand. It is
// the machine's limit for this workload (what the syscalls alone cost here), so the loop's
// own overhead is the gap between the two rows.
Figure raw_epoll_round_trips_per_second(std::size_t busy, double seconds) {
    auto table = PingPongTable::make(busy, 0);
    UniqueFd epoll_fd{::epoll_create1(EPOLL_CLOEXEC)};
    if (!table || !epoll_fd) return Figure{0, 1, true};
    for (std::size_t i = 0; i < table->pairs.size(); ++i) {
        for (const Pipe* pipe : {&table->pairs[i].there, &table->pairs[i].back}) {
            epoll_event event{};
            event.events = EPOLLIN;
            // index * 2 (+1 for the way back) finds the pipe again without a lookup
            event.data.u64 = i * 2 + (pipe == &table->pairs[i].back ? 1 : 0);
            if (::epoll_ctl(epoll_fd.get(), EPOLL_CTL_ADD, pipe->read_end.get(), &event) == -1)
                return Figure{};
        }
    }
    if (!table->serve()) return Figure{};
    std::uint64_t round_trips = 0;
    Stopwatch watch;
    const auto end = WallClock::now() + std::chrono::duration<double>(seconds);
    epoll_event events[256];
    for (std::uint64_t turns = 1;; ++turns) {
        const int count = ::epoll_wait(epoll_fd.get(), events, 256, 0);
        for (int e = 0; e < count; ++e) {
            const PingPongPair& pair = table->pairs[events[e].data.u64 / 2];
            if (events[e].data.u64 % 2 == 0) {
                pass_ball(pair.there.read_end.get(), pair.back.write_end.get());
            } else {
                ++round_trips;
                pass_ball(pair.back.read_end.get(), pair.there.write_end.get());
            }
        }
        if (turns % 256 == 0 && WallClock::now() >= end) break;
    }
    watch.stop(round_trips);
    return watch.figure();
}

// ---- emit -----------------------------------------------------------------------------------

Figure emits_per_second(std::size_t listeners, double seconds) {
    looplab::events::EventEmitter<int> emitter;
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < listeners; ++i)
        emitter.on("tick", [&sum](const int& value) { sum += static_cast<unsigned>(value); });
    constexpr int kBlock = 4096;   // reading the clock costs about as much as an emit
    std::uint64_t emits = 0;
    Stopwatch watch;
    const auto end = WallClock::now() + std::chrono::duration<double>(seconds);
    do {
        for (int i = 0; i < kBlock; ++i) emitter.emit("tick", i);
        emits += kBlock;
    } while (WallClock::now() < end);
    watch.stop(emits);
    // Checking the listeners' work keeps the compiler from dropping it.
    if (sum != emits / kBlock * listeners * (kBlock - 1) * kBlock / 2) std::abort();
    return watch.figure();
}

// ---- tracing --------------------------------------------------------------------------------

// A task shaped like a lesson's handler: three nested scopes, one with a formatted detail.
struct TracedStep {
    ChainState* state;
    void operator()() const {
        LOOPLAB_TRACE_SCOPE("Bench::on_message", "#{}", state->ran);
        {
            LOOPLAB_TRACE_SCOPE("Bench::parse");
            LOOPLAB_TRACE_SCOPE("Bench::reply");
            ++state->ran;
        }
        if (!state->is_stopping) state->loop->post_next(*this);
    }
};

// Traced next-tasks per second with `sink` listening (nullptr: tracing off).
Figure traced_tasks_per_second(looplab::trace::Sink* sink, double seconds) {
    looplab::trace::CallStack::current().set_sink(sink);
    const Figure figure = chained_tasks_per_second<TracedStep>("epoll", kChains, seconds);
    looplab::trace::CallStack::current().set_sink(nullptr);
    return figure;
}

// ---- printing -------------------------------------------------------------------------------

bool raise_fd_limit(rlim_t wanted) {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == -1) return false;
    if (limit.rlim_cur >= wanted) return true;
    limit.rlim_cur = std::min(wanted, limit.rlim_max);
    ::setrlimit(RLIMIT_NOFILE, &limit);
    return limit.rlim_cur >= wanted;
}

struct Options {
    double seconds = 1.0;
    std::vector<std::string> pollers;
    std::string only;   // empty: every group

    bool runs(std::string_view group) const { return only.empty() || only == group; }
};

Options parse(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--seconds" && i + 1 < argc) {
            options.seconds = std::atof(argv[++i]);
        } else if (arg == "--pollers" && i + 1 < argc) {
            const std::string list = argv[++i];
            for (std::size_t start = 0; start <= list.size();) {
                const std::size_t comma = std::min(list.find(',', start), list.size());
                if (comma > start) options.pollers.push_back(list.substr(start, comma - start));
                start = comma + 1;
            }
        } else if (arg == "--only" && i + 1 < argc) {
            options.only = argv[++i];
        } else {
            fmt::print(stderr,
                       "usage: loop_bench [--seconds S] [--pollers epoll,poll] "
                       "[--only next|timers|pingpong|raw|emit|trace]\n");
            std::exit(2);
        }
    }
    if (options.seconds <= 0) options.seconds = 1.0;
    if (options.pollers.empty()) options.pollers = looplab::poller::available_pollers();
    for (const std::string& name : options.pollers)
        if (auto made = looplab::poller::make_poller(name); !made) {
            fmt::print(stderr, "loop_bench: {}\n", made.error().message());
            std::exit(2);
        }
    return options;
}

void print_ping_pong(const std::vector<std::string>& pollers, bool has_fds, double s) {
    std::vector<Figure> one_pair, busy_pairs, among_idle;
    for (const std::string& p : pollers) {
        one_pair.push_back(round_trips_per_second(p, 1, 0, s));
        busy_pairs.push_back(round_trips_per_second(p, kBusyPairs, 0, s));
        among_idle.push_back(has_fds ? round_trips_per_second(p, 1, kIdlePipes, s)
                                     : Figure{0, 1, true});
    }
    row("round trips/s, pipe ping-pong, 1 pair", one_pair, ">= 0.7 M (epoll)");
    row(fmt::format("round trips/s, {} busy pairs", kBusyPairs), busy_pairs);
    row(fmt::format("round trips/s, 1 pair + {} idle pipes", kIdlePipes), among_idle,
        "epoll within 10 % of 1 pair", "");
    fmt::print("  {:<42}", "  idle-pipes figure / 1-pair figure");
    for (std::size_t i = 0; i < pollers.size(); ++i)
        fmt::print("{:>16}", one_pair[i].per_second > 0 && among_idle[i].per_second > 0
                                 ? fmt::format("{:.0f} %", 100 * among_idle[i].per_second /
                                                               one_pair[i].per_second)
                                 : std::string{"-"});
    fmt::print("   >= 90 % (epoll)\n");
    if (!has_fds)
        fmt::print("  (the idle-pipes case needs {} file descriptors; raise ulimit -n)\n",
                   kFdsNeeded);
}

bool print_tracing(double seconds) {
    std::FILE* dev_null = std::fopen("/dev/null", "w");
    if (dev_null == nullptr) {
        fmt::print(stderr, "loop_bench: cannot open /dev/null: {}\n", std::strerror(errno));
        return false;
    }
    looplab::trace::TextSink text_sink{dev_null};
    const Figure off = traced_tasks_per_second(nullptr, seconds);
    const Figure on = traced_tasks_per_second(&text_sink, seconds);
    std::fclose(dev_null);
    fmt::print("\n  {:<42}{:>16}\n", "tracing (epoll)", "");
    row("traced tasks/s (3 scopes each), tracing off", {off}, "", "");
    row("traced tasks/s, TextSink to /dev/null", {on},
        on.per_second > 0
            ? fmt::format("{:.1f}x slower with tracing", off.per_second / on.per_second)
            : std::string{},
        "");
    return true;
}

}   // namespace

int main(int argc, char** argv) {
    const Options options = parse(argc, argv);
    const double s = options.seconds;
    const bool has_fds = raise_fd_limit(kFdsNeeded);
    auto per_poller = [&](auto measure) {
        std::vector<Figure> figures;
        for (const std::string& name : options.pollers) figures.push_back(measure(name));
        return figures;
    };

    fmt::print("  {:<42}", "per backend, one thread");
    for (const std::string& name : options.pollers) fmt::print("{:>16}", name);
    // No libuv column: libuv's figures are measured in the same run by loop_vs_libuv (make
    // bench prints its table right after this one), not copied from an issue.
    fmt::print("   {}\n", "target");

    if (options.runs("next")) {
        row(fmt::format("next-tasks/s ({} post_next chains)", kChains),
            per_poller([&](const std::string& p) {
                return chained_tasks_per_second<ChainStep>(p, kChains, s);
            }),
            ">= 10 M", "");
        row("next-tasks/s (1 chain: one task per turn)", per_poller([&](const std::string& p) {
                return chained_tasks_per_second<ChainStep>(p, 1, s);
            }),
            "", "");
    }
    if (options.runs("timers"))
        row("timers/s (1 M timers, 0-9 ms, add+fire)",
            per_poller([&](const std::string& p) { return bench::looplab_timers_per_second(p); }),
            ">= 1 M");
    if (options.runs("pingpong")) print_ping_pong(options.pollers, has_fds, s);

    if (options.runs("raw")) {
        fmt::print("\n  {:<42}{:>16}\n", "the same ping-pong without a loop", "raw epoll");
        row("round trips/s, 1 pair (the syscalls alone)", {raw_epoll_round_trips_per_second(1, s)},
            "", "");
        row(fmt::format("round trips/s, {} busy pairs", kBusyPairs),
            {raw_epoll_round_trips_per_second(kBusyPairs, s)}, "", "");
    }
    if (options.runs("emit")) {
        fmt::print("\n  {:<42}{:>16}\n", "no poller involved", "");
        row("emit/s, 1 listener", {emits_per_second(1, s / 2)}, "", "");
        row("emit/s, 10 listeners", {emits_per_second(10, s / 2)}, "", "");
    }
    if (options.runs("trace") && !print_tracing(s / 2)) return 1;
    fmt::print(
        "\n  (NN%) after a figure: the share of one CPU this process got while measuring;\n"
        "  below {:.0f}% other programs were running on the same CPU.\n",
        100 * kFairShare);
    return 0;
}
