// lessons/13-server-and-client/relay.hpp
//
// A relay is both a server and a client, on one loop: it ACCEPTS clients, and for each one it
// CONNECTS upstream and pipes bytes both ways.
//
//   source (client A) ──► [ relay: server role | client role ] ──► sink (upstream server)
//
// Backpressure: when the sink reads slowly, bytes pile up in the relay's output towards it.
// At the high watermark the relay stops READING from the client; the client's kernel buffers
// fill, TCP's window closes, and the client's own writes back up until IT reaches its high
// watermark and stops producing. When the relay's output drains to the low watermark it reads
// again. Slowness travels back to the source, and no buffer grows without bound.
//
//   relay_server_tcp.cpp   the relay (both roles)
//   sink_server_tcp.cpp    the upstream server: echoes, or reads slowly
//   source_client_tcp.cpp  the client: a greeting, or bytes as fast as it may
#pragma once

#include "looplab/lesson/lesson.hpp"
#include "looplab/loop/event_loop.hpp"
#include "looplab/net/address.hpp"
#include "looplab/net/lifetime_flag.hpp"
#include "looplab/net/tcp_connection.hpp"
#include "looplab/net/tcp_connector.hpp"
#include "looplab/net/tcp_listener.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace relay {

namespace lesson = looplab::lesson;
namespace net = looplab::net;
namespace events = looplab::events;
using looplab::loop::EventLoop;

// Kernel buffers kept small on purpose, so the backlog shows up in OUR buffers, where the
// program can watch it (the kernel doubles the value it is given).
inline constexpr int kSmallKernelBuffer = 32 * 1024;
// The relay's watermarks on its output towards the sink.
inline constexpr std::size_t kRelayHighWatermark = 256 * 1024;
inline constexpr std::size_t kRelayLowWatermark = 64 * 1024;
// The source writes this much per turn of the loop.
inline constexpr std::size_t kSourceChunk = 16 * 1024;

void wait_for(EventLoop& loop, const std::function<bool()>& done, std::string_view what);
using lesson::must;   // a set-up step that has to work: fail() with its error if it did not
void shrink_kernel_buffers(const net::TcpConnection& connection);
// Byte number `i` of the stream the source sends (the sink checks the order with it).
inline std::uint8_t stream_byte(std::size_t i) { return static_cast<std::uint8_t>(i * 31 + i / 4096); }

class Relay {
public:
    struct Stats {
        std::size_t pauses = 0;       // times reading from the client was stopped
        std::size_t most_waiting = 0; // most bytes ever waiting in the relay for the sink
    };

    Relay(EventLoop& loop, const lesson::Options& options, net::Address upstream, bool backpressure);
    const net::Address& address() const { return listener_.local_address(); }
    bool is_piping() const { return !pipes_.empty() && pipes_.back()->upstream != nullptr; }
    const Stats& stats() const { return stats_; }

private:
    struct Pipe {
        std::string name;                                // "client A"
        std::unique_ptr<net::TcpConnection> client;      // accepted: the server role
        std::unique_ptr<net::TcpConnection> upstream;    // connected: the client role
    };
    void on_client(std::unique_ptr<net::TcpConnection> client);
    void on_upstream(Pipe& pipe, std::unique_ptr<net::TcpConnection> upstream);
    void wire_backpressure(Pipe& pipe);

    const lesson::Options& options_;
    net::Address upstream_address_;
    bool has_backpressure_;
    net::TcpListener listener_;
    net::TcpConnector connector_;
    std::vector<std::unique_ptr<Pipe>> pipes_;
    Stats stats_;
};

// The upstream server. Echo: sends back what it reads. SlowReader: reads one chunk, then
// looks away for kSlowReadPause, and checks the bytes are the source's stream, in order.
class Sink {
public:
    enum class Mode { Echo, SlowReader };
    static constexpr looplab::Millis kSlowReadPause{5};

    Sink(EventLoop& loop, Mode mode);
    ~Sink();
    const net::Address& address() const { return listener_.local_address(); }
    std::size_t received() const { return received_; }
    bool is_in_order() const { return is_in_order_; }

private:
    void on_data(net::TcpConnection& connection, net::ByteBuffer& input);

    EventLoop& loop_;
    Mode mode_;
    net::TcpListener listener_;
    std::unique_ptr<net::TcpConnection> connection_;
    looplab::loop::TimerId pause_timer_ = 0;
    std::size_t received_ = 0;
    bool is_in_order_ = true;
};

// The client. say_hello(): one line, and keeps the answer. send_fast(): `total` bytes, one
// chunk per turn, stopping at its own high watermark and going on when it drains.
class Source {
public:
    explicit Source(EventLoop& loop) : loop_(loop), connector_(loop) {}
    void connect(const net::Address& relay);
    bool is_connected() const { return connection_ != nullptr; }
    void send_line(std::string_view line) { connection_->send(line); }
    const std::string& heard() const { return heard_; }
    void send_fast(std::size_t total);
    std::size_t high_watermarks() const { return high_watermarks_; }

private:
    void schedule();
    void produce();

    EventLoop& loop_;
    net::TcpConnector connector_;
    std::unique_ptr<net::TcpConnection> connection_;
    std::string heard_;
    std::size_t total_ = 0;
    std::size_t sent_ = 0;
    std::size_t high_watermarks_ = 0;
    bool is_paused_ = false;
    bool is_scheduled_ = false;
    net::LifetimeFlag lifetime_;   // a posted produce() must not run after we are gone
};

}  // namespace relay
