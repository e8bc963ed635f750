// tests/integration/net/tcp_echo_test.cpp — many connections through one listener.
#include "net_test_support.hpp"

#include <fmt/format.h>

using namespace looplab;
using namespace looplab::net;
using namespace looplab::net::test;

TEST_CASE("1000 concurrent TCP connections each get their own bytes echoed",
          "[net][tcp][integration]") {
    const std::string poller = GENERATE(from_range(poller::available_pollers()));
    CAPTURE(poller);
    constexpr std::size_t kClients = 1000;
    REQUIRE(ensure_fd_limit(2 * kClients + 64));   // both ends live in this process

    loop::EventLoop loop{poller};
    EchoServer server{loop};
    TcpConnector connector{loop};

    struct Client {
        std::unique_ptr<TcpConnection> connection;
        std::string expected;
        std::string received;
    };
    std::vector<Client> clients(kClients);
    std::size_t finished = 0;
    std::vector<std::string> failures;

    for (std::size_t i = 0; i < kClients; ++i) {
        // Different lengths and contents, so a mix-up between connections shows.
        clients[i].expected =
            fmt::format("client {} says {}", i, std::string(i % 300, 'a' + i % 26));
        connector.connect(server.address(), [&, i](Result<std::unique_ptr<TcpConnection>> made) {
            if (!made) {
                failures.push_back(made.error().message());
                return;
            }
            Client& client = clients[i];
            client.connection = std::move(made).value();
            client.connection->on(events::data, [&client, &finished](ByteBuffer& input) {
                client.received += input.readable_text();
                input.consume(input.size());
                if (client.received.size() >= client.expected.size()) ++finished;
            });
            CHECK(client.connection->start());
            CHECK(client.connection->send(client.expected));
        });
    }

    REQUIRE(loop.run_until([&] { return finished == kClients || !failures.empty(); }, 20s));
    CHECK(failures.empty());
    CHECK(server.accepted() == kClients);
    std::size_t mismatched = 0;
    for (const Client& client : clients)
        if (client.received != client.expected) ++mismatched;
    CHECK(mismatched == 0);

    // Closing every client closes every server-side connection too (EOF → graceful close).
    for (Client& client : clients) client.connection->close();
    REQUIRE(loop.run_until([&] { return server.open_connections() == 0; }, 10s));
}

TEST_CASE("a connection knows both ends of its 4-tuple", "[net][tcp][integration]") {
    const std::string poller = GENERATE(from_range(poller::available_pollers()));
    CAPTURE(poller);
    loop::EventLoop loop{poller};
    auto listener = TcpListener::bind(loop, Address::loopback(0));
    REQUIRE(listener);
    std::unique_ptr<TcpConnection> accepted;
    REQUIRE(listener->start([&](std::unique_ptr<TcpConnection> c) { accepted = std::move(c); }));

    auto client = connect_now(loop, listener->local_address());
    REQUIRE(loop.run_until([&] { return accepted != nullptr; }, 5s));

    // The server's end shares the listener's port; the client got an ephemeral one.
    CHECK(accepted->local_address() == listener->local_address());
    CHECK(accepted->peer_address() == client->local_address());
    CHECK(client->peer_address() == listener->local_address());
    CHECK(client->local_address().port() != listener->local_address().port());
    CHECK(accepted->set_no_delay(true));
}

TEST_CASE("two listeners with SO_REUSEPORT share one port", "[net][tcp][integration]") {
    loop::EventLoop loop;
    ListenOptions options;
    options.reuse_port = true;
    auto first = TcpListener::bind(loop, Address::loopback(0), options);
    REQUIRE(first);
    auto second = TcpListener::bind(loop, first->local_address(), options);
    REQUIRE(second);
    CHECK(second->local_address() == first->local_address());

    // Without it, the port is taken, and the error says which syscall and address.
    auto third = TcpListener::bind(loop, first->local_address());
    REQUIRE_FALSE(third);
    CHECK(third.error().message() ==
          fmt::format("bind {}: Address already in use", first->local_address()));
}

TEST_CASE("a server may destroy a connection inside that connection's on_data",
          "[net][tcp][integration]") {
    const std::string poller = GENERATE(from_range(poller::available_pollers()));
    CAPTURE(poller);
    loop::EventLoop loop{poller};
    auto listener = TcpListener::bind(loop, Address::loopback(0));
    REQUIRE(listener);
    std::unordered_map<int, std::unique_ptr<TcpConnection>> connections;
    std::string last_words;
    REQUIRE(listener->start([&](std::unique_ptr<TcpConnection> connection) {
        TcpConnection* raw = connection.get();
        const int id = raw->fd();
        // The lambda uses its own captures after erasing the connection that owns it: safe,
        // because the connection keeps its listeners alive until the loop's close phase.
        // (`input` belongs to the connection, so it is read before the erase.)
        raw->on(events::data,
                [&connections, &last_words, id, prefix = std::string(40, '>')](ByteBuffer& input) {
                    const std::string words{input.readable_text()};
                    connections.erase(id);
                    last_words = prefix + words;
                });
        CHECK(raw->start());
        connections.emplace(id, std::move(connection));
    }));

    Recorder recorder;
    auto client = connect_recorded(loop, listener->local_address(), recorder);
    client->send("goodbye");
    REQUIRE(loop.run_until([&] { return recorder.closed(); }, 5s));
    CHECK(last_words == std::string(40, '>') + "goodbye");
    CHECK(connections.empty());
    // Destroying an open connection closes the socket at once: the client sees EOF.
    CHECK(recorder.events == std::vector<std::string>{"end", "close"});
}

TEST_CASE("bytes a listener does not consume wait in the buffer for the next ones",
          "[net][tcp][integration]") {
    const std::string poller = GENERATE(from_range(poller::available_pollers()));
    CAPTURE(poller);
    loop::EventLoop loop{poller};
    std::vector<std::string> lines;
    AcceptOne server{loop, [&lines](TcpConnection& connection) {
                         // Line framing: take whole lines only; half a line stays for later.
                         connection.on(events::data, [&lines](ByteBuffer& input) {
                             std::size_t end;
                             while ((end = input.readable_text().find('\n')) != std::string::npos)
                                 lines.push_back(input.take(end + 1));
                         });
                     }};
    auto client = connect_now(loop, server.address());
    REQUIRE(client->start());
    client->send("one\ntw");
    REQUIRE(loop.run_until([&] { return lines.size() == 1; }, 5s));
    client->send("o\nthr");
    client->send("ee\n");
    REQUIRE(loop.run_until([&] { return lines.size() == 3; }, 5s));
    CHECK(lines == std::vector<std::string>{"one\n", "two\n", "three\n"});
}
