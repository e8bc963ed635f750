// tests/integration/net/net_test_support.hpp — small helpers for the net integration tests:
// an echo server, a connect-and-wait helper, an event recorder, a checksum, fd limits.
#pragma once

#include "looplab/loop/event_loop.hpp"
#include "looplab/net/address.hpp"
#include "looplab/net/tcp_connection.hpp"
#include "looplab/net/tcp_connector.hpp"
#include "looplab/net/tcp_listener.hpp"
#include "looplab/poller/poller.hpp"
#include "support/refusing_tcp_port.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include <sys/resource.h>

namespace looplab::net::test {

using namespace std::chrono_literals;

// Accepts every client and sends back whatever it receives; owns its connections in a map
// and erases each one in its own on_close.
class EchoServer {
public:
    explicit EchoServer(loop::EventLoop& loop)
        : listener_(TcpListener::bind(loop, Address::loopback(0)).value()) {
        REQUIRE(listener_.start(
            [this](std::unique_ptr<TcpConnection> connection) { adopt(std::move(connection)); }));
    }

    Address address() const { return listener_.local_address(); }
    std::size_t open_connections() const { return connections_.size(); }
    std::size_t accepted() const { return accepted_; }

private:
    void adopt(std::unique_ptr<TcpConnection> connection) {
        TcpConnection* raw = connection.get();
        raw->on(events::data, [raw](ByteBuffer& input) {
            raw->send(input.readable());
            input.consume(input.size());
        });
        raw->on(events::close, [this, raw] { connections_.erase(raw); });
        CHECK(raw->start());
        connections_.emplace(raw, std::move(connection));
        ++accepted_;
    }

    TcpListener listener_;
    std::unordered_map<TcpConnection*, std::unique_ptr<TcpConnection>> connections_;
    std::size_t accepted_ = 0;
};

// Everything one connection reported, in order: "data", "end", "error", "close".
struct Recorder {
    std::string received;
    std::vector<std::string> events;
    std::optional<Error> error;

    bool saw(const std::string& event) const {
        return std::find(events.begin(), events.end(), event) != events.end();
    }
    bool closed() const { return saw("close"); }

    // With `record_data` false, the bytes are left to the connection's other data listeners
    // (they share one buffer: what one consumes, the next does not see).
    void attach(TcpConnection& connection, bool record_data = true) {
        if (record_data)
            connection.on(events::data, [this](ByteBuffer& input) {
                received += input.readable_text();
                input.consume(input.size());
                if (events.empty() || events.back() != "data") events.push_back("data");
            });
        connection.on(events::end, [this] { events.push_back("end"); });
        connection.on(events::error, [this](const Error& e) {
            events.push_back("error");
            error = e;
        });
        connection.on(events::close, [this] { events.push_back("close"); });
    }
};

// A listener that keeps the first connection it accepts, records its events and starts it.
// `prepare` may set more listeners (or options) before start().
class AcceptOne {
public:
    explicit AcceptOne(loop::EventLoop& loop, std::function<void(TcpConnection&)> prepare = {})
        : listener_(TcpListener::bind(loop, Address::loopback(0)).value()),
          prepare_(std::move(prepare)) {
        REQUIRE(listener_.start([this](std::unique_ptr<TcpConnection> accepted) {
            connection = std::move(accepted);
            if (prepare_) prepare_(*connection);
            // A data listener of `prepare` reads the bytes itself.
            recorder.attach(*connection, connection->listener_count(events::data) == 0);
            CHECK(connection->start());
        }));
    }
    Address address() const { return listener_.local_address(); }

    std::unique_ptr<TcpConnection> connection;
    Recorder recorder;

private:
    TcpListener listener_;
    std::function<void(TcpConnection&)> prepare_;
};

// Connects and runs the loop until it worked (or fails the test).
inline std::unique_ptr<TcpConnection> connect_now(loop::EventLoop& loop, const Address& to) {
    TcpConnector connector{loop};
    std::optional<Result<std::unique_ptr<TcpConnection>>> outcome;
    connector.connect(
        to, [&](Result<std::unique_ptr<TcpConnection>> made) { outcome.emplace(std::move(made)); });
    REQUIRE(loop.run_until([&] { return outcome.has_value(); }, 5s));
    if (!*outcome) FAIL(outcome->error().message());
    return std::move(*outcome).value();
}

// Connects, lets `recorder` hear every event, and starts: a client whose story a test reads.
inline std::unique_ptr<TcpConnection> connect_recorded(loop::EventLoop& loop, const Address& to,
                                                       Recorder& recorder) {
    auto client = connect_now(loop, to);
    recorder.attach(*client);
    REQUIRE(client->start());
    return client;
}

// A 64-bit FNV-1a hash, fed piece by piece: equal streams give equal values.
struct Checksum {
    std::uint64_t value = 14695981039346656037ull;
    std::uint64_t bytes = 0;
    void add(std::span<const std::uint8_t> piece) {
        for (std::uint8_t byte : piece) {
            value ^= byte;
            value *= 1099511628211ull;
        }
        bytes += piece.size();
    }
};

// Bytes that are not all alike, so a lost or reordered piece changes the checksum.
inline std::vector<std::uint8_t> pattern(std::size_t size, std::size_t offset = 0) {
    std::vector<std::uint8_t> bytes(size);
    for (std::size_t i = 0; i < size; ++i)
        bytes[i] = static_cast<std::uint8_t>((offset + i) * 7 % 251);
    return bytes;
}

// Makes sure the process may open `needed` descriptors (soft limit up to the hard one).
inline bool ensure_fd_limit(rlim_t needed) {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return false;
    if (limit.rlim_cur >= needed) return true;
    if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < needed) return false;
    limit.rlim_cur = needed;
    return ::setrlimit(RLIMIT_NOFILE, &limit) == 0;
}

// A reader that takes one read's worth, then pauses for a millisecond: a slow consumer.
// Connects to `to`, starts, and sums what it receives until the writer closes.
struct SlowReader {
    SlowReader(loop::EventLoop& loop, const Address& to) : connection(connect_now(loop, to)) {
        connection->on(events::data, [this, &loop](ByteBuffer& input) {
            received.add(input.readable());
            input.consume(input.size());
            connection->pause_reading();
            loop.set_timeout(1ms, [this] { connection->resume_reading(); });
        });
        connection->on(events::close, [this] { closed = true; });
        REQUIRE(connection->start());
    }
    std::unique_ptr<TcpConnection> connection;
    Checksum received;
    bool closed = false;
};

// Connections that must be refused go to a RefusingTcpPort (tests/support/refusing_tcp_port.hpp).
using looplab::testing::RefusingTcpPort;

// A port on 127.0.0.1 where nothing listens right now: bound by us, then released. Racy (the
// number may be taken before it is used): only for a port that the code under test must bind
// itself, e.g. a connect from a fixed local port. To connect to a port that refuses, hold a
// RefusingTcpPort; to listen, bind port 0 and ask the listener for its port.
inline std::uint16_t unused_tcp_port(loop::EventLoop& loop) {
    auto listener = TcpListener::bind(loop, Address::loopback(0));
    REQUIRE(listener);
    return listener->local_address().port();
}

}   // namespace looplab::net::test
