// lessons/08-event-loop/event_loop_demo.cpp
//
// The event loop, one turn per line: what ran in each of the four phases. Then the same
// program on every backend this machine has (the order must not change), and what the
// backends cost with many idle fds. Read with notes/08-event-loop.md.
#include "event_loop_lesson.hpp"

#include "looplab/lesson/lesson.hpp"
#include "looplab/poller/poller.hpp"

#include <algorithm>

#include <sys/resource.h>

using namespace looplab;

namespace {

void print_lines(const std::vector<std::string>& lines) {
    for (const std::string& line : lines) lesson::say("{}", line);
}

// Two fds per pipe: make sure the process may open that many (raising the soft limit to the
// hard one if needed); returns how many idle pipes we can really have.
std::size_t idle_pipes_allowed(std::size_t wanted) {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return wanted;
    const rlim_t needed = 2 * wanted + 64;
    if (limit.rlim_cur < needed && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = std::min(needed, limit.rlim_max);
        ::setrlimit(RLIMIT_NOFILE, &limit);
        ::getrlimit(RLIMIT_NOFILE, &limit);
    }
    return limit.rlim_cur >= needed ? wanted : static_cast<std::size_t>((limit.rlim_cur - 64) / 2);
}

}  // namespace

int main(int argc, char** argv) {
    const auto options = lesson::parse(
        argc, argv, "lesson-08",
        lesson::number("idle", "N", "idle pipes watched while measuring", 1000),
        lesson::number("round-trips", "N", "pipe ping-pongs measured per backend", 2000));
    lesson::TraceSession tracing{options};

    // 1. The picture, then the workload (workload.cpp) turn by turn on the chosen backend.
    options.step("One turn per line");
    lesson::say("each turn: 1. timers -> 2. poll (the only place the loop sleeps) -> 3. next -> 4. close;");
    lesson::say("after every callback, the soon queue is drained");
    print_lines(loop_lesson::run_workload(options.poller));
    lesson::say("in turn 2 nothing was due: its poll phase slept until pipe C was readable");

    // 2. Every backend this machine has runs the same workload: the order is the loop's,
    //    not the kernel's.
    options.step("The same workload on every backend");
    std::vector<std::string> first;
    bool all_same = true;
    for (const std::string& poller : poller::available_pollers()) {
        const auto lines = loop_lesson::run_workload(poller);
        lesson::say("on {}:", poller);
        print_lines(lines);
        if (first.empty()) first = lines;
        all_same = all_same && lines == first;
    }
    lesson::say("same order on every backend: {}", all_same ? "yes" : "NO (see above)");

    // 3. The difference is the cost of waiting: poll() re-reads the whole watched list on
    //    every turn, epoll only the ready fds.
    options.step("What waiting costs");
    const std::size_t idle = idle_pipes_allowed(static_cast<std::size_t>(options.number("idle")));
    const auto round_trips = static_cast<std::size_t>(options.number("round-trips"));
    if (options.demo) {
        lesson::say("poll:   every wait() passes ALL watched fds to the kernel: cost grows with watched fds");
        lesson::say("epoll:  the kernel keeps the watched list; wait() returns the ready fds: cost grows with ready fds");
        lesson::say("(run without --demo to time {} round trips with {} idle pipes on each backend)",
                    round_trips, idle);
        return 0;
    }
    lesson::say("{} pipe round trips while {} idle pipes are watched:", round_trips, idle);
    for (const std::string& poller : poller::available_pollers()) {
        auto cost = loop_lesson::measure_cost(poller, idle, round_trips);
        if (!cost) lesson::fail(cost.error());
        lesson::say("  {:<7} {:8.2f} us per round trip ({} turns)", poller,
                    cost->micros_per_round_trip, cost->turns);
    }
    auto alone = loop_lesson::measure_cost(options.poller, 0, round_trips);
    if (!alone) lesson::fail(alone.error());
    lesson::say("  for comparison, {} with no idle pipes: {:.2f} us per round trip", options.poller,
                alone->micros_per_round_trip);
    return 0;
}
