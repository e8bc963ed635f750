// looplab/lesson/redis_server.hpp — a real redis-server for one test or lesson: started on a
// free port in its own temporary directory, with persistence off (`--save "" --appendonly
// no`), ready once it answers PING, stopped (and its directory removed) when it goes away.
//
//     lesson::RedisServer redis;                                // throws, clearly, if
//     resp::Client client{loop, redis.address()};               // redis-server is missing
//     lesson::RedisServer locked{{"--requirepass", "secret"}};  // any extra arguments
//     redis.kill();      // SIGKILL: clients see the connection die mid-conversation
//     redis.start();     // again, on the same port
//     redis.query({"CONFIG", "GET", "port"});   // a blocking command, for set-up only
//
// The server is a child process (quiet_child.hpp); on Linux it also dies if the test binary
// dies (PR_SET_PDEATHSIG), so a crashed test leaves no redis-server behind.
// Failures (redis-server missing, not answering) throw std::runtime_error with a sentence
// saying why: Catch2 reports it as the test's failure, and the benchmark (redis_bench) and
// lesson 19 print it. In the kit because a lesson starts one too: lessons never include tests/.
#pragma once

#include "looplab/net/address.hpp"
#include "looplab/resp/encoder.hpp"
#include "looplab/resp/parser.hpp"
#include "looplab/resp/reply.hpp"
#include "looplab/lesson/quiet_child.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace looplab::lesson {

// How long a starting redis-server may take to answer PING (it takes ~10 ms here).
inline constexpr std::chrono::milliseconds kRedisStartTimeout{5'000};

class RedisServer {
public:
    // Starts at once; a missing redis-server or one that does not answer fails the test.
    // `port` 0: a free one (a cluster node passes its own: see redis_cluster.hpp).
    explicit RedisServer(std::vector<std::string> extra_args = {}, std::uint16_t port = 0)
        : extra_args_(std::move(extra_args)) {
        if (!is_installed())
            throw std::runtime_error(
                "redis-server is not installed (Debian: apt-get install "
                "redis-server; `make test-tools` does it)");
        char pattern[] = "/tmp/looplab-redis-XXXXXX";
        if (::mkdtemp(pattern) == nullptr)
            throw std::runtime_error("mkdtemp /tmp/looplab-redis-XXXXXX failed");
        dir_ = pattern;
        port_ = port != 0 ? port : free_port();
        start();
    }

    ~RedisServer() {
        stop();
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }

    RedisServer(const RedisServer&) = delete;
    RedisServer& operator=(const RedisServer&) = delete;

    std::uint16_t port() const { return port_; }
    net::Address address() const { return net::Address::loopback(port_); }
    bool is_running() const { return pid_ > 0; }

    // Starts the server (again) on the same port and waits until it answers PING.
    void start() {
        if (is_running()) throw std::runtime_error("RedisServer::start(): it is already running");
        pid_ = spawn();
        const auto deadline = std::chrono::steady_clock::now() + kRedisStartTimeout;
        while (!answers_ping()) {
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                throw std::runtime_error("redis-server exited at start; its log:\n" + log());
            }
            if (std::chrono::steady_clock::now() > deadline) {
                stop();
                throw std::runtime_error("redis-server did not answer PING within 5 s; its log:\n" +
                                         log());
            }
            // An external process has no event we could wait for: poll, briefly.
            std::this_thread::sleep_for(std::chrono::milliseconds{5});
        }
    }

    // SIGTERM: Redis closes its clients and exits cleanly.
    void stop() { end(SIGTERM); }
    // SIGKILL: the process vanishes; the kernel closes its sockets.
    void kill() { end(SIGKILL); }

    std::string log() const {
        std::string text;
        if (FILE* file = std::fopen((dir_ + "/redis.log").c_str(), "r")) {
            char buffer[4096];
            std::size_t n = 0;
            while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) text.append(buffer, n);
            std::fclose(file);
        }
        return text;
    }

    // One command, blocking, for test set-up (never from the loop): sends `args`, reads one
    // reply. Failures (not running, no reply within 2 s, a broken reply) throw.
    resp::Reply query(std::initializer_list<std::string_view> args) const {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) throw std::runtime_error("socket failed");
        timeval timeout{2, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        const sockaddr_in where = loopback_sockaddr(port_);
        std::string wire;
        resp::encode_command(args, wire);
        std::vector<resp::Reply> replies;
        resp::Parser parser;
        bool is_sent =
            ::connect(fd, reinterpret_cast<const sockaddr*>(&where), sizeof where) == 0 &&
            ::send(fd, wire.data(), wire.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(wire.size());
        while (is_sent && replies.empty()) {
            char buffer[4096];
            const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
            if (n <= 0 ||
                parser.feed(std::string_view{buffer, static_cast<std::size_t>(n)}, replies))
                break;
        }
        ::close(fd);
        if (replies.empty())
            throw std::runtime_error(
                fmt::format("redis-server on port {}: no reply to {}", port_, *args.begin()));
        return replies.front();
    }

    static bool is_installed() {
        const char* path = std::getenv("PATH");
        std::string dirs = path ? path : "/usr/bin:/bin";
        std::size_t at = 0;
        while (at <= dirs.size()) {
            const std::size_t colon = std::min(dirs.find(':', at), dirs.size());
            const std::string candidate = dirs.substr(at, colon - at) + "/redis-server";
            if (::access(candidate.c_str(), X_OK) == 0) return true;
            at = colon + 1;
        }
        return false;
    }

private:
    pid_t spawn() {
        std::vector<std::string> args{
            "redis-server", "--port",    std::to_string(port_), "--bind", "127.0.0.1",
            "--save",       "",          "--appendonly",        "no",     "--dir",
            dir_,           "--logfile", dir_ + "/redis.log"};
        args.insert(args.end(), extra_args_.begin(), extra_args_.end());
        return spawn_quiet_child(std::move(args), "start redis-server");
    }

    void end(int signal_number) {
        if (pid_ <= 0) return;
        ::kill(pid_, signal_number);
        int status = 0;
        while (::waitpid(pid_, &status, 0) == -1 && errno == EINTR) {}
        pid_ = -1;
    }

    // A blocking PING with a short timeout; any reply (+PONG, or -NOAUTH with requirepass)
    // means the server is up.
    bool answers_ping() const {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) return false;
        timeval timeout{0, 200'000};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        const sockaddr_in where = loopback_sockaddr(port_);
        bool answered = false;
        if (::connect(fd, reinterpret_cast<const sockaddr*>(&where), sizeof where) == 0) {
            static constexpr char kPing[] = "*1\r\n$4\r\nPING\r\n";
            char reply[64];
            if (::send(fd, kPing, sizeof kPing - 1, MSG_NOSIGNAL) == sizeof kPing - 1)
                answered =
                    ::recv(fd, reply, sizeof reply, 0) > 0 && (reply[0] == '+' || reply[0] == '-');
        }
        ::close(fd);
        return answered;
    }

    static sockaddr_in loopback_sockaddr(std::uint16_t port) {
        sockaddr_in where{};
        where.sin_family = AF_INET;
        where.sin_port = htons(port);
        where.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        return where;
    }

public:
    // A port nobody listens on now: the kernel picks one for a socket bound to port 0, which
    // is closed again. Racy (the number may be taken before redis-server binds it), but
    // redis-server must bind the port itself and cannot take port 0 (`--port 0` means "no
    // TCP"), so there is no race-free way to give it one. For a port that must REFUSE
    // connections, hold a RefusingTcpPort (refusing_tcp_port.hpp) instead.
    static std::uint16_t free_port() {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in where{};
        where.sin_family = AF_INET;
        where.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t size = sizeof where;
        const bool ok = fd >= 0 &&
                        ::bind(fd, reinterpret_cast<sockaddr*>(&where), sizeof where) == 0 &&
                        ::getsockname(fd, reinterpret_cast<sockaddr*>(&where), &size) == 0;
        if (fd >= 0) ::close(fd);
        if (!ok) throw std::runtime_error("no free TCP port on 127.0.0.1 for redis-server");
        return ntohs(where.sin_port);
    }

private:
    std::vector<std::string> extra_args_;
    std::string dir_;
    std::uint16_t port_ = 0;
    pid_t pid_ = -1;
};

}   // namespace looplab::lesson
