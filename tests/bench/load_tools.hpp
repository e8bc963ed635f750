// tests/bench/load_tools.hpp
//
// What the load generator's modes share: failing loudly, clocks, the result line, and the
// client side of a WebSocket (the upgrade request, its reply, masked frames). Included by
// load_generator.cpp and socketio_load.hpp only; the Makefile builds each tests/bench/*.cpp as
// its own binary, so code shared between files of one binary lives in headers like this one.
#pragma once

#include <fmt/format.h>

#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include <sys/resource.h>

namespace bench {

// RFC 6455 §1.3's example key and the accept value every server must answer it with.
inline constexpr std::string_view kWsKey = "dGhlIHNhbXBsZSBub25jZQ==";
inline constexpr std::string_view kWsAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
// Our mask key. A fixed one is fine for a benchmark (servers must not care), and non-zero so
// the server really has to unmask.
inline constexpr std::uint8_t kMask[4] = {0x37, 0xfa, 0x21, 0x3d};
// The longest upgrade reply we wait for; a longer one fails the run.
inline constexpr std::size_t kMaxUpgradeReply = 8192;

[[noreturn]] inline void fail(const std::string& message) {
    fmt::print(stderr, "load_generator: {}\n", message);
    std::exit(1);
}

inline double now_seconds() {
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

inline double cpu_seconds() {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6;
    };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

inline std::string errno_text() {
    return std::strerror(errno);
}

// The one line tests/bench/run parses: "result mode=... key=value ...". Warns on stderr when
// the generator itself used nearly a whole CPU (it may then be what limits the figure).
inline void print_result(std::string_view mode, std::size_t connections, std::size_t depth,
                         std::size_t size, const std::string& fields, double elapsed, double cpu,
                         bool warn_if_busy) {
    const double cpu_share = elapsed > 0 ? cpu / elapsed : 0;
    fmt::print(
        "result mode={} connections={} depth={} size={} seconds={:.2f} {} "
        "generator_cpu={:.0f}%\n",
        mode, connections, depth, size, elapsed, fields, 100 * cpu_share);
    if (warn_if_busy && cpu_share > 0.95)
        fmt::print(stderr,
                   "load_generator: warning: the generator used {:.0f}% of a CPU; it may "
                   "be the bottleneck\n",
                   100 * cpu_share);
}

// One client frame: FIN, `opcode`, masked with kMask (clients must mask every frame).
inline std::vector<std::uint8_t> masked_frame(const std::uint8_t* payload, std::size_t n,
                                              std::uint8_t opcode) {
    std::vector<std::uint8_t> frame;
    frame.push_back(static_cast<std::uint8_t>(0x80 | opcode));   // FIN + opcode
    if (n < 126) {
        frame.push_back(static_cast<std::uint8_t>(0x80 | n));   // MASK bit + 7-bit length
    } else if (n <= 0xffff) {
        frame.push_back(0x80 | 126);
        frame.push_back(static_cast<std::uint8_t>(n >> 8));
        frame.push_back(static_cast<std::uint8_t>(n));
    } else {
        frame.push_back(0x80 | 127);
        for (int shift = 56; shift >= 0; shift -= 8)
            frame.push_back(static_cast<std::uint8_t>(static_cast<std::uint64_t>(n) >> shift));
    }
    frame.insert(frame.end(), kMask, kMask + 4);
    for (std::size_t i = 0; i < n; ++i)
        frame.push_back(payload[i] ^ kMask[i % 4]);
    return frame;
}

inline std::vector<std::uint8_t> masked_text_frame(std::string_view text) {
    return masked_frame(reinterpret_cast<const std::uint8_t*>(text.data()), text.size(), 0x1);
}

inline std::string upgrade_request(std::string_view path, std::string_view host) {
    return fmt::format(
        "GET {} HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: {}\r\nSec-WebSocket-Version: 13\r\n\r\n",
        path, host, kWsKey);
}

// Collects the server's reply to upgrade_request() in `reply`. Returns how many of the `n` new
// bytes belonged to it once the blank line has come (the rest are frames), or -1 while it is
// still incomplete. Fails the run unless it is a 101 with the right Sec-WebSocket-Accept.
inline long take_upgrade_reply(std::string& reply, const std::uint8_t* bytes, std::size_t n,
                               const std::string& where) {
    const std::size_t before = reply.size();
    reply.append(reinterpret_cast<const char*>(bytes), n);
    const std::size_t end = reply.find("\r\n\r\n");
    if (end == std::string::npos) {
        if (reply.size() > kMaxUpgradeReply) fail("the upgrade response is over 8 KiB long");
        return -1;
    }
    std::string head = reply.substr(0, end + 2);
    const std::string first_line = head.substr(0, head.find("\r\n"));
    if (first_line.rfind("HTTP/1.1 101", 0) != 0)
        fail(fmt::format("{} refused the WebSocket upgrade: \"{}\"", where, first_line));
    for (char& ch : head)
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    std::string accept_line = "sec-websocket-accept: ";
    for (char ch : kWsAccept)
        accept_line += static_cast<char>(std::tolower(ch));
    if (head.find("\r\n" + accept_line + "\r\n") == std::string::npos)
        fail(fmt::format("{} answered the upgrade without \"Sec-WebSocket-Accept: {}\"", where,
                         kWsAccept));
    const long used = static_cast<long>(end + 4 - before);
    reply.clear();
    reply.shrink_to_fit();
    return used;
}

}   // namespace bench
