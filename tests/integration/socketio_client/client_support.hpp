// tests/integration/socketio_client/client_support.hpp — our socketio::Server on a real HTTP
// server on 127.0.0.1 (port 0, or a given port to come back on), on the poller under test,
// and what the tests record about a client socket. Delays are shrunk so a reconnection takes
// milliseconds.
#pragma once

#include "looplab/http/server.hpp"
#include "looplab/socketio/server.hpp"
#include "looplab/socketio_client/manager.hpp"
#include "support/pollers.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace sio_client_test {

using namespace looplab;
using namespace std::chrono_literals;
namespace json = codec::json;
using socketio_client::DisconnectReason;

struct ServerFixture {
    loop::EventLoop loop;
    std::unique_ptr<http::Server> http;
    std::unique_ptr<socketio::Server> io;
    std::vector<std::string> log;
    net::Address address = net::Address::loopback(0);

    explicit ServerFixture(const std::string& poller, socketio::ServerOptions options = {})
        : loop(poller) {
        start(std::move(options));
    }
    ~ServerFixture() { stop(); }

    // Listens on address's port (0 the first time: any free one).
    void start(socketio::ServerOptions options = {}) {
        options.log = [this](std::string_view line) { log.emplace_back(line); };
        http = std::make_unique<http::Server>(loop);
        io = std::make_unique<socketio::Server>(loop, std::move(options));
        io->attach(*http);
        REQUIRE(http->listen(address));
        address = http->local_address();
    }
    // The server goes away at once: its connections are dropped, its port is free.
    void stop() {
        io.reset();
        http.reset();
    }
    bool run_until(const std::function<bool()>& done, Millis limit = 3000ms) {
        return loop.run_until(done, limit);
    }
    // Turns the loop for `time` (to see that something does NOT happen).
    void run_for(Millis time) {
        loop.run_until([] { return false; }, time);
    }
};

inline socketio_client::ManagerOptions fast_options() {
    socketio_client::ManagerOptions options;
    options.reconnection_delay = 20ms;
    options.reconnection_delay_max = 100ms;
    options.timeout = 2000ms;
    return options;
}

// What one client socket saw, in order.
struct Recorder {
    std::vector<std::string> events;   // "connect", "disconnect:<reason>", "connect_error:<msg>"
    std::vector<json::Value> connect_errors;
    int connects = 0;
    std::vector<DisconnectReason> disconnects;

    explicit Recorder(socketio_client::Socket& socket) {
        socket.on_connect([this] {
            ++connects;
            events.emplace_back("connect");
        });
        socket.on_disconnect([this](DisconnectReason reason) {
            disconnects.push_back(reason);
            events.emplace_back("disconnect:" + std::string{to_string(reason)});
        });
        socket.on("connect_error", [this](const socketio::Args& args) {
            connect_errors.push_back(args[0]);
            const json::Value* message = args[0].find("message");
            events.emplace_back("connect_error:" +
                                (message != nullptr ? message->as_string() : ""));
        });
    }
};

// Counts the manager's events by name.
struct ManagerEvents {
    std::vector<std::string> names;
    explicit ManagerEvents(socketio_client::Manager& manager) {
        for (const char* name : {"open", "close", "reconnect_attempt", "reconnect",
                                 "reconnect_error", "reconnect_failed"})
            manager.on(name, [this, name](const json::Value&) { names.emplace_back(name); });
    }
    std::size_t count(std::string_view name) const {
        return static_cast<std::size_t>(std::count(names.begin(), names.end(), name));
    }
};

}   // namespace sio_client_test
