// tests/support/no_more_fds.hpp — makes accept() fail with EMFILE, for the listener tests.
#pragma once

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

namespace looplab::testing {

// Lowers the soft RLIMIT_NOFILE so that no new fd can be opened; restores it when destroyed.
class NoMoreFds {
public:
    explicit NoMoreFds(int any_open_fd) {
        REQUIRE(::getrlimit(RLIMIT_NOFILE, &saved_) == 0);
        // The kernel gives out the LOWEST free number, and refuses numbers >= the limit; so a
        // limit equal to the lowest free number refuses every new fd.
        const int lowest_free = ::fcntl(any_open_fd, F_DUPFD, 0);
        REQUIRE(lowest_free >= 0);
        ::close(lowest_free);
        rlimit lowered = saved_;
        lowered.rlim_cur = static_cast<rlim_t>(lowest_free);
        REQUIRE(::setrlimit(RLIMIT_NOFILE, &lowered) == 0);
    }
    ~NoMoreFds() { restore(); }
    void restore() {
        if (!restored_) ::setrlimit(RLIMIT_NOFILE, &saved_);
        restored_ = true;
    }
    NoMoreFds(const NoMoreFds&) = delete;
    NoMoreFds& operator=(const NoMoreFds&) = delete;

private:
    rlimit saved_{};
    bool restored_ = false;
};

}   // namespace looplab::testing
