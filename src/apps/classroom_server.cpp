// The classroom server: `make demo` runs it. Open the URL it prints in two browser tabs and
// chat: the page (src/web/index.html) is a Socket.IO client (src/web/looplab-client.js) of
// the chat on /socket.io/ (ChatRoom: nicknames, rooms, messages with ✓ ticks, who is typing,
// who is here, an offline banner, and a live panel of every packet on the wire).
//
// Lesson 17's page moved to /inspector.html (echo box, /chat broadcast, frame inspector),
// and a plain WebSocket still gets its echo on / and /echo, so the seed snippet pasted into
// the browser console keeps working:
//
//     const socket = new WebSocket("ws://localhost:3000");
//     socket.onopen = () => { socket.send("Hello!"); };
//     socket.onmessage = (data) => { console.log(data); };
//
// Ctrl-C stops it cleanly: every WebSocket gets a close frame (1001, going away), every
// Socket.IO client "server shutting down" (the chat page then shows its offline banner and
// reconnects by itself when the server is back).
#include "looplab/classroom/classroom_server.hpp"
#include "looplab/socketio_redis/adapter_flags.hpp"
#include "looplab/trace/watch_sink.hpp"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

using namespace looplab;

namespace {

// The demo's message size limit (see --max-message).
constexpr std::size_t kDemoMaxMessage = 1024 * 1024;   // 1 MiB

constexpr std::string_view kUsage =
    "usage: classroom-server [--port N] [--host ADDRESS] [--web-root DIR] [--poller NAME]\n"
    "                        [--allowed-origin ORIGIN]... [--max-message BYTES] [--watch[=PORT]]\n"
    "                        [--adapter memory|redis|redis-sharded] [--redis HOST:PORT]\n"
    "\n"
    "  http://HOST:PORT/                the classroom chat (Socket.IO on /socket.io/)\n"
    "  http://HOST:PORT/inspector.html  lesson 17: WebSocket echo, /chat, frame inspector\n"
    "  ws://HOST:PORT/ and /echo        a plain WebSocket echo (the seed snippet's server)\n"
    "\n"
    "  --port N             port to listen on (default 3000; 0 lets the OS pick one)\n"
    "  --host ADDRESS       numeric address to listen on (default 127.0.0.1)\n"
    "  --web-root DIR       folder of the page (default src/web)\n"
    "  --poller NAME        epoll, kqueue or poll (default: the best one here)\n"
    "  --allowed-origin O   accept plain WebSockets only from these origins (repeatable;\n"
    "                       default: any origin). 'null' allows file:// pages.\n"
    "  --max-message BYTES  largest plain WebSocket message (default 1 MiB; bigger: close\n"
    "                       1009). Chat limits are fixed: nickname {} bytes, room name {},\n"
    "                       message {}, {} rooms per person, {} rooms in all.\n"
    "  --watch[=PORT]       the server's loop live in a browser, on its own port (waits for\n"
    "                       that page first; starts running: press Pause; notes/watch/README.md)\n";

std::string usage() {
    return fmt::format(fmt::runtime(kUsage), classroom::kChatMaxNicknameBytes,
                       classroom::kChatMaxRoomNameBytes, classroom::kChatMaxMessageBytes,
                       classroom::kChatMaxRoomsPerMember, classroom::kChatMaxRooms) +
           std::string{socketio_redis::kAdapterFlagsUsage};
}

[[noreturn]] void usage_error(std::string_view problem) {
    fmt::print(stderr, "classroom-server: {}\n{}", problem, usage());
    std::exit(2);
}

struct Arguments {
    std::string host = "127.0.0.1";
    unsigned long port = 3000;
    std::string poller;
    classroom::ClassroomOptions options;
    socketio_redis::AdapterFlags adapter;
    std::optional<std::uint16_t> watch;   // --watch[=PORT]
};

unsigned long parse_number(std::string_view flag, const char* text, unsigned long max) {
    char* end = nullptr;
    errno = 0;
    const unsigned long value = std::strtoul(text, &end, 10);
    if (*text == '\0' || *end != '\0' || errno != 0 || value > max || *text == '-')
        usage_error(fmt::format("{} needs a number from 0 to {}, not '{}'", flag, max, text));
    return value;
}

Arguments parse(int argc, char** argv) {
    Arguments arguments;
    arguments.options.web_root = "src/web";
    // A classroom page sends short texts; 1 MiB keeps one student's mistake from costing
    // the server much memory (ws::kWsMaxMessageSize, 16 MiB, is the library's ceiling).
    arguments.options.web_socket.max_message_size = kDemoMaxMessage;
    for (int i = 1; i < argc; ++i) {
        std::string_view flag = argv[i];
        if (flag == "--help" || flag == "-h") {
            fmt::print("{}", usage());
            std::exit(0);
        }
        if (flag == "--watch" || flag.starts_with("--watch=")) {
            arguments.watch =
                flag == "--watch"
                    ? 0
                    : static_cast<std::uint16_t>(parse_number(
                          "--watch", argv[i] + std::string_view{"--watch="}.size(), 65535));
            continue;
        }
        // --name=value or --name value
        std::string inline_value;
        const bool has_inline_value = flag.find('=') != std::string_view::npos;
        if (has_inline_value) {
            inline_value = std::string{flag.substr(flag.find('=') + 1)};
            flag = flag.substr(0, flag.find('='));
        }
        if (!has_inline_value && i + 1 >= argc)
            usage_error(fmt::format("unknown option or missing value: '{}'", flag));
        const char* value = has_inline_value ? inline_value.c_str() : argv[++i];
        if (auto taken = socketio_redis::take_adapter_flag(flag, value, arguments.adapter); !taken)
            usage_error(taken.error().message());
        else if (*taken) continue;
        if (flag == "--port") arguments.port = parse_number(flag, value, 65535);
        else if (flag == "--host") arguments.host = value;
        else if (flag == "--web-root") arguments.options.web_root = value;
        else if (flag == "--poller") arguments.poller = value;
        else if (flag == "--allowed-origin") arguments.options.allowed_origins.emplace_back(value);
        else if (flag == "--max-message")
            arguments.options.web_socket.max_message_size = parse_number(flag, value, 1UL << 31);
        else usage_error(fmt::format("unknown option '{}'", flag));
    }
    return arguments;
}

}   // namespace

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);   // a vanished peer is an error to handle, not a kill
    const Arguments arguments = parse(argc, argv);

    auto poller = poller::make_poller(arguments.poller);
    if (!poller) usage_error(poller.error().message());
    auto address = net::Address::parse(arguments.host.find(':') != std::string::npos
                                           ? fmt::format("[{}]:{}", arguments.host, arguments.port)
                                           : fmt::format("{}:{}", arguments.host, arguments.port));
    if (!address) usage_error(address.error().message());

    loop::EventLoop loop{std::move(poller).value()};
    // --adapter redis: the chat's rooms span every classroom server on that Redis (lesson 19).
    classroom::ClassroomOptions options = arguments.options;
    auto bus = socketio_redis::start_adapter(
        loop, arguments.adapter, options.socket_io,
        [](std::string_view line) { fmt::print(stderr, "classroom-server: {}\n", line); });
    if (!bus) usage_error(bus.error().message());
    classroom::ClassroomServer server{loop, options};
    if (auto listening = server.listen(*address); !listening) {
        fmt::print(stderr, "classroom-server: {}\n", listening.error());
        return 1;
    }

    // 1. Say where to go. Tests read this line to learn the port.
    fmt::print("looplab classroom server: http://localhost:{}/\n", server.local_address().port());
    std::fflush(stdout);

    // 2. With --watch: the live view, once its page is open (notes/watch/README.md). Before
    //    the signal handlers, so Ctrl-C still ends a server that waits for its page.
    std::unique_ptr<trace::WatchSink> watching;
    if (arguments.watch) {
        trace::WatchOptions watch;
        watch.port = *arguments.watch;
        watch.program = "classroom-server";
        watch.poller = std::string{loop.poller_name()};
        watch.start = trace::StepGate::Mode::Running;   // a server serves until told to pause
        watch.speed = Millis{0};
        auto started = trace::start_watching(std::move(watch), stderr);
        if (!started) {
            fmt::print(stderr, "classroom-server: {}\n", started.error());
            return 1;
        }
        watching = std::move(started).value();
        trace::CallStack::current().set_sink(watching.get());
    }

    // 3. Ctrl-C (or a kill) says goodbye to every browser, then stops the loop.
    auto stop = [&](int) {
        server.shut_down();
        loop.set_timeout(Millis{200}, [&] { loop.stop(); });
    };
    for (const int signal_number : {SIGINT, SIGTERM})
        if (auto installed = loop.on_signal(signal_number, stop); !installed) {
            fmt::print(stderr, "classroom-server: {}\n", installed.error());
            return 1;
        }

    // 4. Serve until stopped.
    const auto ran = loop.run();
    trace::CallStack::current().set_sink(nullptr);
    if (!ran) {
        fmt::print(stderr, "classroom-server: {}\n", ran.error());
        return 1;
    }
    return 0;
}
