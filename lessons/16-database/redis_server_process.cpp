// lessons/16-database/redis_server_process.cpp — the lesson starts its own redis-server, on a
// port the kernel picks, with its files in the lesson's temporary folder, so it never touches
// a Redis that may already run on this machine (port 6379).
#include "database_lesson.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <utility>
#include <vector>

#include <csignal>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <sys/wait.h>
#include <unistd.h>

using namespace looplab;
using namespace std::chrono_literals;

namespace database {

std::optional<std::string> find_program(const std::string& program) {
    if (program.find('/') != std::string::npos)
        return ::access(program.c_str(), X_OK) == 0 ? std::optional{program} : std::nullopt;
    const char* path = std::getenv("PATH");
    std::string_view folders = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
    while (!folders.empty()) {
        const auto colon = folders.find(':');
        const std::string candidate = fmt::format("{}/{}", folders.substr(0, colon), program);
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
        folders = colon == std::string_view::npos ? std::string_view{} : folders.substr(colon + 1);
    }
    return std::nullopt;
}

Result<std::uint16_t> free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd == -1) return Error::from_errno("socket");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) == 0;
    const Error error = Error::from_errno("bind 127.0.0.1:0");
    ::close(fd);
    if (!ok) return error;
    return ntohs(address.sin_port);
}

Result<RedisServer> RedisServer::start(loop::EventLoop& loop, const std::string& program,
                                       std::uint16_t port, const std::string& folder,
                                       bool append_only) {
    const std::string port_text = std::to_string(port);
    std::vector<std::string> args = {program, "--port",    port_text, "--bind", "127.0.0.1",
                                     "--dir", folder,      "--save",  "",       "--daemonize",
                                     "no",    "--logfile", ""};
    if (append_only) {
        for (const char* arg : {"--appendonly", "yes", "--appendfsync", "always"})
            args.emplace_back(arg);
    } else {
        for (const char* arg : {"--appendonly", "no"})
            args.emplace_back(arg);
    }
    std::vector<char*> argv;
    for (std::string& arg : args)
        argv.push_back(arg.data());
    argv.push_back(nullptr);

    const pid_t pid = ::fork();
    if (pid == -1) return Error::from_errno("fork");
    if (pid == 0) {   // the child becomes redis-server; its chatter goes to /dev/null
#ifdef __linux__
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);   // if the lesson dies (fail()), so does its server
#endif
        const int null = ::open("/dev/null", O_RDWR);
        ::dup2(null, STDIN_FILENO);
        ::dup2(null, STDOUT_FILENO);
        ::dup2(null, STDERR_FILENO);
        ::execv(program.c_str(), argv.data());
        ::_exit(127);
    }
    RedisServer server{pid, port};

    // Ready when it answers PING with PONG. The client retries its connection by itself
    // until the server listens; while Redis replays its append-only log it already accepts
    // connections but answers "-LOADING ...", so PING is sent again until the PONG.
    resp::ClientOptions client_options;
    client_options.backoff.initial_delay = Millis{20};
    client_options.backoff.max_delay = Millis{100};
    resp::Client probe{loop, server.address(), client_options};
    probe.connect();
    const auto deadline = std::chrono::steady_clock::now() + kWaitLimit;
    bool answered = false;
    while (!answered && std::chrono::steady_clock::now() < deadline) {
        std::optional<bool> pong;
        probe.command({"PING"}, [&](Result<resp::Reply> reply) { pong = reply.has_value(); });
        loop.run_until([&] { return pong.has_value(); }, kWaitLimit);
        answered = pong.value_or(false);
        if (!answered) loop.run_until([] { return false; }, 10ms);   // not yet: ask again soon
    }
    if (!answered)
        return Error::because(fmt::format("{} did not answer on port {} within {} ms", program,
                                          port, kWaitLimit.count()));
    return server;
}

RedisServer::RedisServer(RedisServer&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), port_(other.port_) {}

RedisServer& RedisServer::operator=(RedisServer&& other) noexcept {
    if (this != &other) {
        kill_hard();
        pid_ = std::exchange(other.pid_, -1);
        port_ = other.port_;
    }
    return *this;
}

RedisServer::~RedisServer() {
    kill_hard();
}

void RedisServer::kill_hard() {
    if (pid_ == -1) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
}

}   // namespace database
