// tests/bench/socketio_client_load.cpp
//
// socketio_client_load — our C++ Socket.IO client (include/looplab/socketio_client) used as a
// load generator, for issue 10 §5: how fast it drives a server, and what one connection costs
// it. tests/bench/run points it at our bench server and at the official Node one.
//
//   socketio_client_load echo --port N [--connections 100] [--depth 16] [--size 64]
//                             [--seconds 2] [--poller NAME]
//       N clients on namespace "/", each keeping `depth` events 42["echo","<size bytes>"] in
//       flight; every "echo" that comes back is counted and sent again. After a warm-up of a
//       tenth of the time, counts for `seconds`.
//       -> result mode=client-echo ... msgs_per_s=R client_cpu=P%
//   socketio_client_load idle --port N [--connections 1000] [--poller NAME]
//       N clients connected and idle; our own resident memory before and after, per client.
//       -> result mode=client-idle ... bytes_per_connection=B
//
// Exits 1 with one line on stderr when a client cannot connect within kSetupLimit.
#include "looplab/loop/event_loop.hpp"
#include "looplab/poller/poller.hpp"
#include "looplab/socketio_client/connect.hpp"
#include "load_tools.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <sys/resource.h>

using namespace looplab;
namespace sioc = looplab::socketio_client;

namespace {

// Every client must be connected within this long, or the run fails.
constexpr Millis kSetupLimit{30'000};

struct Options {
    std::string mode;
    std::uint16_t port = 0;
    std::size_t connections = 0;   // 0: the mode's default
    std::size_t depth = 16;
    std::size_t size = 64;
    double seconds = 2.0;
    std::string poller;
};

constexpr std::string_view kUsage =
    "usage: socketio_client_load echo|idle --port N [--connections N] [--depth M]\n"
    "                            [--size S] [--seconds D] [--poller NAME]\n";

[[noreturn]] void usage() { bench::exit_with_usage(kUsage); }

template <typename Number>
Number number_of(std::string_view text) {
    return bench::number_or_usage<Number>(text, kUsage);
}

Options parse(int argc, char** argv) {
    if (argc < 2) usage();
    Options options;
    options.mode = argv[1];
    if (options.mode != "echo" && options.mode != "idle") usage();
    for (int i = 2; i + 1 < argc; i += 2) {
        const std::string_view name = argv[i];
        const std::string_view value = argv[i + 1];
        if (name == "--port") options.port = number_of<std::uint16_t>(value);
        else if (name == "--connections") options.connections = number_of<std::size_t>(value);
        else if (name == "--depth") options.depth = number_of<std::size_t>(value);
        else if (name == "--size") options.size = number_of<std::size_t>(value);
        else if (name == "--seconds") options.seconds = number_of<double>(value);
        else if (name == "--poller") options.poller = value;
        else usage();
    }
    if (argc % 2 != 0 || options.port == 0) usage();
    if (options.connections == 0) options.connections = options.mode == "echo" ? 100 : 1000;
    return options;
}

long resident_kb() {
    std::ifstream status{"/proc/self/status"};
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
    return 0;
}

double cpu_seconds() {
    timespec now{};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

void raise_fd_limit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
    }
}

// The clients of one run, and what their listeners update: it outlives every listener.
struct Fleet {
    std::vector<sioc::Connection> clients;
    std::size_t ready = 0;
    std::string failure;
    std::function<void(sioc::Socket&)> on_ready;   // runs once for each connected client
};

// Opens options.connections clients into `fleet`. Returns false (after printing why) when
// they are not all connected within kSetupLimit.
bool open_clients(loop::EventLoop& loop, const Options& options, Fleet& fleet) {
    const std::string url = fmt::format("http://127.0.0.1:{}/", options.port);
    fleet.clients.reserve(options.connections);   // never moved while listeners point in
    for (std::size_t i = 0; i < options.connections; ++i) {
        sioc::ConnectOptions connect_options;
        connect_options.manager.reconnection = false;   // a lost client is a failed run
        auto made = sioc::connect(loop, url, std::move(connect_options));
        if (!made) {
            fmt::print(stderr, "socketio_client_load: {}\n", made.error());
            return false;
        }
        fleet.clients.push_back(std::move(made).value());
        sioc::Socket& socket = fleet.clients.back().socket();
        socket.on_connect([&fleet, &socket] {
            ++fleet.ready;
            if (fleet.on_ready) fleet.on_ready(socket);
        });
        socket.on_connect_error(
            [&fleet](const sioc::ConnectError& error) { fleet.failure = error.message; });
    }
    (void)loop.run_until(
        [&] { return fleet.ready == options.connections || !fleet.failure.empty(); }, kSetupLimit);
    if (fleet.ready == options.connections) return true;
    fmt::print(stderr, "socketio_client_load: {} of {} clients connected{}{}\n", fleet.ready,
               options.connections, fleet.failure.empty() ? "" : ": ", fleet.failure);
    return false;
}

int run_echo(loop::EventLoop& loop, const Options& options) {
    const std::string payload(options.size, 'x');
    std::uint64_t echoes = 0;
    Fleet fleet;
    fleet.on_ready = [&](sioc::Socket& socket) {
        socket.on("echo", [&echoes, &socket, &payload](const socketio::Args&) {
            ++echoes;
            socket.emit("echo", payload);
        });
        for (std::size_t i = 0; i < options.depth; ++i) socket.emit("echo", payload);
    };
    if (!open_clients(loop, options, fleet)) return 1;

    const auto warm_up = std::chrono::duration<double>(options.seconds / 10);
    (void)loop.run_until([] { return false; }, std::chrono::duration_cast<Millis>(warm_up));
    const std::uint64_t echoes_before = echoes;
    const double cpu_before = cpu_seconds();
    const auto started = std::chrono::steady_clock::now();
    (void)loop.run_until([] { return false; }, std::chrono::duration_cast<Millis>(
                                                   std::chrono::duration<double>(options.seconds)));
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const double cpu = cpu_seconds() - cpu_before;
    const auto counted = static_cast<double>(echoes - echoes_before);
    fmt::print(
        "result mode=client-echo connections={} depth={} size={} seconds={:.2f} "
        "messages={} msgs_per_s={:.0f} client_cpu={:.0f}%\n",
        options.connections, options.depth, options.size, wall, echoes - echoes_before,
        counted / wall, 100 * cpu / wall);
    return 0;
}

int run_idle(loop::EventLoop& loop, const Options& options) {
    // One client first, so the one-time costs (the poller, the first buffers) are not counted.
    {
        Options one = options;
        one.connections = 1;
        Fleet warm;
        if (!open_clients(loop, one, warm)) return 1;
    }
    (void)loop.run_until([] { return false; }, Millis{50});   // let the closed one go
    const long before_kb = resident_kb();
    Fleet fleet;
    if (!open_clients(loop, options, fleet)) return 1;
    const long after_kb = resident_kb();
    const double per_client =
        static_cast<double>(after_kb - before_kb) * 1024 / static_cast<double>(options.connections);
    fmt::print(
        "result mode=client-idle connections={} rss_before_kb={} rss_after_kb={} "
        "bytes_per_connection={:.0f}\n",
        options.connections, before_kb, after_kb, per_client);
    return 0;
}

}   // namespace

int main(int argc, char** argv) {
    const Options options = parse(argc, argv);
    raise_fd_limit();
    auto poller = poller::make_poller(options.poller);
    if (!poller) {
        fmt::print(stderr, "socketio_client_load: {}\n", poller.error());
        return 2;
    }
    loop::EventLoop loop{std::move(poller).value()};
    const int status = options.mode == "echo" ? run_echo(loop, options) : run_idle(loop, options);
    std::fflush(stdout);
    return status;
}
