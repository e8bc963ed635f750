// tests/integration/resp/client_fake_server_test.cpp — resp::Client against small fake
// servers written here, for what a real Redis will not do on demand: die in the middle of a
// reply, break the protocol, refuse the connection.
#include "resp_test_support.hpp"

#include "looplab/net/tcp_listener.hpp"

#include <fmt/format.h>

#include <cerrno>
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
    FakeServer(loop::EventLoop& loop, std::size_t commands, std::string script, bool close_after = true)
        : listener_(net::TcpListener::bind(net::Address::loopback(0)).value()),
          commands_(commands), script_(std::move(script)), close_after_(close_after) {
        REQUIRE(listener_.start(loop, [this](std::unique_ptr<net::TcpConnection> c) { adopt(std::move(c)); }));
    }
    net::Address address() const { return listener_.local_address(); }
    std::size_t accepted = 0;

private:
    void adopt(std::unique_ptr<net::TcpConnection> connection) {
        ++accepted;
        net::TcpConnection* raw = connection.get();
        auto seen = std::make_shared<std::size_t>(0);
        auto parser = std::make_shared<Parser>();
        raw->on_data([this, raw, seen, parser](net::ByteBuffer& input) {
            std::vector<Reply> commands;   // a command is an array: the same parser reads it
            (void)parser->feed(input.readable(), commands);
            input.consume(input.size());
            *seen += commands.size();
            if (*seen < commands_ || *seen - commands.size() >= commands_) return;
            raw->send(script_);
            if (close_after_) raw->close();
        });
        raw->on_close([this, raw] { connections_.erase(raw); });
        CHECK(raw->start());
        connections_.emplace(raw, std::move(connection));
    }

    net::TcpListener listener_;
    std::size_t commands_;
    std::string script_;
    bool close_after_;
    std::unordered_map<net::TcpConnection*, std::unique_ptr<net::TcpConnection>> connections_;
};

ClientOptions no_reconnect() {
    ClientOptions options;
    options.reconnect = false;
    return options;
}

}   // namespace

TEST_CASE("the server going away mid-reply fails every pending command once", "[resp][client][integration]") {
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
        "resp: connection to {0} lost before the reply; the server at {0} closed the connection: {1}",
        server.address(), std::strerror(ECONNRESET));
    CHECK(outcomes[1] == lost);
    CHECK(outcomes[2] == lost);
    CHECK(events.events == std::vector<std::string>{"connect", "ready", "disconnect", "end"});
}

TEST_CASE("a server that breaks the protocol is dropped, with the reason", "[resp][client][integration]") {
    loop::EventLoop loop;
    FakeServer server{loop, 2, "+ok\r\n?what\r\n", false};
    Client client{loop, server.address(), no_reconnect()};
    client.connect();
    std::vector<std::string> outcomes;
    client.command({"PING"}, [&](Result<Reply> r) { outcomes.push_back(r ? describe(*r) : r.error().message()); });
    client.command({"PING"}, [&](Result<Reply> r) { outcomes.push_back(r ? describe(*r) : r.error().message()); });
    REQUIRE(loop.run_until([&] { return outcomes.size() == 2; }, kWait));
    CHECK(outcomes[0] == "ok");
    CHECK(outcomes[1] == fmt::format("resp: connection to {0} lost before the reply; resp: the server at {0} "
                                     "broke the protocol: a value starts with an unknown type byte: {1}",
                                     server.address(), std::strerror(EPROTO)));
}

TEST_CASE("a refused connection fails queued commands; with retries, after the last", "[resp][client][integration]") {
    loop::EventLoop loop;
    // A port that was just free: nothing listens there.
    const net::Address nobody = [] {
        auto probe = net::TcpListener::bind(net::Address::loopback(0));
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

TEST_CASE("close() fails what waits, once, later, and destroying inside a callback is safe", "[resp][client][integration]") {
    loop::EventLoop loop;
    FakeServer server{loop, 1000, "", false};   // never answers
    auto client = std::make_unique<Client>(loop, server.address(), no_reconnect());
    client->connect();
    std::vector<std::string> outcomes;
    client->command({"GET", "a"}, [&](Result<Reply> r) {
        outcomes.push_back(r ? "reply" : r.error().message());
        client.reset();   // destroy the client from inside its own callback
    });
    client->command({"GET", "b"}, [&](Result<Reply> r) { outcomes.push_back(r ? "reply" : r.error().message()); });
    wait_ready(loop, *client);
    REQUIRE(loop.run_until([&] { return client->pending() == 2; }, kWait));
    client->close();
    CHECK(outcomes.empty());   // never inside close()
    REQUIRE(loop.run_until([&] { return client == nullptr; }, kWait));
    (void)loop.run_until([] { return false; }, Millis{30});
    // The second callback was dropped with its client: destroying calls nothing.
    CHECK(outcomes == std::vector<std::string>{"resp: client closed"});
}
