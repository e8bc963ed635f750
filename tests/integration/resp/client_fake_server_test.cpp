// tests/integration/resp/client_fake_server_test.cpp — resp::Client against small fake
// servers written here, for what a real Redis will not do on demand: die in the middle of a
// reply, break the protocol, refuse the connection.
#include "resp_test_support.hpp"

#include "looplab/net/tcp_listener.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <memory>
#include <unordered_map>

using namespace looplab;
using namespace looplab::resp;
using namespace looplab::resp::test;

namespace {

// Accepts clients; once it has received `commands` whole commands on a connection, answers
// with `script` and then (if `close_after`) closes that connection.
class FakeServer {
public:
    FakeServer(loop::EventLoop& loop, std::size_t commands, std::string script,
               bool close_after = true)
        : listener_(net::TcpListener::bind(loop, net::Address::loopback(0)).value()),
          commands_(commands),
          script_(std::move(script)),
          close_after_(close_after) {
        REQUIRE(listener_.start(
            [this](std::unique_ptr<net::TcpConnection> c) { adopt(std::move(c)); }));
    }
    net::Address address() const { return listener_.local_address(); }
    std::size_t accepted = 0;

private:
    void adopt(std::unique_ptr<net::TcpConnection> connection) {
        ++accepted;
        net::TcpConnection* raw = connection.get();
        auto seen = std::make_shared<std::size_t>(0);
        auto parser = std::make_shared<Parser>();
        raw->on(events::data, [this, raw, seen, parser](net::ByteBuffer& input) {
            std::vector<Reply> commands;   // a command is an array: the same parser reads it
            (void)parser->feed(input.readable(), commands);
            input.consume(input.size());
            *seen += commands.size();
            if (*seen < commands_ || *seen - commands.size() >= commands_) return;
            raw->send(script_);
            if (close_after_) raw->close();
        });
        raw->on(events::close, [this, raw] { connections_.erase(raw); });
        CHECK(raw->start());
        connections_.emplace(raw, std::move(connection));
    }

    net::TcpListener listener_;
    std::size_t commands_;
    std::string script_;
    bool close_after_;
    std::unordered_map<net::TcpConnection*, std::unique_ptr<net::TcpConnection>> connections_;
};

// Answers every command with what `answer` returns for it (a RESP3 server, say).
class ScriptedServer {
public:
    using Answer = std::function<std::string(const Reply& command)>;
    ScriptedServer(loop::EventLoop& loop, Answer answer)
        : listener_(net::TcpListener::bind(loop, net::Address::loopback(0)).value()),
          answer_(std::move(answer)) {
        REQUIRE(listener_.start([this](std::unique_ptr<net::TcpConnection> c) {
            connection_ = std::move(c);
            connection_->on(events::data, [this](net::ByteBuffer& input) {
                std::vector<Reply> commands;
                (void)parser_.feed(input.readable(), commands);
                input.consume(input.size());
                for (const Reply& command : commands) connection_->send(answer_(command));
            });
            CHECK(connection_->start());
        }));
    }
    net::Address address() const { return listener_.local_address(); }

private:
    net::TcpListener listener_;
    Answer answer_;
    Parser parser_;
    std::unique_ptr<net::TcpConnection> connection_;
};

ClientOptions no_reconnect() {
    ClientOptions options;
    options.reconnect = false;
    return options;
}

}   // namespace

TEST_CASE("the server going away mid-reply fails every pending command once",
          "[resp][client][integration]") {
    loop::EventLoop loop;
    // Three commands: the first is answered, the second's reply stops after 3 of its 10 bytes.
    FakeServer server{loop, 3, "+first\r\n$10\r\nhel"};
    Client client{loop, server.address(), no_reconnect()};
    ConnectionLog events;
    events.attach(client);
    client.connect();

    std::vector<std::string> outcomes;
    int calls = 0;
    for (const char* key : {"a", "b", "c"})
        client.command({"GET", key}, [&](Result<Reply> r) {
            ++calls;
            outcomes.push_back(r ? describe(*r) : r.error().message());
        });
    REQUIRE(loop.run_until([&] { return calls == 3 && events.count("end") == 1; }, kWait));
    (void)loop.run_until([] { return false; }, Millis{30});
    REQUIRE(calls == 3);
    CHECK(outcomes[0] == "first");
    const std::string lost = fmt::format(
        "resp: connection to {0} lost before the reply; the server at {0} closed the connection: "
        "{1}",
        server.address(), std::strerror(ECONNRESET));
    CHECK(outcomes[1] == lost);
    CHECK(outcomes[2] == lost);
    CHECK(events.events == std::vector<std::string>{"connect", "ready", "disconnect", "end"});
}

TEST_CASE("a server that breaks the protocol is dropped, with the reason",
          "[resp][client][integration]") {
    loop::EventLoop loop;
    FakeServer server{loop, 2, "+ok\r\n?what\r\n", false};
    Client client{loop, server.address(), no_reconnect()};
    client.connect();
    std::vector<std::string> outcomes;
    client.command({"PING"}, [&](Result<Reply> r) {
        outcomes.push_back(r ? describe(*r) : r.error().message());
    });
    client.command({"PING"}, [&](Result<Reply> r) {
        outcomes.push_back(r ? describe(*r) : r.error().message());
    });
    REQUIRE(loop.run_until([&] { return outcomes.size() == 2; }, kWait));
    CHECK(outcomes[0] == "ok");
    CHECK(outcomes[1] ==
          fmt::format("resp: connection to {0} lost before the reply; resp: the server at {0} "
                      "broke the protocol: a value starts with an unknown type byte: {1}",
                      server.address(), std::strerror(EPROTO)));
}

TEST_CASE("a refused connection fails queued commands; with retries, after the last",
          "[resp][client][integration]") {
    loop::EventLoop loop;
    // A port that was just free: nothing listens there.
    const net::Address nobody = [&loop] {
        auto probe = net::TcpListener::bind(loop, net::Address::loopback(0));
        REQUIRE(probe);
        return probe->local_address();
    }();

    SECTION("no reconnection") {
        Client client{loop, nobody, no_reconnect()};
        ConnectionLog events;
        events.attach(client);
        client.connect();
        std::optional<Result<Reply>> reply;
        client.command({"GET", "k"}, [&](Result<Reply> r) { reply.emplace(std::move(r)); });
        REQUIRE(loop.run_until([&] { return reply.has_value(); }, kWait));
        REQUIRE_FALSE(*reply);
        CHECK(reply->error().code() == ECONNREFUSED);
        CHECK(reply->error().message() ==
              fmt::format("resp: client ended; connect {}: Connection refused", nobody));
        REQUIRE(loop.run_until([&] { return events.count("end") == 1; }, kWait));
        CHECK(events.events == std::vector<std::string>{"end"});
    }
    SECTION("two retries, growing delays, then the end") {
        ClientOptions options;
        options.backoff.initial_delay = Millis{10};
        options.backoff.factor = 3;
        options.backoff.jitter = 0;
        options.backoff.max_attempts = 2;
        Client client{loop, nobody, options};
        std::vector<Millis> delays;
        client.connection().on("reconnecting", [&](const ConnectionEvent& e) {
            delays.push_back(e.delay);
            REQUIRE(e.error);
            CHECK(e.error->code() == ECONNREFUSED);
        });
        bool ended = false;
        client.connection().on("end", [&](const ConnectionEvent&) { ended = true; });
        client.connect();
        REQUIRE(loop.run_until([&] { return ended; }, kWait));
        CHECK(delays == std::vector<Millis>{Millis{10}, Millis{30}});
        CHECK(client.state() == ClientState::Closed);
    }
}

TEST_CASE("close() fails what waits, once, later, and destroying inside a callback is safe",
          "[resp][client][integration]") {
    loop::EventLoop loop;
    FakeServer server{loop, 1000, "", false};   // never answers
    auto client = std::make_unique<Client>(loop, server.address(), no_reconnect());
    client->connect();
    std::vector<std::string> outcomes;
    client->command({"GET", "a"}, [&](Result<Reply> r) {
        outcomes.push_back(r ? "reply" : r.error().message());
        client.reset();   // destroy the client from inside its own callback
    });
    client->command({"GET", "b"}, [&](Result<Reply> r) {
        outcomes.push_back(r ? "reply" : r.error().message());
    });
    wait_ready(loop, *client);
    REQUIRE(loop.run_until([&] { return client->pending() == 2; }, kWait));
    client->close();
    CHECK(outcomes.empty());   // never inside close()
    REQUIRE(loop.run_until([&] { return client == nullptr; }, kWait));
    (void)loop.run_until([] { return false; }, Millis{30});
    // The second callback was dropped with its client: destroying calls nothing.
    CHECK(outcomes == std::vector<std::string>{"resp: client closed"});
}

TEST_CASE("RESP3: a refused SUBSCRIBE answers in band and is told apart from other replies",
          "[resp][client][integration]") {
    // As a cluster node does for a shard channel it does not own: -MOVED in band, where a
    // SUBSCRIBE that works answers with pushes only.
    loop::EventLoop loop;
    ScriptedServer server{loop, [](const Reply& command) -> std::string {
                              const std::string& name = command.elements.at(0).text;
                              if (name == "HELLO") return "%1\r\n+proto\r\n:3\r\n";
                              if (name == "SSUBSCRIBE") return "-MOVED 3999 127.0.0.1:6381\r\n";
                              if (name == "SUBSCRIBE") return ">3\r\n+subscribe\r\n+ok\r\n:1\r\n";
                              return "+" + command.elements.at(1).text + "\r\n";   // ECHO
                          }};
    ClientOptions options = no_reconnect();
    options.resp3 = true;
    Client client{loop, server.address(), options};
    client.connect();
    wait_ready(loop, client);

    std::vector<std::string> outcomes;
    const auto record = [&](std::string what) {
        return [&, what](Result<Reply> r) {
            outcomes.push_back(what + ": " + (r ? describe(*r) : r.error().message()));
        };
    };
    client.command({"ECHO", "one"}, record("echo"));
    client.ssubscribe({"orders"}, record("ssubscribe"));
    client.subscribe({"ok"}, record("subscribe"));
    client.command({"ECHO", "two"}, record("echo"));
    REQUIRE(loop.run_until([&] { return outcomes.size() == 4; }, kWait));
    CHECK(outcomes == std::vector<std::string>{
                          "echo: one",
                          "ssubscribe: MOVED 3999 127.0.0.1:6381",
                          "subscribe: (integer) 1",
                          "echo: two",
                      });
    CHECK(client.shard_channels().empty());   // refused: forgotten
    CHECK(client.channels() == std::set<std::string>{"ok"});
}

TEST_CASE("past max_in_flight_commands a command fails at once, later, and the others still wait",
          "[resp][client][integration]") {
    loop::EventLoop loop;
    FakeServer server{loop, 1000, "", false};   // never answers
    ClientOptions options = no_reconnect();
    options.max_in_flight_commands = 3;
    Client client{loop, server.address(), options};
    client.connect();
    wait_ready(loop, client);
    std::vector<std::string> outcomes;
    for (const char* key : {"a", "b", "c", "d"})
        client.command({"GET", key}, [&](Result<Reply> r) {
            outcomes.push_back(r ? "reply" : r.error().message());
        });
    CHECK(outcomes.empty());   // never inside command()
    REQUIRE(loop.run_until([&] { return outcomes.size() == 1; }, kWait));
    CHECK_THAT(outcomes.at(0), Catch::Contains("max_in_flight_commands"));
    CHECK(client.pending() == 3);
}
