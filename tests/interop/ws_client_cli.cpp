// ws_client_cli — looplab's WebSocket client as a command, so tests written in another
// language (tests/interop/*.js) can point it at a server nobody here wrote (npm's `ws`).
//
//   ws_client_cli --url ws://127.0.0.1:PORT/path [--send TEXT]... [--send-binary-hex HEX]...
//                 [--fragment N] [--close-code C] [--close-reason R] [--timeout-ms T]
//
// It connects, sends each message in order (`--fragment N` splits the NEXT message into N
// frames), prints every message it receives (`text: ...` / `binary: <hex>`), and once it has
// received as many as it sent, closes with the code and reason given (default 1000) and
// prints `closed: <code> <reason>`. Exit 0 on a clean close; 1 with the reason on stderr
// otherwise (refused, protocol error, timeout).
#include "looplab/ws/web_socket_client.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using namespace looplab;

namespace {

struct Outgoing {
    ws::Message message;
    std::size_t fragments = 1;
};

struct Arguments {
    std::string host = "127.0.0.1";
    std::uint16_t port = 80;
    std::string path = "/";
    std::vector<Outgoing> messages;
    std::uint16_t close_code = 1000;
    std::string close_reason;
    long timeout_ms = 10'000;
};

[[noreturn]] void fail(const std::string& why, int status = 1) {
    fmt::print(stderr, "ws_client_cli: {}\n", why);
    std::exit(status);
}

std::string from_hex(std::string_view hex) {
    if (hex.size() % 2 != 0) fail("--send-binary-hex needs an even number of hex digits", 2);
    std::string bytes;
    for (std::size_t i = 0; i < hex.size(); i += 2)
        bytes += static_cast<char>(std::stoi(std::string{hex.substr(i, 2)}, nullptr, 16));
    return bytes;
}

std::string to_hex(std::string_view bytes) {
    std::string hex;
    for (const char byte : bytes) hex += fmt::format("{:02x}", static_cast<unsigned char>(byte));
    return hex;
}

// ws://HOST:PORT/PATH with a numeric host (or localhost).
void parse_url(std::string_view url, Arguments& arguments) {
    constexpr std::string_view scheme = "ws://";
    if (url.substr(0, scheme.size()) != scheme) fail("--url must start with ws://", 2);
    url.remove_prefix(scheme.size());
    const std::size_t slash = url.find('/');
    const std::string_view authority = url.substr(0, slash);
    arguments.path = slash == std::string_view::npos ? "/" : std::string{url.substr(slash)};
    const std::size_t colon = authority.rfind(':');
    if (colon == std::string_view::npos) fail("--url needs a port: ws://127.0.0.1:PORT/", 2);
    arguments.host = std::string{authority.substr(0, colon)};
    if (arguments.host == "localhost") arguments.host = "127.0.0.1";
    arguments.port =
        static_cast<std::uint16_t>(std::stoi(std::string{authority.substr(colon + 1)}));
}

Arguments parse(int argc, char** argv) {
    Arguments arguments;
    std::size_t next_fragments = 1;
    bool has_url = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view flag = argv[i];
        if (i + 1 >= argc) fail(fmt::format("missing value after {}", flag), 2);
        const std::string value = argv[++i];
        if (flag == "--url") {
            parse_url(value, arguments);
            has_url = true;
        } else if (flag == "--send" || flag == "--send-binary-hex") {
            const bool is_text = flag == "--send";
            arguments.messages.push_back(
                Outgoing{ws::Message{is_text ? ws::MessageKind::Text : ws::MessageKind::Binary,
                                     is_text ? value : from_hex(value)},
                         next_fragments});
            next_fragments = 1;
        } else if (flag == "--fragment") {
            next_fragments = static_cast<std::size_t>(std::stoul(value));
        } else if (flag == "--close-code") {
            arguments.close_code = static_cast<std::uint16_t>(std::stoul(value));
        } else if (flag == "--close-reason") {
            arguments.close_reason = value;
        } else if (flag == "--timeout-ms") {
            arguments.timeout_ms = std::stol(value);
        } else {
            fail(fmt::format("unknown option {}", flag), 2);
        }
    }
    if (!has_url) fail("--url ws://HOST:PORT/PATH is required", 2);
    return arguments;
}

}   // namespace

int main(int argc, char** argv) {
    const Arguments arguments = parse(argc, argv);
    auto server = net::Address::parse(fmt::format("{}:{}", arguments.host, arguments.port));
    if (!server) fail(server.error().message(), 2);

    loop::EventLoop loop;
    ws::WebSocketClient client{loop};
    std::unique_ptr<ws::WebSocketConnection> connection;
    std::size_t received = 0;
    std::optional<ws::CloseInfo> closed;
    std::optional<Error> failure;

    client.connect(
        *server, fmt::format("{}:{}", arguments.host, arguments.port), arguments.path,
        [&](Result<std::unique_ptr<ws::WebSocketConnection>> made) {
            if (!made) {
                failure = made.error();
                return;
            }
            connection = std::move(made).value();
            ws::WebSocket& socket = connection->socket();
            socket.on(events::message, [&](const ws::Message& message) {
                if (message.kind == ws::MessageKind::Text)
                    fmt::print("text: {}\n", message.payload);
                else fmt::print("binary: {}\n", to_hex(message.payload));
                std::fflush(stdout);
                if (++received == arguments.messages.size())
                    socket.close(ws::CloseCode{arguments.close_code}, arguments.close_reason);
            });
            socket.on(events::close, [&](const ws::CloseInfo& info) { closed = info; });
            connection->start();
            for (const Outgoing& outgoing : arguments.messages)
                socket.send_fragmented(outgoing.message, outgoing.fragments);
            if (arguments.messages.empty())
                socket.close(ws::CloseCode{arguments.close_code}, arguments.close_reason);
        });

    loop.run_until([&] { return closed.has_value() || failure.has_value(); },
                   Millis{arguments.timeout_ms});
    if (failure) fail(failure->message());
    if (!closed) fail("timed out");
    fmt::print("closed: {} {}\n", closed->code, closed->reason);
    if (!closed->was_clean) fail(fmt::format("the close was not clean ({})", closed->code));
    return 0;
}
