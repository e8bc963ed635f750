// socketio_client_cli — looplab's C++ Socket.IO client as a command, so a test written in
// JavaScript (cpp_client_vs_node_server.test.mjs) can run it against the official Node server
// (lib/reference_contract_server.mjs) and read what happened, one line per fact.
//
//   socketio_client_cli --url http://127.0.0.1:PORT[/NAMESPACE] --scenario NAME
//                       [--auth JSON] [--delay-ms MS] [--timeout-ms MS] [--wire]
//
// Scenarios (the contract server's events):
//   basic    connect; echo (JSON); echo-ack; echo with binary; "ask" (the server asks us a
//            question with an ack, we answer "yes"); "bye" (the server disconnects us)
//   auth     connect with --auth to the URL's namespace: prints "connect" or
//            "connect_error <message>"
//   recover  connect; echo (to learn an offset); the transport is dropped; the client comes
//            back by itself and prints whether the session was recovered
//
// Lines printed (stdout): "connect", "echo <args as JSON>", "ack <args>", "question <args>",
// "ask-answer <args>", "disconnect <reason>", "reconnect <attempt>", "recovered <true|false>",
// "connect_error <message>"; bytes print as "<bytes HEX>" (the recover scenario prints only
// the first argument: the others hold the recovery offset). --wire adds every Engine.IO packet
// as "wire -> 42[...]" / "wire <- ...". Exit 0 when the scenario ends; 1 with the reason on
// stderr on a timeout (default 10 s) or an unexpected event.
#include "looplab/socketio_client/connect.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>

using namespace looplab;
using namespace std::chrono_literals;
namespace json = codec::json;
namespace sioc = looplab::socketio_client;

namespace {

struct Arguments {
    std::string url;
    std::string scenario = "basic";
    json::Value auth;
    long delay_ms = 100;
    long timeout_ms = 10'000;
    bool wire = false;
};

[[noreturn]] void fail(const std::string& why, int status = 1) {
    fmt::print(stderr, "socketio_client_cli: {}\n", why);
    std::fflush(stdout);
    std::exit(status);
}

void say(const std::string& line) {
    fmt::print("{}\n", line);
    std::fflush(stdout);
}

std::string to_hex(std::string_view bytes) {
    std::string hex;
    for (const char byte : bytes) hex += fmt::format("{:02x}", static_cast<unsigned char>(byte));
    return hex;
}

// JSON text, with bytes shown as "<bytes HEX>" (JSON has no bytes).
json::Value printable(const json::Value& value) {
    if (value.is_bytes()) return json::Value{"<bytes " + to_hex(value.as_bytes()) + ">"};
    if (value.is_array()) {
        json::Array items;
        for (const json::Value& item : value.as_array()) items.push_back(printable(item));
        return json::Value{std::move(items)};
    }
    if (value.is_object()) {
        json::Object members;
        for (const auto& [key, member] : value.as_object())
            members.emplace_back(key, printable(member));
        return json::Value{std::move(members)};
    }
    return value;
}

std::string show(const socketio::Args& args) {
    return json::write(printable(json::Value{args.to_array()}));
}

Arguments parse_arguments(int argc, char** argv) {
    Arguments arguments;
    for (int i = 1; i < argc; ++i) {
        const std::string flag = argv[i];
        if (flag == "--wire") {
            arguments.wire = true;
            continue;
        }
        if (i + 1 >= argc) fail("missing value after " + flag, 2);
        const std::string value = argv[++i];
        if (flag == "--url") arguments.url = value;
        else if (flag == "--scenario") arguments.scenario = value;
        else if (flag == "--delay-ms") arguments.delay_ms = std::stol(value);
        else if (flag == "--timeout-ms") arguments.timeout_ms = std::stol(value);
        else if (flag == "--auth") {
            auto parsed = json::parse(value);
            if (!parsed || !parsed->is_object()) fail("--auth must be a JSON object", 2);
            arguments.auth = std::move(parsed).value();
        } else fail("unknown option " + flag, 2);
    }
    if (arguments.url.empty())
        fail("usage: socketio_client_cli --url http://127.0.0.1:PORT --scenario basic|auth|recover",
             2);
    return arguments;
}

// ---- the scenarios: each step starts the next from a listener ----------------------------------

void basic(sioc::Socket& socket, bool& done) {
    socket.on("question", [](const socketio::Args& args, const sioc::Ack& ack) {
        say("question " + show(args));
        ack("yes");
    });
    socket.on_disconnect([&done](sioc::DisconnectReason reason) {
        say(fmt::format("disconnect {}", to_string(reason)));
        done = true;
    });
    socket.once("echo", [&socket](const socketio::Args& args) {
        say("echo " + show(args));
        socket.emit_with_ack(
            "echo-ack", 1, "two", json::Value::object({{"three", 3}}), 5s,
            [&socket](Result<socketio::Args> reply) {
                if (!reply) fail("echo-ack: " + reply.error().message());
                say("ack " + show(*reply));
                socket.once("echo", [&socket](const socketio::Args& echoed) {
                    say("echo " + show(echoed));
                    socket.emit_with_ack("ask", "ready?", 5s,
                                         [&socket](Result<socketio::Args> answer) {
                                             if (!answer) fail("ask: " + answer.error().message());
                                             say("ask-answer " + show(*answer));
                                             socket.emit("bye");
                                         });
                });
                socket.emit("echo", json::Value::bytes(std::string{"\x01\x02\x03", 3}),
                            "after bytes");
            });
    });
    socket.once("connect", [&socket] {
        say("connect");
        socket.emit("echo", "hi", 3,
                    json::Value::object({{"a", json::Value::array({1, nullptr})}}));
    });
}

void auth(sioc::Socket& socket, bool& done) {
    socket.on_connect([&done] {
        say("connect");
        done = true;
    });
    socket.on_connect_error([&done](const sioc::ConnectError& error) {
        say("connect_error " + error.message);
        done = true;
    });
}

void recover(sioc::Socket& socket, bool& done) {
    socket.on_connect([&socket, &done, connects = 0]() mutable {
        if (++connects > 1) {
            say(fmt::format("recovered {}", socket.recovered()));
            done = true;
            return;
        }
        say("connect");
        // The server adds an offset to each event; the client keeps the last one for later.
        socket.once("echo", [&socket](const socketio::Args& args) {
            say(fmt::format("echo {}", json::write(printable(args[0]))));
            socket.io().drop_transport();
        });
        socket.emit("echo", "before the cut");
    });
    socket.on_disconnect([](sioc::DisconnectReason reason) {
        say(fmt::format("disconnect {}", to_string(reason)));
    });
    socket.io().on("reconnect", [](const json::Value& attempt) {
        say(fmt::format("reconnect {}", attempt.as_int()));
    });
}

}   // namespace

int main(int argc, char** argv) {
    const Arguments arguments = parse_arguments(argc, argv);
    loop::EventLoop loop;
    sioc::ConnectOptions options;
    options.manager.reconnection_delay = Millis{arguments.delay_ms};
    options.manager.randomization_factor = 0;
    options.socket.auth = arguments.auth;
    options.auto_connect = false;
    auto io = sioc::connect(loop, arguments.url, std::move(options));
    if (!io) fail(io.error().message(), 2);
    if (arguments.wire)
        io->manager().set_wire_tap([](sioc::WireDirection direction, std::string_view packet,
                                      bool is_binary) {
            say(fmt::format("wire {} {}", arrow(direction),
                            is_binary ? "<bytes " + to_hex(packet) + ">" : std::string{packet}));
        });
    bool done = false;
    sioc::Socket& socket = io->socket();
    if (arguments.scenario == "basic") basic(socket, done);
    else if (arguments.scenario == "auth") auth(socket, done);
    else if (arguments.scenario == "recover") recover(socket, done);
    else fail("unknown scenario " + arguments.scenario, 2);
    if (arguments.scenario != "auth")
        socket.on_connect_error(
            [](const sioc::ConnectError& error) { say("connect_error " + error.message); });
    socket.connect();
    if (!loop.run_until([&] { return done; }, Millis{arguments.timeout_ms}))
        fail(fmt::format("timeout after {} ms in scenario {}", arguments.timeout_ms,
                         arguments.scenario));
    io->manager().close();
    return 0;
}
