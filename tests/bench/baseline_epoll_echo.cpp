// tests/bench/baseline_epoll_echo.cpp
//
// baseline_epoll_echo — the "machine limit" of `make bench`: the smallest echo server one can
// write by hand with epoll, in C style, with nothing between the kernel and the bytes. No
// loop object, no callbacks, no buffers unless a write falls short. tests/bench/run measures it
// with the same load generator as looplab's servers, so looplab's figure / this figure is
// what looplab's layers cost.
//
//   baseline_epoll_echo [--port N] [--udp]
//     TCP (default): every readable connection gets one read() of up to 64 KiB and one write()
//     of what was read. If the write falls short, the rest waits in a per-connection buffer,
//     and reading pauses until it is gone (so a client that does not read cannot make us
//     buffer without limit).
//     --udp: one socket; every datagram is sent straight back to its sender.
//
// Prints "listening on PORT" (port 0, the default, lets the kernel choose) and runs until
// killed. Loopback only.
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

// One read() takes at most this; a level-triggered epoll reports the rest on the next wait.
constexpr std::size_t kReadChunk = 64 * 1024;
// Events taken from one epoll_wait; more wait for the next call.
constexpr int kMaxEvents = 512;
// Pending connections the kernel queues before accept(); beyond it, clients' SYNs are dropped.
constexpr int kBacklog = 4096;

[[noreturn]] void die(const char* what) {
    std::fprintf(stderr, "baseline_epoll_echo: %s: %s\n", what, std::strerror(errno));
    std::exit(1);
}

// What a connection still owes its client after a short write.
struct Pending {
    std::vector<char> bytes;
    std::size_t sent = 0;
};

int listen_on(int port, int type) {
    const int fd = ::socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd == -1) die("socket");
    const int on = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == -1) die("bind");
    if (type == SOCK_STREAM && ::listen(fd, kBacklog) == -1) die("listen");
    socklen_t length = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    std::printf("listening on %d\n", ntohs(address.sin_port));
    std::fflush(stdout);
    return fd;
}

void watch(int epoll_fd, int fd, std::uint32_t events, int op = EPOLL_CTL_ADD) {
    epoll_event event{};
    event.events = events;
    event.data.fd = fd;
    if (::epoll_ctl(epoll_fd, op, fd, &event) == -1) die("epoll_ctl");
}

void close_connection(std::vector<Pending*>& pending, int fd) {
    if (static_cast<std::size_t>(fd) < pending.size()) {
        delete pending[static_cast<std::size_t>(fd)];
        pending[static_cast<std::size_t>(fd)] = nullptr;
    }
    ::close(fd);   // also removes it from the epoll set
}

// Writes what `p` holds; true when it is all gone.
bool drain(int fd, Pending& p) {
    while (p.sent < p.bytes.size()) {
        const ssize_t n =
            ::send(fd, p.bytes.data() + p.sent, p.bytes.size() - p.sent, MSG_NOSIGNAL);
        if (n == -1) return false;   // EAGAIN: later; a real error shows up on the next read
        p.sent += static_cast<std::size_t>(n);
    }
    return true;
}

void accept_all(int epoll_fd, int listener) {
    for (;;) {
        const int fd = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd == -1) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNABORTED) return;
            if (errno == EMFILE || errno == ENFILE) return;   // out of fds: try again later
            die("accept4");
        }
        const int on = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
        watch(epoll_fd, fd, EPOLLIN);
    }
}

void on_connection_ready(int epoll_fd, std::vector<Pending*>& pending, const epoll_event& event) {
    static char buffer[kReadChunk];
    const int fd = event.data.fd;
    const auto slot = static_cast<std::size_t>(fd);
    if (slot >= pending.size()) pending.resize(slot + 1, nullptr);
    if (Pending* p = pending[slot]) {   // only EPOLLOUT is on: finish the short write first
        if (!drain(fd, *p)) return;
        delete p;
        pending[slot] = nullptr;
        watch(epoll_fd, fd, EPOLLIN, EPOLL_CTL_MOD);
        return;
    }
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n == 0 || (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK)) {
        close_connection(pending, fd);
        return;
    }
    if (n == -1) return;
    const ssize_t sent = ::send(fd, buffer, static_cast<std::size_t>(n), MSG_NOSIGNAL);
    if (sent == n) return;
    if (sent == -1 && errno != EAGAIN && errno != EWOULDBLOCK) {
        close_connection(pending, fd);
        return;
    }
    const std::size_t done = sent > 0 ? static_cast<std::size_t>(sent) : 0;
    pending[slot] = new Pending{std::vector<char>(buffer + done, buffer + n), 0};
    watch(epoll_fd, fd, EPOLLOUT, EPOLL_CTL_MOD);   // stop reading until the client catches up
}

[[noreturn]] void serve_tcp(int port) {
    const int listener = listen_on(port, SOCK_STREAM);
    const int epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd == -1) die("epoll_create1");
    watch(epoll_fd, listener, EPOLLIN);
    std::vector<Pending*> pending;
    epoll_event events[kMaxEvents];
    for (;;) {
        const int count = ::epoll_wait(epoll_fd, events, kMaxEvents, -1);
        if (count == -1 && errno != EINTR) die("epoll_wait");
        for (int i = 0; i < count; ++i) {
            if (events[i].data.fd == listener) accept_all(epoll_fd, listener);
            else on_connection_ready(epoll_fd, pending, events[i]);
        }
    }
}

[[noreturn]] void serve_udp(int port) {
    const int fd = listen_on(port, SOCK_DGRAM);
    const int epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd == -1) die("epoll_create1");
    watch(epoll_fd, fd, EPOLLIN);
    static char buffer[65536];
    epoll_event events[1];
    for (;;) {
        const int count = ::epoll_wait(epoll_fd, events, 1, -1);
        if (count == -1 && errno != EINTR) die("epoll_wait");
        // Everything waiting, then back to epoll: the same shape as a loop's handler.
        for (;;) {
            sockaddr_storage from{};
            socklen_t from_length = sizeof from;
            const ssize_t n = ::recvfrom(fd, buffer, sizeof buffer, 0,
                                         reinterpret_cast<sockaddr*>(&from), &from_length);
            if (n == -1) break;   // EAGAIN: all read (other errors: ICMP noise, ignored)
            // A full send buffer drops the echo, as UDP may; the client counts it as lost.
            ::sendto(fd, buffer, static_cast<std::size_t>(n), 0, reinterpret_cast<sockaddr*>(&from),
                     from_length);
        }
    }
}

void raise_fd_limit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;   // as many connections as we are allowed
        ::setrlimit(RLIMIT_NOFILE, &limit);
    }
}

}   // namespace

int main(int argc, char** argv) {
    int port = 0;
    bool is_udp = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--port" && i + 1 < argc) {
            port = std::atoi(argv[++i]);
        } else if (arg == "--udp") {
            is_udp = true;
        } else {
            std::fprintf(stderr, "usage: baseline_epoll_echo [--port N] [--udp]\n");
            return 2;
        }
    }
    ::signal(SIGPIPE, SIG_IGN);
    raise_fd_limit();
    if (is_udp) serve_udp(port);
    serve_tcp(port);
}
