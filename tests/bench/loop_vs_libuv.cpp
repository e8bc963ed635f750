// tests/bench/loop_vs_libuv.cpp
//
// looplab beside libuv, measured in the same process and the same run (make bench prints this
// table right after loop_bench's), so the comparison never rests on a figure copied from an
// issue or from another machine.
//
//   pipe ping-pong   one pair of pipes, one byte each way, the same number of round trips
//                    for each contestant:
//                      looplab      EventLoop{"epoll"}, watch() on both read ends
//                      bare epoll   epoll_wait, read, write written out by hand: what the
//                                   syscalls alone cost, the floor for any loop
//                      libuv        uv_poll_t on both read ends (the same raw fds, the same
//                                   read and write as the others; no uv_stream buffering)
//                    Every turn of every loop finds exactly one fd ready.
//   timers           the million timers of million_timers.hpp, looplab and libuv
//
// The contestants take turns (A B C, A B C, ...) and each row shows its best run: noise on a
// shared machine only ever lowers a figure. All runs are printed below the best.
//
// libuv is a test-only dependency (Debian: libuv1-dev); only this binary links it, and make
// bench skips it when libuv is not installed.
//
// Usage: loop_vs_libuv [--round-trips N] [--rounds R] [--only pingpong|timers]
//                      [--contestant looplab|epoll|libuv]
// --contestant runs one ping-pong contestant once, for strace -c or callgrind:
//   strace -c -f build/bench-g++/bench/loop_vs_libuv --contestant libuv --round-trips 100000
#include "loop_figures.hpp"
#include "million_timers.hpp"
#include "pipe_ping_pong.hpp"

#include "looplab/core/unique_fd.hpp"
#include "looplab/loop/event_loop.hpp"

#include <fmt/format.h>

#include <uv.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <sys/epoll.h>

namespace {

using bench::Figure;
using bench::pass_ball;
using bench::PingPongPair;
using bench::PingPongTable;
using bench::Stopwatch;

constexpr std::uint64_t kDefaultRoundTrips = 300'000;   // about a second each on a 2-core VM
constexpr int kDefaultRounds = 3;

// ---- pipe ping-pong: looplab -------------------------------------------------------------------

Figure looplab_round_trips(std::uint64_t wanted) {
    auto table = PingPongTable::make(1, 0);
    if (!table) return Figure{0, 1, true};
    const PingPongPair& pair = table->pairs.front();
    const int there_in = pair.there.read_end.get(), back_out = pair.back.write_end.get();
    const int back_in = pair.back.read_end.get(), there_out = pair.there.write_end.get();
    looplab::loop::EventLoop loop{"epoll"};
    std::uint64_t round_trips = 0;
    Stopwatch* watch = nullptr;
    auto bounce = [there_in, back_out](const looplab::poller::Ready&) {
        pass_ball(there_in, back_out);
    };
    auto home = [&](const looplab::poller::Ready&) {
        if (++round_trips == wanted) {
            watch->stop(round_trips);
            loop.stop();
            return;
        }
        pass_ball(back_in, there_out);
    };
    if (!loop.watch(there_in, looplab::poller::Interest::read(), bounce) ||
        !loop.watch(back_in, looplab::poller::Interest::read(), home))
        return Figure{0, 1, true};
    if (!table->serve()) return Figure{};
    Stopwatch started;
    watch = &started;
    const bool ran = loop.run().has_value();
    loop.forget(there_in);
    loop.forget(back_in);
    return ran && round_trips == wanted ? started.figure() : Figure{};
}

// ---- pipe ping-pong: bare epoll ----------------------------------------------------------------

// The loop any event loop adds to: wait (blocking, as the loops do when nothing else is due),
// then read and write. No timers, no queues, no callbacks through std::function.
Figure bare_epoll_round_trips(std::uint64_t wanted) {
    auto table = PingPongTable::make(1, 0);
    looplab::UniqueFd epoll_fd{::epoll_create1(EPOLL_CLOEXEC)};
    if (!table || !epoll_fd) return Figure{0, 1, true};
    const PingPongPair& pair = table->pairs.front();
    for (const bench::Pipe* pipe : {&pair.there, &pair.back}) {
        epoll_event event{};
        event.events = EPOLLIN;
        event.data.fd = pipe->read_end.get();
        if (::epoll_ctl(epoll_fd.get(), EPOLL_CTL_ADD, pipe->read_end.get(), &event) == -1)
            return Figure{};
    }
    if (!table->serve()) return Figure{};
    const int there_in = pair.there.read_end.get();
    std::uint64_t round_trips = 0;
    Stopwatch watch;
    epoll_event events[64];
    while (round_trips < wanted) {
        const int count = ::epoll_wait(epoll_fd.get(), events, 64, -1);
        if (count == -1) return Figure{};
        for (int e = 0; e < count; ++e) {
            if (events[e].data.fd == there_in) {
                pass_ball(there_in, pair.back.write_end.get());
            } else if (++round_trips < wanted) {
                pass_ball(pair.back.read_end.get(), pair.there.write_end.get());
            }
        }
    }
    watch.stop(round_trips);
    return watch.figure();
}

// ---- pipe ping-pong: libuv ---------------------------------------------------------------------

struct UvGame {
    int there_in, back_out, back_in, there_out;
    std::uint64_t wanted;
    std::uint64_t round_trips = 0;
    Stopwatch* watch = nullptr;
};

void on_there_readable(uv_poll_t* handle, int status, int /*events*/) {
    if (status < 0) std::abort();
    const auto* game = static_cast<const UvGame*>(handle->data);
    pass_ball(game->there_in, game->back_out);
}

void on_back_readable(uv_poll_t* handle, int status, int /*events*/) {
    if (status < 0) std::abort();
    auto* game = static_cast<UvGame*>(handle->data);
    if (++game->round_trips == game->wanted) {
        game->watch->stop(game->round_trips);
        uv_stop(handle->loop);
        return;
    }
    pass_ball(game->back_in, game->there_out);
}

Figure libuv_round_trips(std::uint64_t wanted) {
    auto table = PingPongTable::make(1, 0);
    if (!table) return Figure{0, 1, true};
    const PingPongPair& pair = table->pairs.front();
    UvGame game{pair.there.read_end.get(), pair.back.write_end.get(), pair.back.read_end.get(),
                pair.there.write_end.get(), wanted};
    uv_loop_t loop;
    if (uv_loop_init(&loop) != 0) return Figure{};
    uv_poll_t there_watch, back_watch;
    uv_poll_init(&loop, &there_watch, game.there_in);
    uv_poll_init(&loop, &back_watch, game.back_in);
    there_watch.data = back_watch.data = &game;
    uv_poll_start(&there_watch, UV_READABLE, on_there_readable);
    uv_poll_start(&back_watch, UV_READABLE, on_back_readable);
    if (!table->serve()) return Figure{};
    Stopwatch watch;
    game.watch = &watch;
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_close(reinterpret_cast<uv_handle_t*>(&there_watch), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&back_watch), nullptr);
    uv_run(&loop, UV_RUN_DEFAULT);   // runs the closes
    uv_loop_close(&loop);
    return game.round_trips == wanted ? watch.figure() : Figure{};
}

// ---- timers: libuv -----------------------------------------------------------------------------

Figure libuv_timers_per_second() {
    const std::vector<std::uint8_t> delays = bench::million_timer_delays();
    // Allocated before the clock starts; looplab allocates inside set_timeout(), so this
    // favours libuv slightly.
    auto timers = std::make_unique<uv_timer_t[]>(delays.size());
    uv_loop_t loop;
    if (uv_loop_init(&loop) != 0) return Figure{};
    std::size_t fired = 0;
    loop.data = &fired;
    Stopwatch watch;
    for (std::size_t i = 0; i < delays.size(); ++i) {
        uv_timer_init(&loop, &timers[i]);
        uv_timer_start(
            &timers[i], [](uv_timer_t* timer) { ++*static_cast<std::size_t*>(timer->loop->data); },
            delays[i], 0);
    }
    uv_run(&loop, UV_RUN_DEFAULT);
    watch.stop(fired);
    for (std::size_t i = 0; i < delays.size(); ++i)
        uv_close(reinterpret_cast<uv_handle_t*>(&timers[i]), nullptr);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    return fired == delays.size() ? watch.figure() : Figure{};
}

// ---- taking turns ------------------------------------------------------------------------------

struct Contestant {
    std::string name;
    std::function<Figure()> measure;
    std::vector<Figure> runs;

    Figure best() const {
        Figure best{};
        for (const Figure& run : runs)
            if (run.per_second > best.per_second) best = run;
        return best;
    }
};

void take_turns(std::vector<Contestant>& contestants, int rounds) {
    for (int round = 0; round < rounds; ++round)
        for (Contestant& contestant : contestants) contestant.runs.push_back(contestant.measure());
}

void print_table(std::string_view title, std::string_view rate, std::vector<Contestant>& all) {
    fmt::print("\n  {:<42}", title);
    for (const Contestant& contestant : all) fmt::print("{:>16}", contestant.name);
    fmt::print("\n");
    std::vector<Figure> best;
    for (const Contestant& contestant : all) best.push_back(contestant.best());
    bench::row(fmt::format("{} (best of {})", rate, all.front().runs.size()), best);
    // What each would do with a CPU of its own: the figure to compare when others ran on ours.
    std::vector<Figure> per_cpu;
    for (const Figure& figure : best)
        per_cpu.push_back(Figure{figure.cpu_share > 0 ? figure.per_second / figure.cpu_share : 0, 1,
                                 figure.is_skipped});
    bench::row("  the same per CPU-second", per_cpu);
    for (const Contestant& contestant : all) {
        std::string runs;
        for (const Figure& run : contestant.runs) {
            if (!runs.empty()) runs += ", ";
            runs += bench::text(run);
        }
        fmt::print("    all runs, {:<16}{}\n", contestant.name, runs);
    }
}

// "1.07x" when both figures exist.
std::string ratio(const Figure& a, const Figure& b) {
    if (a.per_second <= 0 || b.per_second <= 0) return "-";
    return fmt::format("{:.2f}x", a.per_second / b.per_second);
}

struct Options {
    std::uint64_t round_trips = kDefaultRoundTrips;
    int rounds = kDefaultRounds;
    std::string only;         // empty: both groups
    std::string contestant;   // non-empty: one ping-pong run of that one, for profiling
};

[[noreturn]] void usage() {
    fmt::print(stderr,
               "usage: loop_vs_libuv [--round-trips N] [--rounds R] "
               "[--only pingpong|timers] [--contestant looplab|epoll|libuv]\n");
    std::exit(2);
}

Options parse(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (i + 1 >= argc) usage();
        if (arg == "--round-trips") options.round_trips = std::strtoull(argv[++i], nullptr, 10);
        else if (arg == "--rounds") options.rounds = std::atoi(argv[++i]);
        else if (arg == "--only") options.only = argv[++i];
        else if (arg == "--contestant") options.contestant = argv[++i];
        else usage();
    }
    if (options.round_trips == 0 || options.rounds <= 0) usage();
    return options;
}

int run_one_contestant(const Options& options) {
    const std::uint64_t n = options.round_trips;
    Figure figure;
    if (options.contestant == "looplab") figure = looplab_round_trips(n);
    else if (options.contestant == "epoll") figure = bare_epoll_round_trips(n);
    else if (options.contestant == "libuv") figure = libuv_round_trips(n);
    else usage();
    fmt::print("{}: {} round trips/s\n", options.contestant, bench::text(figure));
    return figure.per_second > 0 ? 0 : 1;
}

}   // namespace

int main(int argc, char** argv) {
    const Options options = parse(argc, argv);
    if (!options.contestant.empty()) return run_one_contestant(options);
    const std::uint64_t n = options.round_trips;
    fmt::print(
        "\n  looplab beside libuv {}.{}.{} (Debian libuv1-dev, test-only), same process, "
        "taking turns\n",
        UV_VERSION_MAJOR, UV_VERSION_MINOR, UV_VERSION_PATCH);

    if (options.only.empty() || options.only == "pingpong") {
        std::vector<Contestant> ping_pong{
            {"looplab epoll", [n] { return looplab_round_trips(n); }, {}},
            {"bare epoll", [n] { return bare_epoll_round_trips(n); }, {}},
            {"libuv", [n] { return libuv_round_trips(n); }, {}},
        };
        take_turns(ping_pong, options.rounds);
        print_table(fmt::format("pipe ping-pong, 1 pair, {} round trips", n), "round trips/s",
                    ping_pong);
        fmt::print(
            "  pipe ping-pong round trips/s:  looplab epoll {}  bare epoll {}  libuv {}"
            "   looplab / libuv {} (target >= 1.00x)\n",
            bench::text(ping_pong[0].best()), bench::text(ping_pong[1].best()),
            bench::text(ping_pong[2].best()), ratio(ping_pong[0].best(), ping_pong[2].best()));
    }
    if (options.only.empty() || options.only == "timers") {
        // One round each: a million timers take a few seconds on libuv.
        std::vector<Contestant> timers{
            {"looplab epoll", [] { return bench::looplab_timers_per_second("epoll"); }, {}},
            {"libuv", [] { return libuv_timers_per_second(); }, {}},
        };
        take_turns(timers, 1);
        print_table("1 M timers, 0-9 ms, add+fire", "timers/s", timers);
        fmt::print("  looplab / libuv {}\n", ratio(timers[0].best(), timers[1].best()));
    }
    return 0;
}
