// lessons/11-server-many-connections/fd_limit.cpp
//
// What really limits the connections of one server port: file descriptors (and memory), not
// the 65,535 port numbers. We lower this process's fd limit until only 4 more sockets fit,
// and let 5 more clients try: the 5th client cannot even make a socket, and the server's
// accept() fails with EMFILE while the connected clients wait in the kernel's backlog. With
// the limit back, the server accepts them (TcpListener pauses and retries: see its header).
#include "one_port.hpp"

#include <cerrno>
#include <cstring>
#include <memory>

#include <fcntl.h>
#include <sys/resource.h>

namespace one_port {
namespace {

// The smallest limit under which exactly `free` more descriptors can be opened. (The limit is
// on fd NUMBERS: a new fd must be below it, and the lowest free number is always used.)
rlim_t limit_leaving(int free) {
    int fd = 0;
    for (int found = 0;; ++fd) {
        if (::fcntl(fd, F_GETFD) == -1 && errno == EBADF && ++found == free) break;
    }
    return static_cast<rlim_t>(fd + 1);
}

std::string reason(const looplab::Error& error) { return std::strerror(error.code()); }

}  // namespace

void show_fd_limit(EventLoop& loop, const lesson::Options& options) {
    rlimit original{};
    if (::getrlimit(RLIMIT_NOFILE, &original) == -1) lesson::fail(looplab::Error::from_errno("getrlimit"));
    lesson::say("each connection costs the server one file descriptor (and kernel memory)");
    lesson::say("this process may open {} descriptors (ulimit -n)",
                options.demo ? std::string{"N"} : fmt::format("{}", original.rlim_cur));

    EchoServerTcp server{loop, options};
    server.set_quiet(true);
    EchoClientsTcp clients{loop};

    // Sanitizer builds (make asan) check the type of an object the first time its kind is
    // built, with a helper that needs a pipe, i.e. two free descriptors. Build the one kind
    // the connects below build (a shared "still alive?" flag) while descriptors are still
    // plentiful, so that check is done before we run out of them on purpose.
    (void)std::make_shared<bool>(true);

    rlimit lowered = original;
    lowered.rlim_cur = limit_leaving(4);
    if (::setrlimit(RLIMIT_NOFILE, &lowered) == -1) lesson::fail(looplab::Error::from_errno("setrlimit"));
    lesson::say("limit lowered so that only 4 more descriptors fit; 5 clients connect:");
    clients.connect(server.address(), 5, "hello");
    wait_for(loop, [&] {
        return clients.connected() + clients.failed() == 5 && !server.accept_errors().empty();
    }, "the clients and the server to run out");
    lesson::say("  clients: {} connected, {} failed: socket(): {}", clients.connected(),
                clients.failed(), clients.failed() ? reason(clients.errors().front()) : "-");
    lesson::say("  server:  accept(): {}; accepted so far: {}", reason(server.accept_errors().front()),
                server.accepted());
    lesson::say("  the {} connected clients wait in the kernel's backlog, not refused",
                clients.connected());

    if (::setrlimit(RLIMIT_NOFILE, &original) == -1) lesson::fail(looplab::Error::from_errno("setrlimit"));
    wait_for(loop, [&] { return server.accepted() == clients.connected() && clients.all_replied(); },
             "the server to accept the waiting clients");
    lesson::say("limit restored: the server tried again and accepted all {}", server.accepted());
    lesson::say("65,535 is the number of PORTS: it bounds the connections from ONE client address");
    lesson::say("to ONE server address and port, not the connections one server port can hold");
}

}  // namespace one_port
