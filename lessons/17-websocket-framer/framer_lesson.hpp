// lessons/17-websocket-framer/framer_lesson.hpp
//
// What the files of lesson 17 share:
//
//   frame_dump.cpp       prints a frame's bytes field by field (annotated hex) and the masking
//                        XOR byte by byte
//   echo_server_ws.cpp   EchoServer: an http::Server whose upgrade requests become WebSockets
//                        that echo every message, printing each frame it parsed
//   echo_client_ws.cpp   EchoClient: TCP connect, the upgrade request written with a key WE
//                        choose (the RFC's sample key in --demo), then a client-role WebSocket
//   framer_demo.cpp      main(): the five steps, one after the other, on one loop
//
// Both ends run on the same loop and print as things happen. The demo sends one thing and
// waits for its consequence before sending the next, so every print follows from the one
// before it: the transcript is the same on every run and every poller.
#pragma once

#include "looplab/core/error.hpp"
#include "looplab/core/result.hpp"
#include "looplab/http/server.hpp"
#include "looplab/loop/event_loop.hpp"
#include "looplab/net/address.hpp"
#include "looplab/net/tcp_connector.hpp"
#include "looplab/ws/frame.hpp"
#include "looplab/ws/web_socket_connection.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace framer {

// The sample key of RFC 6455 §1.3 and §4.2.2: its accept value is printed in the RFC, so
// step 1 can be checked by hand.
inline constexpr std::string_view kRfcSampleKey = "dGhlIHNhbXBsZSBub25jZQ==";
// The masking key of the examples in RFC 6455 §5.7 ("Hello", masked: 81 85 37 fa 21 3d ...).
inline constexpr looplab::ws::MaskingKey kRfcMaskingKey{0x37, 0xfa, 0x21, 0x3d};

// ---- frame_dump.cpp --------------------------------------------------------------------------

// "37 fa 21 3d": two lowercase hex digits per byte, separated by spaces.
std::string hex(std::string_view bytes);

// A frame on one line, its parts apart: "01 83 | 37 fa 21 3d | 7f 9f 4d" (header | masking
// key | payload). Long payloads show their first bytes and "...".
std::string hex_fields(std::string_view frame);

// A frame's bytes, one field per line, each with what it means:
//   81                          byte 0 = 1 000 0001: FIN=1, RSV=000, opcode=1 (text)
//   85                          byte 1 = 1 0000101: MASK=1, length=5
//   37 fa 21 3d                 masking key
//   7f 9f 4d 51 58              payload, masked ("Hello" once unmasked)
// `frame` is one whole frame exactly as it travels (payload masked if MASK=1).
void print_frame(std::string_view frame);

// The masking of `plain` with `key`, byte by byte: payload, key[i % 4], XOR = on the wire.
void print_masking(std::string_view plain, looplab::ws::MaskingKey key);

// What a payload says, in a few words: "\"Hello\"" for short printable text, "code 1000
// (normal), reason \"bye\"" for a close frame, "(65536 bytes)" for anything else.
std::string describe_payload(looplab::ws::Opcode opcode, std::string_view payload);

// ---- what each end has seen: the demo waits on these counters ------------------------------

struct Seen {
    std::size_t frames = 0;     // every frame parsed, data and control
    std::size_t messages = 0;   // whole messages (fragments joined)
    std::size_t pings = 0;
    std::size_t pongs = 0;
    std::size_t closes = 0;   // on_close ran (0 or 1 per connection)
};

// ---- echo_server_ws.cpp ----------------------------------------------------------------------

// The lesson's server: HTTP on a port; a request with `Upgrade: websocket` is checked by
// ws::accept_upgrade() and becomes a server-role WebSocket that echoes every message.
class EchoServer {
public:
    explicit EchoServer(looplab::loop::EventLoop& loop);

    [[nodiscard]] looplab::Status listen(const looplab::net::Address& where);
    const looplab::net::Address& address() const { return http_.local_address(); }

    // Sends a ping to every connected client (each answers with a pong by itself).
    void ping_everyone(std::string_view payload);
    // Stops accepting new connections.
    void stop() { http_.close(); }

    const Seen& seen() const { return seen_; }
    std::size_t connection_count() const { return clients_.size(); }

private:
    void upgrade(const looplab::http::Request& request,
                 std::unique_ptr<looplab::net::TcpConnection> tcp, std::string leftover);
    void on_frame(const looplab::ws::FrameInfo& frame);

    looplab::loop::EventLoop& loop_;
    looplab::http::Server http_;
    std::unordered_map<std::uint64_t, std::unique_ptr<looplab::ws::WebSocketConnection>> clients_;
    std::uint64_t next_id_ = 1;
    std::size_t data_frames_in_message_ = 0;   // fragments of the message being assembled
    Seen seen_;
};

// ---- echo_client_ws.cpp ----------------------------------------------------------------------

// The lesson's client: what a browser does for `new WebSocket(url)`, in the open. It makes
// the upgrade request itself (ws::WebSocketClient would pick a random key), so --demo can use
// the RFC's sample key, and prints the request and the answer.
class EchoClient {
public:
    explicit EchoClient(looplab::loop::EventLoop& loop) : loop_(loop), connector_(loop) {}

    // Connects to `server` and asks for ws://<host>/echo with `key`. Prints the request with
    // `host_shown` in place of `host` (a label in --demo: the real one holds a port number).
    void open(const looplab::net::Address& server, std::string host, std::string host_shown,
              std::string key);

    bool is_open() const { return connection_ != nullptr; }
    const std::optional<looplab::Error>& failure() const { return failure_; }

    // The client-role WebSocket: it masks every frame it sends with a fresh random key.
    looplab::ws::WebSocket& socket() { return connection_->socket(); }
    // Writes bytes the lesson encoded itself (a fixed masking key, a ping between fragments)
    // on the same connection, behind the WebSocket's back.
    void send_raw(std::string_view frame) { connection_->write(frame, {}); }

    // When set, every frame received is also printed field by field (print_frame).
    bool dump_frames = false;

    const Seen& seen() const { return seen_; }

private:
    void on_handshake_bytes(looplab::net::ByteBuffer& input);
    void become_web_socket(std::string leftover);
    void on_frame(const looplab::ws::FrameInfo& frame);

    looplab::loop::EventLoop& loop_;
    looplab::net::TcpConnector connector_;
    std::unique_ptr<looplab::net::TcpConnection> tcp_;   // during the handshake only
    std::unique_ptr<looplab::ws::WebSocketConnection> connection_;
    std::string key_;
    std::string received_;   // the answer's head, as it arrives
    std::optional<looplab::Error> failure_;
    Seen seen_;
};

}   // namespace framer
