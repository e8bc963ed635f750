// tests/integration/socketio/sio_integration_support.hpp — a Socket.IO server on a real HTTP
// server on 127.0.0.1, and a minimal hand-written Socket.IO client for each transport:
//
//   WsClient       one WebSocket; each frame is one Engine.IO packet ("4" + Socket.IO text,
//                  or a binary frame for an attachment). Engine.IO pings are answered.
//   PollingClient  HTTP long-polling: POST a payload, GET a payload (packets joined by 0x1E,
//                  binary as "b" + base64), one request of each kind at a time.
//
// Both hand the test the Socket.IO messages they received (the "4" stripped), in order.
#pragma once

#include "looplab/codec/base64.hpp"
#include "looplab/engineio/packet.hpp"
#include "looplab/http/server.hpp"
#include "looplab/socketio/server.hpp"
#include "looplab/ws/handshake.hpp"
#include "looplab/ws/web_socket_client.hpp"
#include "support/raw_client.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sio_integration {

using namespace looplab;
using namespace std::chrono_literals;
namespace json = codec::json;

// One Socket.IO message the client received (or sends): text, or a binary attachment.
struct Msg {
    std::string data;
    bool is_binary = false;
    bool operator==(const Msg&) const = default;
};

inline Msg txt(std::string data) { return Msg{std::move(data), false}; }
inline Msg bin(std::string data) { return Msg{std::move(data), true}; }

struct SioFixture {
    loop::EventLoop loop;
    http::Server http;
    std::vector<std::string> log;
    socketio::Server io;

    explicit SioFixture(socketio::ServerOptions options = {})
        : http(loop), io(loop, with_log(std::move(options))) {
        io.attach(http);
        REQUIRE(http.listen(net::Address::loopback(0)));
    }
    const net::Address& address() const { return http.local_address(); }
    bool run_until(const std::function<bool()>& done, Millis limit = 3000ms) {
        return loop.run_until(done, limit);
    }

private:
    socketio::ServerOptions with_log(socketio::ServerOptions options) {
        options.log = [this](std::string_view line) { log.emplace_back(line); };
        return options;
    }
};

// ---- WebSocket transport -------------------------------------------------------------------

class WsClient {
public:
    // Connects to /socket.io/ with transport=websocket (and `sid` when upgrading).
    WsClient(SioFixture& fixture, std::string_view sid = {}) : client_(fixture.loop) {
        std::string path = "/socket.io/?EIO=4&transport=websocket";
        if (!sid.empty()) path += fmt::format("&sid={}", sid);
        client_.connect(fixture.address(), "localhost", path,
                        [this](Result<std::unique_ptr<ws::WebSocketConnection>> made) {
                            if (!made) {
                                failed = true;
                                return;
                            }
                            connection_ = std::move(made).value();
                            connection_->socket().on(events::message,
                                                     [this](const ws::Message& m) { on_frame(m); });
                            connection_->socket().on(
                                events::close, [this](const ws::CloseInfo&) { closed = true; });
                            connection_->start();
                        });
    }

    bool is_connected() const { return connection_ != nullptr; }
    // Raw Engine.IO packets (frames) as they came, before any Socket.IO handling.
    std::vector<Msg> frames;
    // Socket.IO messages: every "4..." text frame without its "4", and every binary frame.
    std::deque<Msg> received;
    bool closed = false;
    bool failed = false;

    void send_eio(std::string_view text) { REQUIRE(connection_->socket().send_text(text)); }
    void send(std::string_view sio_text) { send_eio("4" + std::string{sio_text}); }
    void send_binary(std::string_view bytes) { REQUIRE(connection_->socket().send_binary(bytes)); }
    void close() { connection_->socket().close(); }

private:
    void on_frame(const ws::Message& message) {
        const bool is_binary = message.kind == ws::MessageKind::Binary;
        frames.push_back(Msg{message.payload, is_binary});
        if (is_binary) return received.push_back(bin(message.payload));
        if (message.payload == "2") return send_eio("3");   // heartbeat
        if (message.payload.starts_with("4")) received.push_back(txt(message.payload.substr(1)));
    }

    ws::WebSocketClient client_;
    std::unique_ptr<ws::WebSocketConnection> connection_;
};

// ---- Polling transport ---------------------------------------------------------------------

// One HTTP exchange on its own connection; the answer parsed by Content-Length.
class HttpExchange {
public:
    HttpExchange(SioFixture& fixture, std::string_view method, std::string_view target,
                 std::string_view body = {})
        : client_(std::make_unique<testing::RawClient>(fixture.loop, fixture.address())) {
        client_->send(fmt::format(
            "{} {} HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain;charset=UTF-8\r\n"
            "Content-Length: {}\r\n\r\n{}",
            method, target, body.size(), body));
    }
    // (status, body) once the whole answer is there.
    std::optional<std::pair<int, std::string>> reply() const {
        const auto head_end = ws::find_head_end(client_->received);
        if (!head_end) return std::nullopt;
        auto head =
            ws::parse_response_head(std::string_view{client_->received}.substr(0, *head_end));
        if (!head) return std::nullopt;
        std::size_t length = 0;
        if (const auto declared = head->headers.find("Content-Length"))
            length = std::stoul(std::string{*declared});
        if (client_->received.size() < *head_end + length) return std::nullopt;
        return std::pair{head->status, client_->received.substr(*head_end, length)};
    }
    bool is_answered() const { return reply().has_value(); }
    // Everything received so far (for a failing test's message).
    const std::string& raw() const { return client_->received; }

private:
    std::unique_ptr<testing::RawClient> client_;
};

class PollingClient {
public:
    explicit PollingClient(SioFixture& fixture) : fixture_(fixture) {
        HttpExchange handshake{fixture, "GET", "/socket.io/?EIO=4&transport=polling"};
        REQUIRE(fixture.run_until([&] { return handshake.is_answered(); }));
        const auto [status, body] = *handshake.reply();
        REQUIRE(status == 200);
        REQUIRE(body.starts_with("0{"));
        auto open = json::parse(std::string_view{body}.substr(1));
        REQUIRE(open);
        sid = open->find("sid")->as_string();
    }

    std::string target() const {
        return fmt::format("/socket.io/?EIO=4&transport=polling&sid={}", sid);
    }

    // POSTs Socket.IO messages (each one Engine.IO message packet) in one payload.
    void send(const std::vector<Msg>& messages) {
        std::string payload;
        for (const Msg& message : messages) {
            engineio::Packet packet{engineio::PacketType::Message, message.data, message.is_binary};
            engineio::append_to_payload(payload, packet);
        }
        post(payload);
    }
    void send(std::string_view sio_text) { send({txt(std::string{sio_text})}); }
    void post(std::string_view payload) {
        HttpExchange exchange{fixture_, "POST", target(), payload};
        REQUIRE(fixture_.run_until([&] { return exchange.is_answered(); }));
        REQUIRE(exchange.reply()->first == 200);
        REQUIRE(exchange.reply()->second == "ok");
    }

    // Starts a GET (long-poll) unless one is out; poll() collects its answer when it is there.
    void start_get() {
        if (!get_) get_ = std::make_unique<HttpExchange>(fixture_, "GET", target());
    }
    bool poll() {
        if (!get_ || !get_->is_answered()) return false;
        const auto [status, body] = *get_->reply();
        get_.reset();
        REQUIRE(status == 200);
        auto packets = engineio::decode_payload(body);
        REQUIRE(packets);
        for (const engineio::Packet& packet : *packets) {
            eio_packets.push_back(packet);
            if (packet.type == engineio::PacketType::Message)
                received.push_back(Msg{packet.data, packet.is_binary});
            if (packet.type == engineio::PacketType::Ping) post("3");
        }
        return true;
    }
    // Long-polls until `count` Socket.IO messages are there (or the limit passes). No GET is
    // left out once they are (run_until asks its condition once more at the end).
    bool wait_for(std::size_t count, Millis limit = 3000ms) {
        return fixture_.run_until(
            [&] {
                poll();
                if (received.size() >= count) return true;
                start_get();
                return false;
            },
            limit);
    }

    // What the GET that is out has received so far (for a failing test's message).
    std::string pending_raw() const { return get_ ? get_->raw() : "(no GET out)"; }

    std::string sid;
    std::deque<Msg> received;
    std::vector<engineio::Packet> eio_packets;

private:
    SioFixture& fixture_;
    std::unique_ptr<HttpExchange> get_;
};

// Pops the first `n` received messages.
template <typename Client>
std::vector<Msg> take(Client& client, std::size_t n) {
    REQUIRE(client.received.size() >= n);
    std::vector<Msg> out(client.received.begin(),
                         client.received.begin() + static_cast<std::ptrdiff_t>(n));
    client.received.erase(client.received.begin(),
                          client.received.begin() + static_cast<std::ptrdiff_t>(n));
    return out;
}

// The sid inside a CONNECT reply `0{"sid":"..."}` (or `0/nsp,{...}`).
inline std::string sid_in(const Msg& reply) {
    const auto brace = reply.data.find('{');
    REQUIRE(brace != std::string::npos);
    auto parsed = json::parse(std::string_view{reply.data}.substr(brace));
    REQUIRE(parsed);
    return parsed->find("sid")->as_string();
}

}   // namespace sio_integration
