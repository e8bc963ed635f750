// socketio_contract_server — a fixed Socket.IO / Engine.IO server for checking peers nobody
// here wrote: the official socket.io-client (tests/interop/socketio_*.test.mjs) and the
// official conformance suites (socketio/engine.io-protocol and socketio/socket.io-protocol,
// folder test-suite/, run from outside the repository against port 3000).
// The contract is issue 9 §4; the suites' expectations are PROTOCOLS.md §2.9.
//
//   socketio_contract_server [--port N] [--host ADDRESS] [--ping-interval MS]
//                            [--ping-timeout MS] [--state-recovery-ms MS] [--poller NAME] ...
//
// Its first line on stdout is "socketio contract server: http://localhost:PORT/" (tests read
// the port from it; --port 0 lets the kernel pick). SIGINT or SIGTERM: every connection is
// closed and it exits 0.
//
// What it serves (one HTTP server, two Engine.IO paths):
//   /engine.io/   plain Engine.IO: every message packet goes back as it came (text or binary)
//   /socket.io/   Socket.IO, namespaces:
//     "/"        echo, echo-ack, ask -> question (with an ack) -> answer, join/leave (ack: the
//                room's size after), say (to a room but the sender; ack: how many), shout (to
//                all of "/" but the sender), ns, bye (server DISCONNECT); peer-left to the
//                rooms of a socket that leaves "/" for any reason; plus the suite's events
//     "/custom"  the suite's events: auth on connect, message -> message-back,
//                message-with-ack -> ack with the same arguments; and ns
//     "/admin"   needs auth {"token":"letmein"} (else CONNECT_ERROR "unauthorized"); ns
//   Defaults are the suites': pingInterval 300 ms, pingTimeout 200 ms, maxPayload 1,000,000,
//   connectTimeout 1,000 ms, CORS for any origin, connection state recovery off.
#include "looplab/engineio/server.hpp"
#include "looplab/http/server.hpp"
#include "looplab/loop/event_loop.hpp"
#include "looplab/net/address.hpp"
#include "looplab/poller/poller.hpp"
#include "looplab/socketio/server.hpp"
#include "looplab/socketio_redis/adapter_flags.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

using namespace looplab;
namespace json = codec::json;

namespace {

// ---- the contract's numbers ---------------------------------------------------------------

inline constexpr Millis kContractPingInterval{300};
inline constexpr Millis kContractPingTimeout{200};
inline constexpr std::size_t kContractMaxPayload = 1'000'000;
inline constexpr Millis kContractConnectTimeout{1000};
// How long the server waits for the client's answer to `question` before `ask` gives up.
inline constexpr Millis kContractQuestionTimeout{5000};
// Events are echoed argument by argument (the API sends a fixed number of arguments per
// call); an event with more arguments than this is answered with an error instead.
inline constexpr std::size_t kContractMaxEchoArgs = 16;
// The suites' `auth` event follows the CONNECT reply after this long. The socket.io-protocol
// suite as published (ws 8.5.0) reads the reply, then attaches its next listener in a
// microtask; when `auth` comes in the same TCP read as the reply, that ws emits both messages
// at once and the suite never sees `auth` (the reference Node server loses this race too, in
// 2-3 of the suite's 32 tests on a quiet machine). A millisecond lets the suite read the
// reply alone. Only this fixture waits: the library sends as soon as it can.
inline constexpr Millis kContractAuthDelay{1};
// Time given to the goodbyes (close packets, DISCONNECTs) on SIGINT/SIGTERM before the loop stops.
inline constexpr Millis kContractStopGrace{100};
// Largest value a millisecond flag accepts (about 24 days: fits every timer here).
inline constexpr unsigned long kContractMaxMillis = 2'000'000'000;

constexpr std::string_view kUsage =
    "usage: socketio_contract_server [--port N] [--host ADDRESS] [--ping-interval MS]\n"
    "                                [--ping-timeout MS] [--state-recovery-ms MS]\n"
    "                                [--connect-timeout MS] [--max-payload BYTES] [--poller NAME]\n"
    "                                [--auth-delay-ms MS] [--adapter memory|redis|redis-sharded] "
    "[--redis HOST:PORT]\n"
    "  --port N               port to listen on (default 3000, the suites'; 0: the OS picks)\n"
    "  --host ADDRESS         numeric address to listen on (default 127.0.0.1; ::1 for IPv6)\n"
    "  --ping-interval MS     Engine.IO pingInterval (default 300)\n"
    "  --ping-timeout MS      Engine.IO pingTimeout (default 200)\n"
    "  --state-recovery-ms MS connection state recovery with this maxDisconnectionDuration\n"
    "                         (default 0: off, as the suites expect)\n"
    "  --connect-timeout MS   Socket.IO connectTimeout (default 1000)\n"
    "  --max-payload BYTES    Engine.IO maxPayload (default 1000000)\n"
    "  --poller NAME          epoll, kqueue or poll (default: the best one here)\n"
    "  --auth-delay-ms MS     wait before the suites' auth event on connection (default 1;\n"
    "                         0: at once), see kContractAuthDelay\n";
constexpr std::string_view kPaths =
    "Paths: /socket.io/ (Socket.IO: namespaces /, /custom, /admin) and /engine.io/ (Engine.IO "
    "echo).\n";

[[noreturn]] void usage_error(std::string_view problem) {
    fmt::print(stderr, "socketio_contract_server: {}\n{}{}{}", problem, kUsage,
               socketio_redis::kAdapterFlagsUsage, kPaths);
    std::exit(2);
}

struct Arguments {
    std::string host = "127.0.0.1";
    unsigned long port = 3000;
    std::string poller;
    Millis ping_interval = kContractPingInterval;
    Millis ping_timeout = kContractPingTimeout;
    Millis state_recovery{0};
    Millis connect_timeout = kContractConnectTimeout;
    std::size_t max_payload = kContractMaxPayload;
    Millis auth_delay = kContractAuthDelay;
    socketio_redis::AdapterFlags adapter;
};

unsigned long parse_number(std::string_view flag, const char* text, unsigned long min,
                           unsigned long max) {
    char* end = nullptr;
    errno = 0;
    const unsigned long value = std::strtoul(text, &end, 10);
    if (*text == '\0' || *end != '\0' || errno != 0 || *text == '-' || *text == '+' ||
        value < min || value > max)
        usage_error(fmt::format("{} needs a number from {} to {}, not '{}'", flag, min, max, text));
    return value;
}

Millis parse_millis(std::string_view flag, const char* text, unsigned long min) {
    return Millis{static_cast<Millis::rep>(parse_number(flag, text, min, kContractMaxMillis))};
}

Arguments parse(int argc, char** argv) {
    Arguments arguments;
    for (int i = 1; i < argc; ++i) {
        std::string_view flag = argv[i];
        if (flag == "--help" || flag == "-h") {
            fmt::print("{}{}{}", kUsage, socketio_redis::kAdapterFlagsUsage, kPaths);
            std::exit(0);
        }
        // --name=value or --name value
        std::string inline_value;
        const bool has_inline_value = flag.find('=') != std::string_view::npos;
        if (has_inline_value) {
            inline_value = std::string{flag.substr(flag.find('=') + 1)};
            flag = flag.substr(0, flag.find('='));
        }
        const bool known = flag == "--port" || flag == "--host" || flag == "--poller" ||
                           flag == "--ping-interval" || flag == "--ping-timeout" ||
                           flag == "--state-recovery-ms" || flag == "--connect-timeout" ||
                           flag == "--max-payload" || flag == "--auth-delay-ms" ||
                           flag == "--adapter" || flag == "--redis";
        if (!known) usage_error(fmt::format("unknown option '{}'", flag));
        if (!has_inline_value && i + 1 >= argc) usage_error(fmt::format("{} needs a value", flag));
        const char* value = has_inline_value ? inline_value.c_str() : argv[++i];
        if (auto taken = socketio_redis::take_adapter_flag(flag, value, arguments.adapter); !taken)
            usage_error(taken.error().message());
        else if (*taken) continue;
        if (flag == "--port") arguments.port = parse_number(flag, value, 0, 65535);
        else if (flag == "--host") arguments.host = value;
        else if (flag == "--poller") arguments.poller = value;
        else if (flag == "--ping-interval") arguments.ping_interval = parse_millis(flag, value, 1);
        else if (flag == "--ping-timeout") arguments.ping_timeout = parse_millis(flag, value, 1);
        else if (flag == "--state-recovery-ms")
            arguments.state_recovery = parse_millis(flag, value, 0);
        else if (flag == "--connect-timeout")
            arguments.connect_timeout = parse_millis(flag, value, 1);
        else if (flag == "--auth-delay-ms") arguments.auth_delay = parse_millis(flag, value, 0);
        else arguments.max_payload = parse_number(flag, value, 1, 1UL << 30);
    }
    return arguments;
}

// ---- helpers -------------------------------------------------------------------------------

// Calls f(args[0], ..., args[n-1]) with as many arguments as `args` holds: the library's
// emit() and Ack take a fixed number of arguments, a peer sends any number. False (f not
// called) above kContractMaxEchoArgs.
template <std::size_t N = 0, typename F>
bool with_each_arg(const socketio::Args& args, F&& f) {
    if constexpr (N > kContractMaxEchoArgs) {
        return false;
    } else {
        if (args.size() != N) return with_each_arg<N + 1>(args, std::forward<F>(f));
        const auto call = [&]<std::size_t... I>(std::index_sequence<I...>) { f(args[I]...); };
        call(std::make_index_sequence<N>{});
        return true;
    }
}

json::Value error_value(std::string_view why) {
    return json::Value::object({{"error", std::string{why}}});
}

// Answers the peer's ack request with the same arguments.
void ack_same(const socketio::Args& args, const socketio::Ack& ack) {
    if (!with_each_arg(args, [&](const auto&... values) { ack(values...); }))
        ack(error_value(fmt::format("more than {} arguments", kContractMaxEchoArgs)));
}

// The room argument of join/leave/say: a string, or nullopt (then the peer gets an error).
std::optional<std::string> room_argument(const socketio::Args& args) {
    if (!args[0].is_string() || args[0].as_string().empty()) return std::nullopt;
    return args[0].as_string();
}

bool is_member(const socketio::Socket& socket, std::string_view room) {
    if (room == socket.id()) return true;
    for (const auto& joined : socket.nsp().adapter().socket_rooms(socket.id()))
        if (joined == room) return true;
    return false;
}

// What the official conformance suite expects of "/" and "/custom".
void serve_suite_events(socketio::Socket& s, Millis auth_delay) {
    s.on("message", [&s](const socketio::Args& args) {
        if (!with_each_arg(args, [&](const auto&... values) { s.emit("message-back", values...); }))
            s.emit("message-back", error_value("too many arguments"));
    });
    s.on("message-with-ack",
         [](const socketio::Args& args, const socketio::Ack& ack) { ack_same(args, ack); });
    s.on("ns", [&s](const socketio::Args&, const socketio::Ack& ack) { ack(s.nsp().name()); });
    if (auth_delay.count() == 0) {
        s.emit("auth", s.auth());
        return;
    }
    s.nsp().server().loop().set_timeout(auth_delay, [&s, alive = s.alive_token()] {
        if (*alive && s.connected()) s.emit("auth", s.auth());
    });
}

void serve_main(socketio::Socket& s, Millis auth_delay) {
    serve_suite_events(s, auth_delay);

    s.on("echo", [&s](const socketio::Args& args) {
        if (!with_each_arg(args, [&](const auto&... values) { s.emit("echo", values...); }))
            s.emit("echo", error_value("too many arguments"));
    });
    s.on("echo-ack",
         [](const socketio::Args& args, const socketio::Ack& ack) { ack_same(args, ack); });

    // ask(q): the server asks back, and answers `ask` with whatever the client answered.
    s.on("ask", [&s](const socketio::Args& args, const socketio::Ack& ack) {
        s.emit_with_ack(
            "question", args[0], kContractQuestionTimeout,
            [ack](std::optional<socketio::AckError> error, const socketio::Args& reply) {
                if (error) ack(error_value(error->reason));
                else ack_same(reply, ack);
            });
    });

    s.on("join", [&s](const socketio::Args& args, const socketio::Ack& ack) {
        const auto room = room_argument(args);
        if (!room) return ack(error_value("join needs a room name"));
        s.join(*room);
        ack(s.nsp().adapter().room_size(*room));
    });
    s.on("leave", [&s](const socketio::Args& args, const socketio::Ack& ack) {
        const auto room = room_argument(args);
        if (!room) return ack(error_value("leave needs a room name"));
        s.leave(*room);
        ack(s.nsp().adapter().room_size(*room));
    });
    s.on("say", [&s](const socketio::Args& args, const socketio::Ack& ack) {
        const auto room = room_argument(args);
        if (!room) return ack(error_value("say needs a room name"));
        const std::size_t members = s.nsp().adapter().room_size(*room);
        const std::size_t recipients = members - (is_member(s, *room) && members > 0 ? 1 : 0);
        s.to(*room).emit("room-message",
                         json::Value::object(
                             {{"room", *room}, {"msg", args[1]}, {"from", std::string{s.id()}}}));
        ack(recipients);
    });
    s.on("shout", [&s](const socketio::Args& args, const socketio::Ack& ack) {
        s.broadcast().emit("shout",
                           json::Value::object({{"msg", args[0]}, {"from", std::string{s.id()}}}));
        ack(s.nsp().socket_count() - 1);
    });
    s.on("bye", [&s] { s.disconnect(); });

    // The cluster utilities, for the mixed-cluster tests (same events on the Node server).
    s.on("fetch", [&s](const socketio::Args& args, const socketio::Ack& ack) {
        const auto report = [ack](std::vector<socketio::SocketInfo> sockets) {
            std::sort(sockets.begin(), sockets.end(),
                      [](const auto& a, const auto& b) { return a.id < b.id; });
            json::Array list;
            for (socketio::SocketInfo& info : sockets) {
                std::sort(info.rooms.begin(), info.rooms.end());
                json::Array rooms(info.rooms.begin(), info.rooms.end());
                const std::string url =
                    info.local != nullptr               ? std::string{info.local->handshake().url()}
                    : info.handshake["url"].is_string() ? info.handshake["url"].as_string()
                                                        : "";
                list.push_back(json::Value::object(
                    {{"id", info.id}, {"rooms", json::Value{std::move(rooms)}}, {"url", url}}));
            }
            ack(json::Value{std::move(list)});
        };
        if (args[0].is_string()) s.nsp().to(args[0].as_string()).fetch_sockets(report);
        else s.nsp().fetch_sockets(report);
    });
    s.on("sockets-join", [&s](const socketio::Args& args, const socketio::Ack& ack) {
        const auto room = room_argument(args);
        if (!room) return ack(error_value("sockets-join needs a room name"));
        if (args[1].is_string()) s.nsp().in(args[1].as_string()).sockets_join(*room);
        else s.nsp().sockets_join(*room);
        ack(true);
    });
    s.on("server-ping", [&s](const socketio::Args&, const socketio::Ack& ack) {
        s.nsp().server_side_emit_with_ack(
            "ping", "looplab",
            [ack](std::optional<socketio::AckError> error, const json::Array& answers) {
                if (error) return ack(error_value(error->reason));
                json::Array sorted = answers;
                std::sort(sorted.begin(), sorted.end(),
                          [](const json::Value& a, const json::Value& b) {
                              return json::write(a) < json::write(b);
                          });
                ack(json::Value{std::move(sorted)});
            });
    });
    s.on("poll", [&s](const socketio::Args& args, const socketio::Ack& ack) {
        const auto room = room_argument(args);
        if (!room) return ack(error_value("poll needs a room name"));
        s.nsp()
            .to(*room)
            .timeout(kContractQuestionTimeout)
            .emit_with_ack("poll-question", [ack](std::optional<socketio::AckError> error,
                                                  const json::Array& answers) {
                if (error) return ack(error_value(error->reason));
                json::Array sorted = answers;
                std::sort(sorted.begin(), sorted.end(),
                          [](const json::Value& a, const json::Value& b) {
                              return json::write(a) < json::write(b);
                          });
                ack(json::Value{std::move(sorted)});
            });
    });

    // Still in its rooms while "disconnecting" runs: tell each room's other members.
    s.on_disconnecting([&s](socketio::DisconnectReason) {
        for (const auto& room : s.rooms()) {
            if (room == s.id()) continue;
            s.to(room).emit("peer-left",
                            json::Value::object({{"room", room}, {"id", std::string{s.id()}}}));
        }
    });
}

// /engine.io/: every message packet back to its sender, as it came.
class EngineEcho final : public engineio::ServerListener {
public:
    void on_message(engineio::Session& session, std::string_view data, bool is_binary) override {
        if (is_binary) session.send_binary(data);
        else session.send_text(data);
    }
};

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
    http::Server http{loop};

    // The same Engine.IO settings on both paths (the suites check both handshakes).
    auto engine_options = [&](std::string path) {
        engineio::ServerOptions options = socketio::default_engine_options();
        options.path = std::move(path);
        options.ping_interval = arguments.ping_interval;
        options.ping_timeout = arguments.ping_timeout;
        options.max_payload = arguments.max_payload;
        options.cors_origins = {"*"};   // the suites run with CORS "*" (browser runs too)
        return options;
    };

    EngineEcho echo;
    engineio::Server engine{loop, engine_options("/engine.io/")};
    engine.set_listener(echo);
    engine.attach(http);

    socketio::ServerOptions options;
    options.engine = engine_options("/socket.io/");
    options.connect_timeout = arguments.connect_timeout;
    if (arguments.state_recovery.count() > 0) {
        options.recovery.enabled = true;
        options.recovery.max_disconnection_duration = arguments.state_recovery;
    }
    // --adapter redis: these sockets' rooms span every server on that Redis. The bus is
    // declared before the server: it must outlive it.
    auto bus = socketio_redis::start_adapter(
        loop, arguments.adapter, options,
        [](std::string_view line) { fmt::print(stderr, "socketio_contract_server: {}\n", line); });
    if (!bus) usage_error(bus.error().message());
    socketio::Server io{loop, std::move(options)};
    io.attach(http);

    const Millis auth_delay = arguments.auth_delay;
    io.on_connection([auth_delay](socketio::Socket& s) { serve_main(s, auth_delay); });
    // Server-side events from the other servers of a cluster (--adapter redis).
    io.main_namespace().on_server_side(
        "ping", [](const socketio::Args& args, const socketio::ServerSideReply& reply) {
            reply("pong from looplab to " +
                  (args[0].is_string() ? args[0].as_string() : std::string{"?"}));
        });
    io.of("/custom").on_connection(
        [auth_delay](socketio::Socket& s) { serve_suite_events(s, auth_delay); });
    socketio::Namespace& admin = io.of("/admin");
    admin.use([](socketio::Socket& s, socketio::Next next) {
        const json::Value* token = s.auth().find("token");
        if (token && token->is_string() && token->as_string() == "letmein") return next();
        next(socketio::MiddlewareError{.message = "unauthorized", .data = {}});
    });
    admin.on_connection([](socketio::Socket& s) {
        s.on("ns", [&s](const socketio::Args&, const socketio::Ack& ack) { ack(s.nsp().name()); });
    });

    if (auto listening = http.listen(*address); !listening) {
        fmt::print(stderr, "socketio_contract_server: {}\n", listening.error());
        return 1;
    }

    // 1. Say where to go. Tests read this line to learn the port.
    fmt::print("socketio contract server: http://localhost:{}/\n", http.local_address().port());
    std::fflush(stdout);

    // 2. SIGINT/SIGTERM: goodbye to every peer, then stop the loop.
    bool is_stopping = false;
    auto stop = [&](int) {
        if (is_stopping) return;
        is_stopping = true;
        io.close();
        engine.close_all();
        http.close();
        loop.set_timeout(kContractStopGrace, [&] { loop.stop(); });
    };
    for (const int signal_number : {SIGINT, SIGTERM})
        if (auto installed = loop.on_signal(signal_number, stop); !installed) {
            fmt::print(stderr, "socketio_contract_server: {}\n", installed.error());
            return 1;
        }

    // 3. Serve until stopped.
    if (auto ran = loop.run(); !ran) {
        fmt::print(stderr, "socketio_contract_server: {}\n", ran.error());
        return 1;
    }
    return 0;
}
