// looplab/net/udp_socket.hpp
//
// UdpSocket — one UDP socket on the loop: datagrams in (each with the address it came from),
// datagrams out (each to the address you name). No listen, no accept, no connection.
// Teaches: UDP is connectionless (lesson 10): one socket answers every sender; a datagram
// keeps its boundaries (lesson 09); a send to nobody "succeeds".
// Run: lessons/10-udp-is-connectionless   Read: notes/10-udp-is-connectionless.md
//
//     auto socket = UdpSocket::bind(loop, Address::loopback(4950));
//     auto started = socket->start([&](const Datagram& d) {
//         (void)socket->send_to(d.from, d.bytes);       // answer whoever sent it
//     });
//
// Events (on(word, listener), once(...), off(id), as on every handle):
//   events::message (const Datagram&)   a datagram arrived. The function given to start() is
//                                       one such listener (Node's dgram.createSocket(type,
//                                       listener) does the same); add more with on().
//   events::error (const Error&)        a receive failed; the socket keeps working.
//
// Errors the network sends back (an ICMP "port unreachable" after sending to a port nobody
// listens on) reach only a CONNECTED socket (connect() below), and only on a LATER call:
// the next receive reports it to the error listeners ("recvmsg 127.0.0.1:9: Connection refused"),
// or the next send() returns it — whichever comes first. An unconnected socket never hears of it.
//
// Lifetime: the one rule, include/looplab/README.md. stop() is this socket's close(): it
// may be called twice, and from inside any of its listeners. Move a UdpSocket only before
// start(): the loop holds a pointer to it from then on.
//
// Contract: loop thread only.
#pragma once

#include "looplab/core/result.hpp"
#include "looplab/events/event_words.hpp"
#include "looplab/events/typed_listeners.hpp"
#include "looplab/core/unique_fd.hpp"
#include "looplab/loop/event_loop.hpp"
#include "looplab/net/address.hpp"
#include "looplab/net/lifetime_flag.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

namespace looplab::net {

// The largest UDP payload over IPv4 (65535 − 20 bytes of IP header − 8 of UDP header), and
// the size of our receive buffer. Longer datagrams (only IPv6 can carry them) arrive cut to
// this size with Datagram::truncated set; sending a longer one fails with EMSGSIZE.
inline constexpr std::size_t kUdpMaxDatagramSize = 65507;
// Most datagrams read per readiness; the rest are read next turn, so a flood on one socket
// cannot starve everything else on the loop.
inline constexpr std::size_t kUdpMaxDatagramsPerTurn = 64;

// One received datagram. `bytes` points into the socket's receive buffer: valid only during
// the on_datagram call (copy what you keep).
struct Datagram {
    Address from;
    std::span<const std::uint8_t> bytes;
    // The datagram was longer than the receive buffer (set_max_datagram) and its tail is gone:
    // UDP never delivers the rest later.
    bool truncated = false;

    std::string_view text() const {
        return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
    }
};

class UdpSocket : public events::Listenable<UdpSocket> {
public:
    using OnDatagram = std::function<void(const Datagram&)>;
    using Listeners = events::TypedListeners<events::Event<events::MessageWord, const Datagram&>,
                                             events::Event<events::ErrorWord, const Error&>>;

    // socket + bind, non-blocking and close-on-exec. Port 0: the OS picks one. Datagrams
    // wait in the kernel until start() begins receiving them on `loop`.
    [[nodiscard]] static Result<UdpSocket> bind(loop::EventLoop& loop, const Address& where);

    UdpSocket(UdpSocket&& other) noexcept;
    UdpSocket& operator=(UdpSocket&&) = delete;
    UdpSocket(const UdpSocket&) = delete;
    UdpSocket& operator=(const UdpSocket&) = delete;
    ~UdpSocket();

    // Starts delivering datagrams: `on_datagram` becomes a listener of events::message (after
    // stop(), start() again replaces the one the first start() added). `site` (your line,
    // filled in for you) is where the live view (--watch) says this socket's events come from.
    [[nodiscard]] Status start(OnDatagram on_datagram, SourceSite site = SourceSite::here());
    void stop();
    // Receive errors, e.g. ECONNREFUSED on a connected socket. The socket keeps working.
    // (Listen with on(events::error, listener), once(), off(): events::Listenable.)

    // One datagram to `to`. UDP does not wait or retry: a full send buffer is an error
    // (EAGAIN) and the datagram is not sent; success means "handed to the kernel", not
    // "delivered".
    [[nodiscard]] Status send_to(const Address& to, std::span<const std::uint8_t> bytes);
    [[nodiscard]] Status send_to(const Address& to, std::string_view text);

    // Fixes the peer: send() goes there, only its datagrams are received, and ICMP errors
    // are reported (see the top of this file). No packet is exchanged.
    [[nodiscard]] Status connect(const Address& peer);
    [[nodiscard]] Status send(std::span<const std::uint8_t> bytes);   // after connect() only
    [[nodiscard]] Status send(std::string_view text);

    // Receive buffer size, 1..kUdpMaxDatagramSize (the default). Longer datagrams are truncated.
    void set_max_datagram(std::size_t bytes);

    const Address& local_address() const { return local_; }
    // Set by connect(); empty while the socket takes datagrams from anyone.
    const std::optional<Address>& peer_address() const { return peer_; }
    int fd() const { return fd_.get(); }

    // What went through the kernel so far (the live view shows them).
    std::uint64_t datagrams_received() const { return datagrams_in_; }
    std::uint64_t datagrams_sent() const { return datagrams_out_; }

private:
    UdpSocket(loop::EventLoop& loop, UniqueFd fd, Address local)
        : loop_(loop), fd_(std::move(fd)), local_(local) {}
    friend class events::Listenable<UdpSocket>;
    Listeners& listeners();
    Listeners* existing_listeners() { return listeners_.get(); }
    void report(const Error& error);
    void receive_batch(const loop::Ready& ready);
    Error receive_error(int code) const;
    void count_sent(const Address& to, std::size_t bytes);
    // The live view's picture of this socket (EventLoop::describe_socket).
    static void describe(const void* socket, trace::SocketView& view);

    loop::EventLoop& loop_;
    UniqueFd fd_;
    Address local_;
    std::optional<Address> peer_;
    // On the heap, so that a listener destroying its socket keeps running (LifetimeFlag::retire).
    std::unique_ptr<Listeners> listeners_;                      // made by start() or on()
    events::ListenerId start_listener_ = events::kNoListener;   // the one start() added
    std::unique_ptr<std::uint8_t[]> receive_buffer_;            // allocated by start()
    std::size_t max_datagram_ = kUdpMaxDatagramSize;
    bool is_started_ = false;
    LifetimeFlag lifetime_;
    std::uint64_t datagrams_in_ = 0;
    std::uint64_t datagrams_out_ = 0;
    std::uint64_t bytes_in_ = 0;
    std::uint64_t bytes_out_ = 0;
    std::optional<Address> last_peer_;   // heard from or sent to last
};

}   // namespace looplab::net
