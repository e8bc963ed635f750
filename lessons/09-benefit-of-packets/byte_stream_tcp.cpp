// lessons/09-benefit-of-packets/byte_stream_tcp.cpp
//
// TCP delivers a stream of bytes. The boundaries of your send() calls are not in it: three
// small writes can come out of one read, and one big write out of many. Framing (here: a
// length in front of each message, the lesson kit's length_prefix.hpp) is how messages
// survive the trip.
#include "packets_lesson.hpp"

#include "looplab/lesson/length_prefix.hpp"
#include "looplab/net/tcp_connection.hpp"
#include "looplab/net/tcp_connector.hpp"
#include "looplab/net/tcp_listener.hpp"

#include <memory>
#include <string>
#include <vector>

namespace packets {
namespace {

namespace net = looplab::net;
namespace events = looplab::events;
using lesson::FrameReader;     // the framing lives in the lesson kit: lesson 14 frames the same way
using lesson::frame_message;

// A connected pair on this loop: `client` writes, `server` counts its reads.
struct StreamPair {
    net::TcpListener listener;
    net::TcpConnector connector;
    std::unique_ptr<net::TcpConnection> client;
    std::unique_ptr<net::TcpConnection> server;
    std::vector<std::size_t> read_sizes;   // one entry per read the server did
    std::string received;

    explicit StreamPair(EventLoop& loop)
        : listener([&loop] {
              auto bound = net::TcpListener::bind(loop, net::Address::loopback(0));
              if (!bound) lesson::fail(bound.error());
              return std::move(*bound);
          }()),
          connector(loop) {
        must(listener.start([this](std::unique_ptr<net::TcpConnection> accepted) {
            server = std::move(accepted);
            must(server->start());
        }));
        connector.connect(listener.local_address(), [this](auto made) {
            if (!made) lesson::fail(made.error());
            client = std::move(*made);
            // Send each write at once instead of batching small ones (Nagle's algorithm), so
            // the three writes really are three segments on the wire.
            must(client->set_no_delay(true));
            must(client->start());
        });
        wait_for(loop, [this] { return client && server; }, "the connection");
    }

    // From now on every read of the server goes through `on_read` too.
    void count_reads(std::function<void(net::ByteBuffer&)> on_read) {
        server->on(events::data, [this, on_read = std::move(on_read)](net::ByteBuffer& input) {
            read_sizes.push_back(input.size());
            on_read(input);
        });
    }
};

std::string big_message() {
    std::string text(200'000, ' ');
    for (std::size_t i = 0; i < text.size(); ++i) text[i] = static_cast<char>('a' + i % 26);
    return text;
}

std::string reads_text(std::size_t reads, const lesson::Options& options) {
    if (options.demo) return reads > 1 ? "several reads (how many changes from run to run)" : "1 read";
    return fmt::format("{} read{}", reads, reads == 1 ? "" : "s");
}

}  // namespace

void show_byte_stream(EventLoop& loop, const lesson::Options& options) {
    StreamPair pair{loop};
    pair.count_reads([&pair](net::ByteBuffer& input) { pair.received += input.take(input.size()); });

    lesson::say("client: send(\"apple\"), send(\"banana\"), send(\"cherry\"): three writes");
    lesson::say("how many reads will the server need, and what will each one hold? (predict first)");
    pair.client->send("apple");
    pair.client->send("banana");
    pair.client->send("cherry");
    wait_for(loop, [&pair] { return pair.received.size() == 17; }, "17 bytes");

    options.step("The answer: a stream of bytes, no boundaries");
    lesson::say("server: {} read{}: \"{}\"", pair.read_sizes.size(), pair.read_sizes.size() == 1 ? "" : "s",
                pair.received);
    lesson::say("where does \"apple\" end? The stream does not say: the boundaries are gone");

    const std::string big = big_message();
    pair.received.clear();
    pair.read_sizes.clear();
    lesson::say("client: one send() of {} bytes", big.size());
    pair.client->send(big);
    wait_for(loop, [&] { return pair.received.size() == big.size(); }, "the big message");
    lesson::say("server: the same bytes, in {}", reads_text(pair.read_sizes.size(), options));
}

void show_framing(EventLoop& loop, const lesson::Options& options) {
    StreamPair pair{loop};
    FrameReader reader;
    std::vector<std::string> messages;
    pair.count_reads([&](net::ByteBuffer& input) {
        if (reader.feed(input.readable(), messages)) lesson::fail("a framing error on our own stream");
        input.consume(input.size());
    });

    lesson::say("client: each message goes out as [4-byte length][bytes]: 4+5, 4+6, 4+6 bytes");
    for (const char* fruit : {"apple", "banana", "cherry"}) pair.client->send(frame_message(fruit));
    wait_for(loop, [&] { return messages.size() == 3; }, "three messages");
    lesson::say("server: {} read{} of {} bytes -> {} messages: \"{}\", \"{}\", \"{}\"",
                pair.read_sizes.size(), pair.read_sizes.size() == 1 ? "" : "s",
                pair.read_sizes.front(), messages.size(), messages[0], messages[1], messages[2]);

    const std::string big = big_message();
    messages.clear();
    pair.read_sizes.clear();
    pair.client->send(frame_message(big));
    wait_for(loop, [&] { return messages.size() == 1; }, "the big message");
    lesson::say("the {}-byte message, framed: {} -> 1 message, intact: {}", big.size(),
                reads_text(pair.read_sizes.size(), options), messages[0] == big ? "yes" : "NO");
}

}  // namespace packets
