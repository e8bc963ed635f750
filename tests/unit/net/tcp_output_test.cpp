// tests/unit/net/tcp_output_test.cpp — the output side of a TcpConnection on its own: the
// cork and its limit, the watermarks, and what write() keeps when the kernel refuses. A
// socketpair stands in for the TCP socket: no loop, no connection.
#include "looplab/core/unique_fd.hpp"
#include "looplab/net/tcp_output.hpp"

#include <catch2/catch.hpp>

#include <cerrno>
#include <cstdint>
#include <vector>

#include <sys/socket.h>
#include <unistd.h>

using looplab::UniqueFd;
using looplab::net::kTcpDefaultHighWatermark;
using looplab::net::kTcpMaxCorkedBytes;
using looplab::net::TcpOutput;

namespace {

// Two connected non-blocking stream sockets: `ours` is written, `peer` is read by the test.
struct SocketPair {
    SocketPair() {
        int fds[2];
        REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds) == 0);
        ours.reset(fds[0]);
        peer.reset(fds[1]);
    }
    // Everything the peer can read now.
    std::vector<std::uint8_t> read_all() {
        std::vector<std::uint8_t> bytes;
        std::uint8_t chunk[64 * 1024];
        ssize_t count;
        while ((count = ::read(peer.get(), chunk, sizeof chunk)) > 0)
            bytes.insert(bytes.end(), chunk, chunk + count);
        return bytes;
    }
    UniqueFd ours;
    UniqueFd peer;
};

// Bytes 0, 1, 2, ... from `start`, so a reordering or a loss shows.
std::vector<std::uint8_t> pattern(std::size_t size, std::size_t start = 0) {
    std::vector<std::uint8_t> bytes(size);
    for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<std::uint8_t>((start + i) % 251);
    return bytes;
}

// More than a local socket's buffer takes at once, so some of it must wait.
constexpr std::size_t kMoreThanTheKernelTakes = 4 * 1024 * 1024;

}   // namespace

TEST_CASE("corks nest: only the last uncork() asks for a write", "[net][tcp][output]") {
    TcpOutput output;
    CHECK_FALSE(output.is_gathering());
    output.cork();
    output.cork();
    CHECK(output.is_gathering());
    const std::vector<std::uint8_t> reply = pattern(10);
    REQUIRE(output.can_gather(reply.size()));
    output.gather(reply, {});
    CHECK(output.size() == 10);

    CHECK_FALSE(output.uncork());   // one cork is still on
    CHECK(output.is_gathering());
    CHECK(output.uncork());   // the last one: write the 10 bytes now
    CHECK_FALSE(output.is_gathering());

    output.cork();
    output.drop();
    CHECK_FALSE(output.uncork());   // nothing gathered, nothing to write
}

TEST_CASE("gathering stops at kTcpMaxCorkedBytes, or at a lower high watermark",
          "[net][tcp][output]") {
    TcpOutput output;
    CHECK_FALSE(output.can_gather(1));   // not corked: every send writes
    output.cork();
    CHECK(output.cork_limit() == kTcpMaxCorkedBytes);
    CHECK(output.can_gather(kTcpMaxCorkedBytes));
    CHECK_FALSE(output.can_gather(kTcpMaxCorkedBytes + 1));

    const std::vector<std::uint8_t> header = pattern(40);
    const std::vector<std::uint8_t> payload = pattern(60, 40);
    output.gather(header, payload);
    CHECK(output.size() == 100);
    CHECK(output.can_gather(kTcpMaxCorkedBytes - 100));
    CHECK_FALSE(output.can_gather(kTcpMaxCorkedBytes - 99));

    output.set_watermarks(10, 150);   // bytes past the high watermark must be reported
    CHECK(output.cork_limit() == 150);
    CHECK(output.can_gather(50));
    CHECK_FALSE(output.can_gather(51));
    static_assert(kTcpDefaultHighWatermark > kTcpMaxCorkedBytes);
}

TEST_CASE("cork_until_next_phase() corks once per turn, and not inside on_data",
          "[net][tcp][output]") {
    TcpOutput output;
    CHECK(output.cork_until_next_phase());
    CHECK_FALSE(output.cork_until_next_phase());   // the same turn: already corked
    output.gather(pattern(5), {});
    CHECK(output.uncork_at_next_phase());   // the last cork: write
    output.drop();
    CHECK(output.cork_until_next_phase());        // a new turn
    CHECK_FALSE(output.uncork_at_next_phase());   // nothing gathered

    TcpOutput::StackSpace stack_space;
    CHECK(output.gather_while_handling_input(stack_space));
    CHECK_FALSE(output.cork_until_next_phase());   // on_data's cork comes off sooner anyway
    output.stop_gathering_input();
}

TEST_CASE("the on_data cork gathers replies on the stack and writes them once",
          "[net][tcp][output]") {
    SocketPair sockets;
    TcpOutput output;
    TcpOutput::StackSpace stack_space;
    REQUIRE(output.gather_while_handling_input(stack_space));   // nothing pending: ours to write
    CHECK(output.is_gathering());
    const std::vector<std::uint8_t> replies = pattern(16 * 9);
    for (std::size_t i = 0; i < 16; ++i) {
        REQUIRE(output.can_gather(9));
        output.gather(std::span{replies}.subspan(i * 9, 9), {});
    }
    CHECK(sockets.read_all().empty());   // nothing written while on_data runs

    output.stop_gathering_input();
    REQUIRE(output.has_gathered_to_write());
    CHECK(output.flush(sockets.ours.get()).error == 0);
    output.give_back_stack_space();
    CHECK(output.empty());
    CHECK(output.bytes_sent() == replies.size());
    CHECK(sockets.read_all() == replies);

    SECTION("a cork() taken inside on_data keeps the replies until its uncork()") {
        REQUIRE(output.gather_while_handling_input(stack_space));
        output.cork();
        output.gather(pattern(3), {});
        output.stop_gathering_input();
        CHECK_FALSE(output.has_gathered_to_write());
        CHECK(output.uncork());
        output.give_back_stack_space();   // the 3 bytes move to the heap, still pending
        CHECK(output.size() == 3);
    }
}

TEST_CASE("write() keeps what the kernel refused, in order, behind what was pending",
          "[net][tcp][output]") {
    SocketPair sockets;
    TcpOutput output;
    const std::vector<std::uint8_t> first = pattern(kMoreThanTheKernelTakes);
    const std::vector<std::uint8_t> header = pattern(7, first.size());
    const std::vector<std::uint8_t> payload = pattern(1000, first.size() + 7);
    REQUIRE(output.write(sockets.ours.get(), first, {}).error == 0);
    REQUIRE_FALSE(output.empty());   // the kernel took only part of it
    REQUIRE(output.write(sockets.ours.get(), header, payload).error == 0);

    std::vector<std::uint8_t> received;
    while (!output.empty()) {
        const auto more = sockets.read_all();
        received.insert(received.end(), more.begin(), more.end());
        REQUIRE(output.flush(sockets.ours.get()).error == 0);
    }
    const auto rest = sockets.read_all();
    received.insert(received.end(), rest.begin(), rest.end());
    CHECK(received == pattern(first.size() + header.size() + payload.size()));
    CHECK(output.bytes_sent() == received.size());
}

TEST_CASE("the high watermark is reported once on the way up, the low once on the way down",
          "[net][tcp][output]") {
    SocketPair sockets;
    TcpOutput output;
    constexpr std::size_t kLow = 16 * 1024;
    constexpr std::size_t kHigh = 64 * 1024;
    output.set_watermarks(kLow, kHigh);
    REQUIRE(output.write(sockets.ours.get(), pattern(kMoreThanTheKernelTakes), {}).error == 0);
    REQUIRE(output.size() >= kHigh);
    CHECK(output.rose_to_high_watermark());
    CHECK(output.is_above_high_watermark());
    CHECK_FALSE(output.rose_to_high_watermark());   // still above: said once is enough
    CHECK_FALSE(output.fell_to_low_watermark());

    int drains = 0;
    while (!output.empty()) {
        sockets.read_all();
        const TcpOutput::Written written = output.flush(sockets.ours.get());
        REQUIRE(written.error == 0);
        if (output.fell_to_low_watermark()) {
            ++drains;
            CHECK(output.size() <= kLow);
        }
    }
    CHECK(drains == 1);
    CHECK_FALSE(output.is_above_high_watermark());

    // Up again: reported again.
    REQUIRE(output.write(sockets.ours.get(), pattern(kMoreThanTheKernelTakes), {}).error == 0);
    CHECK(output.rose_to_high_watermark());
}

TEST_CASE("a write to a vanished peer reports the errno and the system call",
          "[net][tcp][output]") {
    SocketPair sockets;
    sockets.peer.reset();
    TcpOutput output;
    const std::vector<std::uint8_t> bytes = pattern(10);

    const TcpOutput::Written one_piece = output.write(sockets.ours.get(), bytes, {});
    CHECK(one_piece.error == EPIPE);   // MSG_NOSIGNAL: an error, never SIGPIPE
    CHECK(one_piece.syscall == "send");

    const TcpOutput::Written two_pieces = output.write(sockets.ours.get(), bytes, bytes);
    CHECK(two_pieces.error == EPIPE);
    CHECK(two_pieces.syscall == "sendmsg");
    CHECK(output.empty());   // nothing kept for a peer that is gone
}
