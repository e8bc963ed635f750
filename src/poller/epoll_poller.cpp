// looplab/poller/epoll_poller.cpp
//
// The Linux backend. The kernel keeps the watched set (epoll_ctl adds, changes, removes),
// and epoll_wait returns only the fds that are ready: its cost follows the busy fds, not the
// watched ones. We use it level-triggered (no EPOLLET), like the other backends.
#include "looplab/poller/backends.hpp"

#if LOOPLAB_HAS_EPOLL

#include "looplab/core/unique_fd.hpp"

#include <cerrno>
#include <climits>

#include <sys/epoll.h>

namespace looplab::poller {
namespace {

// How many ready fds one wait() can return; more simply wait for the next turn.
constexpr int kMaxEventsPerWait = 1024;

std::uint32_t events_for(Interest interest) {
    std::uint32_t events = 0;
    if (interest.readable) events |= EPOLLIN | EPOLLRDHUP;
    if (interest.writable) events |= EPOLLOUT;
    return events;
}

class EpollPoller final : public Poller {
public:
    explicit EpollPoller(UniqueFd epoll_fd) : epoll_fd_(std::move(epoll_fd)) {}

    std::string_view name() const override { return "epoll"; }

    Status watch(int fd, Interest interest) override {
        return control(EPOLL_CTL_ADD, fd, interest);
    }
    Status change(int fd, Interest interest) override {
        return control(EPOLL_CTL_MOD, fd, interest);
    }

    void forget(int fd) override {
        // An fd already closed has left the epoll set by itself; ENOENT/EBADF are expected.
        ::epoll_ctl(epoll_fd_.get(), EPOLL_CTL_DEL, fd, nullptr);
    }

    Status wait(std::optional<Millis> timeout, std::vector<Ready>& ready) override {
        ready.clear();
        const int ms =
            timeout ? static_cast<int>(std::min<Millis::rep>(timeout->count(), INT_MAX)) : -1;
        const int count = ::epoll_wait(epoll_fd_.get(), events_, kMaxEventsPerWait, ms);
        if (count == -1) {
            if (errno == EINTR) return Ok{};   // a signal woke us early: nothing is ready
            return Error::from_errno("epoll_wait");
        }
        for (int i = 0; i < count; ++i) ready.push_back(to_ready(events_[i]));
        return Ok{};
    }

private:
    Status control(int operation, int fd, Interest interest) {
        epoll_event event{};
        event.events = events_for(interest);
        event.data.u64 = pack(fd, interest);
        if (::epoll_ctl(epoll_fd_.get(), operation, fd, &event) == -1)
            return Error::from_errno(fmt::format("epoll_ctl fd {}", fd));
        return Ok{};
    }

    // The kernel reports EPOLLHUP and EPOLLERR to every registration, asked for or not. So
    // that epoll tells the same story as poll and kqueue (a hang-up counts as "readable" only
    // for whoever asked to read), each registration carries its interest beside its fd.
    static std::uint64_t pack(int fd, Interest interest) {
        const std::uint64_t bits = (interest.readable ? 1u : 0u) | (interest.writable ? 2u : 0u);
        return (bits << 32) | static_cast<std::uint32_t>(fd);
    }

    static Ready to_ready(const epoll_event& event) {
        const std::uint32_t e = event.events;
        const int fd = static_cast<int>(static_cast<std::uint32_t>(event.data.u64));
        const bool wants_read = ((event.data.u64 >> 32) & 1u) != 0;
        const bool wants_write = ((event.data.u64 >> 32) & 2u) != 0;
        const bool hangup = (e & (EPOLLHUP | EPOLLRDHUP)) != 0;
        const bool error = (e & EPOLLERR) != 0;
        return Ready{
            .fd = fd,
            .readable = (e & EPOLLIN) != 0 || (wants_read && (hangup || error)),
            .writable = (e & EPOLLOUT) != 0 || (wants_write && error),
            .hangup = hangup,
            .error = error,
        };
    }

    UniqueFd epoll_fd_;
    epoll_event events_[kMaxEventsPerWait];
};

}   // namespace

Result<std::unique_ptr<Poller>> make_epoll_poller() {
    UniqueFd fd{::epoll_create1(EPOLL_CLOEXEC)};
    if (!fd) return Error::from_errno("epoll_create1");
    return std::unique_ptr<Poller>{std::make_unique<EpollPoller>(std::move(fd))};
}

}   // namespace looplab::poller

#endif   // LOOPLAB_HAS_EPOLL
