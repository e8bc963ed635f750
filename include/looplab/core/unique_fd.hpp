// looplab/core/unique_fd.hpp
//
// UniqueFd — owns one file descriptor and closes it exactly once, like unique_ptr for fds.
// Move-only: two owners of one fd would close it twice, and the second close could hit a
// brand-new socket that the kernel handed the same number.
#pragma once

#include <utility>

namespace looplab {

class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : fd_(fd) {}
    ~UniqueFd() { reset(); }

    UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept {
        if (this != &other) reset(other.release());
        return *this;
    }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;

    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }

    // Gives the fd away: the caller closes it now.
    int release() { return std::exchange(fd_, -1); }

    // Closes the fd we hold (if any) and takes `fd` instead.
    void reset(int fd = -1);

private:
    int fd_ = -1;
};

}   // namespace looplab
