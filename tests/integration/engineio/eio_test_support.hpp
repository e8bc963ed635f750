// tests/integration/engineio/eio_test_support.hpp — an Engine.IO server on a real HTTP server
// on 127.0.0.1, a listener that records what it hears, a tiny HTTP client (one request per
// connection, the answer parsed by Content-Length) and a WebSocket peer that records frames.
#pragma once

#include "looplab/engineio/server.hpp"
#include "looplab/http/server.hpp"
#include "looplab/ws/handshake.hpp"
#include "looplab/ws/web_socket_client.hpp"
#include "support/raw_client.hpp"
#include "support/ws_peer.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace looplab::testing {

using namespace std::chrono_literals;

// Everything the engine told its listener, in order.
struct Recorder final : engineio::ServerListener {
    struct Message {
        std::string sid;
        std::string data;
        bool is_binary = false;
        bool operator==(const Message&) const = default;
    };
    struct Closed {
        std::string sid;
        engineio::CloseReason reason;
        std::string description;
    };
    std::vector<engineio::Session*> opened;
    std::vector<Message> messages;
    std::vector<Closed> closed;
    bool echo = false;   // send every message back as it came

    void on_open(engineio::Session& session) override { opened.push_back(&session); }
    void on_message(engineio::Session& session, std::string_view data, bool is_binary) override {
        messages.push_back(Message{std::string{session.id()}, std::string{data}, is_binary});
        if (!echo) return;
        if (is_binary) session.send_binary(data);
        else session.send_text(data);
    }
    void on_close(engineio::Session& session, engineio::CloseReason reason,
                  std::string_view description) override {
        closed.push_back(Closed{std::string{session.id()}, reason, std::string{description}});
        std::erase(opened, &session);
    }
    std::optional<engineio::CloseReason> reason_for(std::string_view sid) const {
        for (const Closed& close : closed)
            if (close.sid == sid) return close.reason;
        return std::nullopt;
    }
};

inline engineio::ServerOptions quiet(engineio::ServerOptions options,
                                     std::vector<std::string>* log) {
    options.log = [log](std::string_view line) {
        if (log != nullptr) log->emplace_back(line);
    };
    return options;
}

struct EioFixture {
    loop::EventLoop loop;
    http::Server http;
    std::vector<std::string> log;
    engineio::Server engine;
    Recorder recorder;

    explicit EioFixture(const std::string& poller, engineio::ServerOptions options = {})
        : loop(poller), http(loop), engine(loop, quiet(std::move(options), &log)) {
        engine.set_listener(recorder);
        engine.attach(http);
        REQUIRE(http.listen(net::Address::loopback(0)));
    }
    const net::Address& address() const { return http.local_address(); }
    bool run_until(const std::function<bool()>& done, Millis limit = 3000ms) {
        return loop.run_until(done, limit);
    }
};

// One HTTP exchange on its own connection.
struct Reply {
    int status = 0;
    http::Headers headers;
    std::string body;
};

class HttpCall {
public:
    HttpCall(EioFixture& fixture, std::string_view method, std::string_view target,
             std::string_view body = {}, std::string_view extra_headers = {})
        : client_(std::make_unique<RawClient>(fixture.loop, fixture.address())) {
        client_->send(
            fmt::format("{} {} HTTP/1.1\r\nHost: localhost\r\n{}Content-Length: {}\r\n\r\n{}",
                        method, target, extra_headers, body.size(), body));
    }

    // The whole answer, once it is there.
    std::optional<Reply> reply() const {
        const auto head_end = ws::find_head_end(client_->received);
        if (!head_end) return std::nullopt;
        auto head =
            ws::parse_response_head(std::string_view{client_->received}.substr(0, *head_end));
        if (!head) return std::nullopt;
        std::size_t length = 0;
        if (const auto declared = head->headers.find("Content-Length"))
            length = std::stoul(std::string{*declared});
        if (client_->received.size() < *head_end + length) return std::nullopt;
        return Reply{head->status, head->headers, client_->received.substr(*head_end, length)};
    }
    bool is_answered() const { return reply().has_value(); }
    bool is_closed() const { return client_->closed; }

private:
    std::unique_ptr<RawClient> client_;
};

// Sends one request and waits for its answer.
inline Reply call(EioFixture& fixture, std::string_view method, std::string_view target,
                  std::string_view body = {}, std::string_view extra_headers = {}) {
    HttpCall exchange{fixture, method, target, body, extra_headers};
    REQUIRE(fixture.run_until([&] { return exchange.is_answered(); }));
    return *exchange.reply();
}

inline std::string polling(std::string_view sid = {}) {
    if (sid.empty()) return "/engine.io/?EIO=4&transport=polling";
    return fmt::format("/engine.io/?EIO=4&transport=polling&sid={}", sid);
}

// The sid of a handshake's answer `0{"sid":"...",...}`.
inline std::string sid_of(std::string_view open_packet) {
    const std::string_view prefix = R"(0{"sid":")";
    REQUIRE(open_packet.substr(0, prefix.size()) == prefix);
    const auto end = open_packet.find('"', prefix.size());
    REQUIRE(end != std::string_view::npos);
    return std::string{open_packet.substr(prefix.size(), end - prefix.size())};
}

// A polling handshake; returns the sid.
inline std::string open_polling(EioFixture& fixture) {
    const Reply reply = call(fixture, "GET", polling());
    REQUIRE(reply.status == 200);
    return sid_of(reply.body);
}

inline std::string websocket(std::string_view sid = {}) {
    if (sid.empty()) return "/engine.io/?EIO=4&transport=websocket";
    return fmt::format("/engine.io/?EIO=4&transport=websocket&sid={}", sid);
}

inline ws::Message text(std::string payload) {
    return ws::Message{ws::MessageKind::Text, std::move(payload)};
}
inline ws::Message binary(std::string payload) {
    return ws::Message{ws::MessageKind::Binary, std::move(payload)};
}

}   // namespace looplab::testing
