#include "looplab/loop/signal_pipe.hpp"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <mutex>

#include <fcntl.h>
#include <unistd.h>

namespace looplab::loop {
namespace {

// Process-wide because signal dispositions are (see the header). Written once, read by the
// handler: an atomic int is async-signal-safe to load.
std::atomic<int> signal_pipe_write{-1};
std::atomic<int> signal_pipe_read{-1};
std::mutex signal_pipe_creation;

extern "C" void write_signal_number(int signal_number) {
    const int saved_errno = errno;   // the interrupted code may be about to read errno
    const unsigned char byte = static_cast<unsigned char>(signal_number);
    [[maybe_unused]] const ssize_t written = ::write(signal_pipe_write.load(), &byte, 1);
    errno = saved_errno;
}

Result<int> pipe_read_end() {
    const std::lock_guard lock{signal_pipe_creation};
    if (signal_pipe_read.load() >= 0) return signal_pipe_read.load();
    int ends[2];
    if (::pipe(ends) == -1) return Error::from_errno("pipe for signals");
    for (const int fd : ends) {
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
        ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    signal_pipe_write.store(ends[1]);
    signal_pipe_read.store(ends[0]);
    return ends[0];
}

}   // namespace

Result<int> route_signal_to_pipe(int signal_number) {
    auto read_end = pipe_read_end();
    if (!read_end) return read_end.error();
    struct sigaction action = {};
    action.sa_handler = write_signal_number;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    if (::sigaction(signal_number, &action, nullptr) == -1)
        return Error::from_errno(fmt::format("sigaction {}", signal_number));
    return *read_end;
}

void restore_default_signal(int signal_number) {
    struct sigaction action = {};
    action.sa_handler = SIG_DFL;
    sigemptyset(&action.sa_mask);
    ::sigaction(signal_number, &action, nullptr);
}

}   // namespace looplab::loop
