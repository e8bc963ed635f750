// tests/integration/net/tcp_cork_test.cpp — the cork (replies sent from on_data leave in one
// write when it returns), two-piece sends, and TcpObserver objects instead of functions.
#include "net_test_support.hpp"

using namespace looplab;
using namespace looplab::net;
using namespace looplab::net::test;

namespace {

// A client that connects, records what it hears, and sends "go" to start the server's reply.
std::unique_ptr<TcpConnection> say_go(loop::EventLoop& loop, const Address& to, Recorder& heard) {
    auto client = connect_recorded(loop, to, heard);
    client->send("go");
    return client;
}

// Runs the loop until `client` has received `size` bytes (or closed).
void receive_until(loop::EventLoop& loop, Recorder& client, std::size_t size) {
    REQUIRE(loop.run_until([&] { return client.received.size() >= size || client.closed(); }, 10s));
}

// A connection accepted by `server` and a client recording what it hears, connected.
struct Connected {
    explicit Connected(loop::EventLoop& loop)
        : server(loop), client(connect_recorded(loop, server.address(), received)) {
        REQUIRE(loop.run_until([&] { return server.connection != nullptr; }, 10s));
    }
    AcceptOne server;
    Recorder received;
    std::unique_ptr<TcpConnection> client;
};

}   // namespace

TEST_CASE("replies sent inside on_data wait in the buffer and leave when on_data returns",
          "[net][tcp][cork][integration]") {
    const std::string poller = GENERATE(from_range(poller::available_pollers()));
    CAPTURE(poller);
    loop::EventLoop loop{poller};
    std::vector<std::size_t> pending_after_each_send;
    std::optional<std::size_t> pending_after_on_data;
    AcceptOne server{
        loop, [&](TcpConnection& connection) {
            connection.on(events::data, [&](ByteBuffer& input) {
                input.consume(input.size());
                for (int i = 0; i < 16; ++i) {
                    CHECK(connection.send(fmt::format("reply {:02}\n", i)));
                    pending_after_each_send.push_back(connection.pending_output());
                }
                // Runs once this callback (and the flush after it) is over.
                loop.post_soon([&] { pending_after_on_data = connection.pending_output(); });
            });
        }};
    Recorder received;
    auto client = say_go(loop, server.address(), received);
    receive_until(loop, received, 16 * 9);

    // Inside on_data nothing was written yet: every reply was still pending...
    REQUIRE(pending_after_each_send.size() == 16);
    for (std::size_t i = 0; i < 16; ++i) CHECK(pending_after_each_send[i] == (i + 1) * 9);
    // ...and right after it, all of it had gone out in one send().
    CHECK(pending_after_on_data == std::optional<std::size_t>{0});
    std::string expected;
    for (int i = 0; i < 16; ++i) expected += fmt::format("reply {:02}\n", i);
    CHECK(received.received == expected);
}

TEST_CASE("past kTcpMaxCorkedBytes a reply inside on_data is written at once, in order",
          "[net][tcp][cork][integration]") {
    static_assert(kTcpMaxCorkedBytes > 100,
                  "this test needs a cork that holds more than 100 bytes");
    const std::string poller = GENERATE(from_range(poller::available_pollers()));
    CAPTURE(poller);
    loop::EventLoop loop{poller};
    const std::vector<std::uint8_t> first = pattern(kTcpMaxCorkedBytes - 100, 0);
    const std::vector<std::uint8_t> second = pattern(300, first.size());
    std::size_t pending_after_first = 0;
    std::size_t pending_after_second = 0;
    AcceptOne server{loop, [&](TcpConnection& connection) {
                         connection.on(events::data, [&](ByteBuffer& input) {
                             input.consume(input.size());
                             connection.send(first);
                             pending_after_first = connection.pending_output();
                             connection.send(second);   // would pass the cork's limit
                             pending_after_second = connection.pending_output();
                         });
                     }};
    Recorder received;
    auto client = say_go(loop, server.address(), received);
    receive_until(loop, received, first.size() + second.size());

    CHECK(pending_after_first == first.size());                   // gathered
    CHECK(pending_after_second < first.size() + second.size());   // the kernel took some
    Checksum sent;
    sent.add(first);
    sent.add(second);
    Checksum got;
    got.add({reinterpret_cast<const std::uint8_t*>(received.received.data()),
             received.received.size()});
    CHECK(got.bytes == sent.bytes);
    CHECK(got.value == sent.value);
}

TEST_CASE("close() inside on_data still sends the gathered replies, then the FIN",
          "[net][tcp][cork][integration]") {
    const std::string poller = GENERATE(from_range(poller::available_pollers()));
    CAPTURE(poller);
    loop::EventLoop loop{poller};
    AcceptOne server{loop, [&](TcpConnection& connection) {
                         connection.on(events::data, [&](ByteBuffer& input) {
                             input.consume(input.size());
                             connection.send("one ");
                             connection.send("two ");
                             connection.send("bye");
                             connection.close();
                             CHECK_FALSE(connection.send(" too late"));   // refused after close()
                         });
                     }};
    Recorder received;
    auto client = say_go(loop, server.address(), received);
    REQUIRE(loop.run_until([&] { return received.closed(); }, 10s));
    CHECK(received.received == "one two bye");
    CHECK(received.saw("end"));
    CHECK_FALSE(received.error);
}

TEST_CASE("abort() inside on_data drops the gathered replies and resets",
          "[net][tcp][cork][integration]") {
    const std::string poller = GENERATE(from_range(poller::available_pollers()));
    CAPTURE(poller);
    loop::EventLoop loop{poller};
    AcceptOne server{loop, [&](TcpConnection& connection) {
                         connection.on(events::data, [&](ByteBuffer& input) {
                             input.consume(input.size());
                             connection.send("never seen");
                             connection.abort();
                         });
                     }};
    Recorder received;
    auto client = say_go(loop, server.address(), received);
    REQUIRE(loop.run_until([&] { return received.closed(); }, 10s));
    CHECK(received.received.empty());
    REQUIRE(received.error);
    CHECK(received.error->code() == ECONNRESET);
}

TEST_CASE("send(first, second) keeps both pieces in order through a slow reader",
          "[net][tcp][integration]") {
    const std::string poller = GENERATE(from_range(poller::available_pollers()));
    CAPTURE(poller);
    loop::EventLoop loop{poller};
    constexpr std::size_t kRecords = 256;
    constexpr std::size_t kBody = 16 * 1024;
    Checksum sent;
    AcceptOne server{loop, [&](TcpConnection& writer) {
                         // Far more than the socket buffers hold: most pairs are written in
                         // part, and the rest waits in the output buffer behind them.
                         for (std::size_t i = 0; i < kRecords; ++i) {
                             const std::vector<std::uint8_t> header = pattern(4, i);
                             const std::vector<std::uint8_t> body = pattern(kBody, i * 13);
                             CHECK(writer.send(header, body));
                             sent.add(header);
                             sent.add(body);
                         }
                         writer.close();
                     }};
    SlowReader reader{loop, server.address()};
    REQUIRE(loop.run_until([&] { return reader.closed; }, 30s));
    CHECK(reader.received.bytes == kRecords * (4 + kBody));
    CHECK(reader.received.value == sent.value);
}

namespace {

// One handler for every connection of a server: counts bytes per connection and echoes.
struct CountingEcho final : TcpObserver {
    std::unordered_map<const TcpConnection*, std::size_t> bytes_from;
    std::vector<std::string> events;
    std::unordered_map<TcpConnection*, std::unique_ptr<TcpConnection>>* owner = nullptr;

    void on_data(TcpConnection& connection, ByteBuffer& input) override {
        bytes_from[&connection] += input.size();
        connection.send(input.readable());
        input.consume(input.size());
    }
    void on_end(TcpConnection&) override { events.push_back("end"); }
    void on_close(TcpConnection& connection) override {
        events.push_back("close");
        owner->erase(&connection);   // destroyed inside its own event, as with functions
    }
};

}   // namespace

TEST_CASE("one TcpObserver serves many connections and is told which one speaks",
          "[net][tcp][handler][integration]") {
    const std::string poller = GENERATE(from_range(poller::available_pollers()));
    CAPTURE(poller);
    loop::EventLoop loop{poller};
    std::unordered_map<TcpConnection*, std::unique_ptr<TcpConnection>> connections;
    CountingEcho handler;
    handler.owner = &connections;
    auto listener = TcpListener::bind(loop, Address::loopback(0)).value();
    REQUIRE(listener.start([&](std::unique_ptr<TcpConnection> accepted) {
        accepted->set_observer(handler);
        CHECK(accepted->start());
        TcpConnection* raw = accepted.get();
        connections.emplace(raw, std::move(accepted));
    }));

    auto first = connect_now(loop, listener.local_address());
    auto second = connect_now(loop, listener.local_address());
    Recorder first_got;
    Recorder second_got;
    first_got.attach(*first);
    second_got.attach(*second);
    REQUIRE(first->start());
    REQUIRE(second->start());
    first->send("abc");
    second->send("defgh");
    REQUIRE(loop.run_until(
        [&] { return first_got.received == "abc" && second_got.received == "defgh"; }, 10s));
    std::vector<std::size_t> counts;
    for (const auto& [connection, bytes] : handler.bytes_from) counts.push_back(bytes);
    std::sort(counts.begin(), counts.end());
    CHECK(counts == std::vector<std::size_t>{3, 5});

    first->close();
    second->close();
    REQUIRE(loop.run_until([&] { return connections.empty(); }, 10s));
    CHECK(std::count(handler.events.begin(), handler.events.end(), "close") == 2);
}

TEST_CASE("set_observer() inside an on_data function takes over from the next byte",
          "[net][tcp][handler][integration]") {
    // What a WebSocket does when it takes a connection over from the HTTP server: the
    // function that is running is replaced, and must stay alive until it returns.
    const std::string poller = GENERATE(from_range(poller::available_pollers()));
    CAPTURE(poller);
    loop::EventLoop loop{poller};
    std::unordered_map<TcpConnection*, std::unique_ptr<TcpConnection>> connections;
    CountingEcho handler;
    handler.owner = &connections;
    std::string seen_by_function;
    auto listener = TcpListener::bind(loop, Address::loopback(0)).value();
    REQUIRE(listener.start([&](std::unique_ptr<TcpConnection> accepted) {
        TcpConnection* raw = accepted.get();
        std::string captured = "kept alive while running";
        raw->on(events::data, [&, raw, captured](ByteBuffer& input) {
            seen_by_function += input.readable_text();
            input.consume(input.size());
            raw->set_observer(handler);
            CHECK(captured == "kept alive while running");   // our lambda still exists
        });
        CHECK(raw->start());
        connections.emplace(raw, std::move(accepted));
    }));
    Recorder got;
    auto client = connect_recorded(loop, listener.local_address(), got);
    client->send("hello");
    REQUIRE(loop.run_until([&] { return !seen_by_function.empty(); }, 10s));
    client->send("world");
    REQUIRE(loop.run_until([&] { return got.received == "world"; }, 10s));
    CHECK(seen_by_function == "hello");
    client->close();
    REQUIRE(loop.run_until([&] { return connections.empty(); }, 10s));
}

TEST_CASE("cork() gathers sends made outside on_data until the last uncork()",
          "[net][tcp][cork][integration]") {
    const std::string poller = GENERATE(from_range(poller::available_pollers()));
    CAPTURE(poller);
    loop::EventLoop loop{poller};
    Connected pair{loop};
    TcpConnection& connection = *pair.server.connection;
    Recorder& received = pair.received;

    connection.cork();
    connection.cork();   // corks nest
    CHECK(connection.is_gathering());
    CHECK(connection.send("one "));
    CHECK(connection.send("two ", "three"));
    CHECK(connection.pending_output() == 13);   // nothing written yet
    connection.uncork();
    CHECK(connection.pending_output() == 13);   // one cork is still on
    connection.uncork();
    CHECK_FALSE(connection.is_gathering());
    CHECK(connection.pending_output() == 0);   // all of it in one send()
    receive_until(loop, received, 13);
    CHECK(received.received == "one two three");
}

TEST_CASE("cork_until_next_phase() sends what a turn gathered in the loop's next phase",
          "[net][tcp][cork][integration]") {
    const std::string poller = GENERATE(from_range(poller::available_pollers()));
    CAPTURE(poller);
    loop::EventLoop loop{poller};
    Connected pair{loop};
    TcpConnection& connection = *pair.server.connection;
    Recorder& received = pair.received;

    std::optional<std::size_t> pending_in_timer;
    std::optional<std::size_t> pending_in_next_phase;
    loop.set_timeout(0ms, [&] {
        for (int i = 0; i < 4; ++i) {
            connection.cork_until_next_phase();   // once per turn is enough; more do nothing
            CHECK(connection.send(fmt::format("tick {}\n", i)));
        }
        pending_in_timer = connection.pending_output();
        // Posted after the uncork: runs right after it, in the same "next" phase.
        loop.post_next([&] { pending_in_next_phase = connection.pending_output(); });
    });
    receive_until(loop, received, 4 * 7);
    CHECK(pending_in_timer == std::optional<std::size_t>{4 * 7});
    CHECK(pending_in_next_phase == std::optional<std::size_t>{0});
    CHECK(received.received == "tick 0\ntick 1\ntick 2\ntick 3\n");
    CHECK_FALSE(connection.is_gathering());
}

TEST_CASE("a corked connection closed or destroyed before its next phase is safe",
          "[net][tcp][cork][integration]") {
    const std::string poller = GENERATE(from_range(poller::available_pollers()));
    CAPTURE(poller);
    loop::EventLoop loop{poller};
    Connected pair{loop};
    auto& server = pair.server;
    Recorder& received = pair.received;
    SECTION("close() sends what was gathered, then the FIN") {
        server.connection->cork_until_next_phase();
        CHECK(server.connection->send("last words"));
        server.connection->close();
        CHECK_FALSE(server.connection->send("too late"));
        REQUIRE(loop.run_until([&] { return received.saw("end"); }, 10s));
        CHECK(received.received == "last words");
    }
    SECTION("destroyed: the posted uncork finds it gone") {
        server.connection->cork_until_next_phase();
        CHECK(server.connection->send("dropped"));
        server.connection.reset();
        REQUIRE(loop.run_until([&] { return received.closed(); }, 10s));
        CHECK(received.received.empty());
    }
}

TEST_CASE("replies gathered in on_data that the kernel cannot take at all leave once it can",
          "[net][tcp][cork][integration]") {
    const std::string poller = GENERATE(from_range(poller::available_pollers()));
    CAPTURE(poller);
    loop::EventLoop loop{poller};
    std::size_t filled = 0;
    AcceptOne server{
        loop, [&](TcpConnection& connection) {
            connection.on(events::data, [&](ByteBuffer& input) {
                input.consume(input.size());
                // Fill the kernel's buffers behind the connection's back, so the
                // gathered reply's one send() below takes nothing (EAGAIN).
                const int small = 4096;
                ::setsockopt(connection.fd(), SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
                const std::string block(16 * 1024, 'x');
                for (;;) {
                    const ssize_t sent =
                        ::send(connection.fd(), block.data(), block.size(), MSG_NOSIGNAL);
                    if (sent <= 0) break;
                    filled += static_cast<std::size_t>(sent);
                }
                CHECK(connection.send("reply"));
            });
        }};
    Recorder received;
    auto client = say_go(loop, server.address(), received);
    // The client reads the filler; the server must then notice "writable" by itself.
    REQUIRE(loop.run_until(
        [&] { return filled > 0 && received.received.size() >= filled + 5 || received.closed(); },
        10s));
    CHECK(received.received.size() == filled + 5);
    CHECK(received.received.substr(filled) == "reply");
    CHECK(server.connection->pending_output() == 0);
}
