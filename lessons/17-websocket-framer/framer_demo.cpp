// lessons/17-websocket-framer/framer_demo.cpp
//
// WebSocket, byte by byte: a C++ client talks to a C++ server over TCP on 127.0.0.1 and the
// lesson shows what travels. The handshake computed by hand, frames in annotated hex, the
// masking XOR, a fragmented message with a ping in the middle, ping/pong, and the closing
// handshake. Read with notes/17-websocket-framer.md.
//
// Both ends share one loop. Each step sends one thing and waits (loop.run_until) for what it
// causes, so the prints of the two ends come in the same order on every run.
#include "framer_lesson.hpp"

#include "looplab/codec/base64.hpp"
#include "looplab/codec/sha1.hpp"
#include "looplab/lesson/lesson.hpp"
#include "looplab/ws/frame_encoder.hpp"
#include "looplab/ws/handshake.hpp"

#include <algorithm>
#include <chrono>
#include <functional>
#include <string>

using namespace looplab;
using namespace std::chrono_literals;

namespace {

// Turns the loop until `done` (at most 5 s, so a mistake cannot hang the lesson).
void wait_for(loop::EventLoop& loop, std::string_view what, const std::function<bool()>& done) {
    if (!loop.run_until(done, 5000ms))
        lesson::fail(fmt::format("{} did not happen within 5 s", what));
}

// Step 1, by hand: what ws::compute_accept_key() does, one stage per line.
void compute_accept_by_hand(std::string_view key, bool is_rfc_sample) {
    const std::string joined = std::string{key} + std::string{ws::kWebSocketGuid};
    const codec::Sha1Digest digest = codec::sha1(joined);
    const std::string accept = codec::base64_encode(std::span<const std::uint8_t>{digest});
    lesson::say("the client picks a key: 16 random bytes, written in Base64{}",
                is_rfc_sample ? " (--demo: the sample key of RFC 6455)" : "");
    lesson::say("  Sec-WebSocket-Key     {}", key);
    lesson::say("the server appends the GUID of RFC 6455 (the same for every server in the world)");
    lesson::say("  key + GUID            {}", joined);
    lesson::say("hashes that text with SHA-1 (20 bytes)");
    lesson::say("  SHA-1, in hex         {}", codec::to_hex(digest));
    lesson::say("and writes the 20 bytes in Base64");
    lesson::say("  Sec-WebSocket-Accept  {}", accept);
    lesson::say("ws::compute_accept_key() gives the same: {}",
                ws::compute_accept_key(key) == accept ? "yes" : "NO");
}

}   // namespace

int main(int argc, char** argv) {
    const auto options = lesson::parse(argc, argv, "lesson-17");
    lesson::TraceSession tracing{options};
    loop::EventLoop loop{options.poller};
    framer::EchoServer server{loop};
    framer::EchoClient client{loop};

    // --demo uses the RFC's sample values, so every byte below can be checked against the RFC:
    // its handshake key, and its masking key for the frames the lesson writes itself. A real
    // client draws both at random.
    const std::string key =
        options.demo ? std::string{framer::kRfcSampleKey} : ws::random_client_key();
    ws::MaskingKeySource masking_keys;   // empty: ws::RandomMaskingKeys
    if (options.demo) masking_keys = [] { return framer::kRfcMaskingKey; };
    ws::FrameEncoder encoder{ws::Role::Client, masking_keys};

    // 1. The opening handshake: first computed by hand, then for real over TCP. The server
    //    proves it read the key; after the 101 answer the connection carries frames.
    options.step("The opening handshake: key -> SHA-1 -> Base64");
    compute_accept_by_hand(key, options.demo);
    if (auto listening = server.listen(net::Address::loopback(0)); !listening)
        lesson::fail(listening.error());
    const std::string host = fmt::format("localhost:{}", server.address().port());
    lesson::say("");
    lesson::say("now for real: the C++ server listens on {}, the C++ client connects",
                options.label_as(server.address(), "127.0.0.1:PORT"));
    client.open(server.address(), host, options.label_as(host, "localhost:PORT"), key);
    wait_for(loop, "the handshake", [&] { return client.is_open() || client.failure(); });
    if (client.failure()) lesson::fail(*client.failure());

    // 2. One frame, byte by byte. The client masks; the server unmasks, and answers unmasked.
    options.step("One frame in hex: \"Hello\" there and back");
    client.dump_frames = true;
    std::string hello;
    encoder.append(hello, ws::Opcode::Text, "Hello");
    ws::MaskingKey hello_key{};
    std::copy_n(hello.begin() + 2, 4, hello_key.begin());   // bytes 2-5: the key it drew
    lesson::say("client: sends the text \"Hello\" in one frame, masked with the key {}{}",
                framer::hex(std::string_view{hello}.substr(2, 4)),
                options.demo ? " (RFC 6455 §5.7)" : "");
    framer::print_frame(hello);
    lesson::say("masking: payload byte i XOR key byte i % 4 (the server XORs again to undo it)");
    framer::print_masking("Hello", hello_key);
    lesson::say("why: a browser script chooses the payload but not the key, so it cannot choose");
    lesson::say("     the bytes a proxy on the way sees (RFC 6455 §10.3; see the note)");
    client.send_raw(hello);
    wait_for(loop, "the echo of \"Hello\"", [&] { return client.seen().messages == 1; });

    // The length field's three forms, from the server's echoes: 7 bits up to 125, then 126 +
    // 2 bytes, then 127 + 8 bytes. (The client's own frames use random keys: not dumped.)
    lesson::say("");
    lesson::say("the length takes 7 bits (0-125), or 126 + 16 bits, or 127 + 64 bits;");
    lesson::say("the client sends 125, 126 and 65536 bytes, and the echoes show each form:");
    for (const std::size_t size : {std::size_t{125}, std::size_t{126}, std::size_t{65536}}) {
        const std::size_t before = client.seen().messages;
        client.socket().send_binary(std::string(size, 'x'));
        wait_for(loop, "a binary echo", [&] { return client.seen().messages == before + 1; });
    }

    // 3. One message in three frames, with a ping between them. Frames written by hand: the
    //    WebSocket API sends a message whole and would never put a ping in the middle.
    options.step("A message in three fragments, with a ping in the middle");
    client.dump_frames = false;
    struct Piece {
        ws::Opcode opcode;
        std::string_view payload;
        bool fin;
        std::string_view what;
    };
    const Piece pieces[] = {
        {ws::Opcode::Text, "Hel", false, "the first fragment: opcode text, FIN=0"},
        {ws::Opcode::Ping, "in the middle", true, "a ping, between two fragments"},
        {ws::Opcode::Continuation, "lo, ", false, "a continuation, FIN=0"},
        {ws::Opcode::Continuation, "world", true, "the last continuation, FIN=1"},
    };
    const std::size_t messages_before = client.seen().messages;
    for (const Piece& piece : pieces) {
        std::string frame;
        encoder.append(frame, piece.opcode, piece.payload, piece.fin);
        lesson::say("client: sends {}: {}", piece.what, framer::hex_fields(frame));
        const std::size_t frames_before = server.seen().frames;
        const std::size_t pongs_before = client.seen().pongs;
        client.send_raw(frame);
        // A ping is done when its pong is back; a fragment when the server has parsed it.
        wait_for(loop, "the server's reading of a frame", [&] {
            return piece.opcode == ws::Opcode::Ping ? client.seen().pongs == pongs_before + 1
                                                    : server.seen().frames == frames_before + 1;
        });
    }
    wait_for(loop, "the echo of the joined message",
             [&] { return client.seen().messages == messages_before + 1; });

    // 4. Ping and pong, both ways. Whoever gets a ping answers with a pong by itself.
    options.step("Ping and pong");
    client.dump_frames = true;
    lesson::say("client: socket.ping(\"are you there?\")");
    client.socket().ping("are you there?");
    wait_for(loop, "the pong for the client's ping", [&] { return client.seen().pongs == 2; });
    lesson::say("server: socket.ping(\"heartbeat\")");
    server.ping_everyone("heartbeat");
    wait_for(loop, "the pong for the server's ping", [&] { return server.seen().pongs == 1; });

    // 5. The closing handshake: the client sends Close(1000, "bye"), the server echoes it and
    //    closes TCP first, the client closes on end of stream.
    options.step("The closing handshake: 1000 \"bye\"");
    lesson::say("client: socket.close(1000, \"bye\"): sends a close frame and waits for the echo");
    client.socket().close(ws::CloseCode::Normal, "bye");
    lesson::say("client: send_text(\"too late\") now returns {}: no data after a close frame",
                client.socket().send_text("too late"));
    wait_for(loop, "the closing handshake",
             [&] { return client.seen().closes == 1 && server.seen().closes == 1; });
    server.stop();
    lesson::say("server: connections left: {}", server.connection_count());
    return 0;
}
