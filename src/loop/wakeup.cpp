#include "looplab/loop/wakeup.hpp"

#include <cerrno>
#include <cstdint>

#include <fcntl.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/eventfd.h>
#endif

namespace looplab::loop {

Result<Wakeup> Wakeup::create() {
#if defined(__linux__)
    UniqueFd fd{::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)};
    if (!fd) return Error::from_errno("eventfd");
    return Wakeup{std::move(fd), UniqueFd{}};
#else
    int ends[2];
    if (::pipe(ends) == -1) return Error::from_errno("pipe");
    UniqueFd read_end{ends[0]}, write_end{ends[1]};
    for (int fd : ends) {
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
        ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    return Wakeup{std::move(read_end), std::move(write_end)};
#endif
}

void Wakeup::notify() const {
    const std::uint64_t one = 1;   // eventfd wants 8 bytes; a pipe takes them just as well
    const int target = write_end_ ? write_end_.get() : read_end_.get();
    // EAGAIN means the counter / pipe is already full: the loop will wake anyway.
    [[maybe_unused]] const ssize_t written = ::write(target, &one, sizeof one);
}

void Wakeup::drain() const {
    std::uint64_t buffer[16];
    while (::read(read_end_.get(), buffer, sizeof buffer) > 0) {}
}

}   // namespace looplab::loop
