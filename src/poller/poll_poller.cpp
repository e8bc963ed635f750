// looplab/poller/poll_poller.cpp
//
// The portable backend: poll(2) over a vector of pollfd. Each wait() hands the kernel the
// whole list and scans it afterwards, so it costs O(watched fds) even when one fd is busy —
// exactly what lessons/08-event-loop measures against epoll.
#include "looplab/poller/backends.hpp"

#include <cerrno>
#include <climits>
#include <unordered_map>

#include <poll.h>

namespace looplab::poller {
namespace {

short events_for(Interest interest) {
    short events = 0;
    if (interest.readable) events |= POLLIN;
    if (interest.writable) events |= POLLOUT;
    return events;
}

Ready to_ready(const pollfd& p) {
    const bool hangup = (p.revents & POLLHUP) != 0;
    const bool error = (p.revents & (POLLERR | POLLNVAL)) != 0;
    const bool wants_read = (p.events & POLLIN) != 0;
    const bool wants_write = (p.events & POLLOUT) != 0;
    return Ready{
        .fd = p.fd,
        .readable = (p.revents & POLLIN) != 0 || (wants_read && (hangup || error)),
        .writable = (p.revents & POLLOUT) != 0 || (wants_write && error),
        .hangup = hangup,
        .error = error,
    };
}

class PollPoller final : public Poller {
public:
    std::string_view name() const override { return "poll"; }

    Status watch(int fd, Interest interest) override {
        LOOPLAB_ASSERT(!slot_of_.contains(fd), "fd watched twice; use change() instead");
        slot_of_[fd] = fds_.size();
        fds_.push_back(pollfd{fd, events_for(interest), 0});
        return Ok{};
    }

    Status change(int fd, Interest interest) override {
        const auto slot = slot_of_.find(fd);
        LOOPLAB_ASSERT(slot != slot_of_.end(), "change() of an fd that is not watched");
        fds_[slot->second].events = events_for(interest);
        return Ok{};
    }

    void forget(int fd) override {
        const auto slot = slot_of_.find(fd);
        if (slot == slot_of_.end()) return;
        const std::size_t hole = slot->second;
        fds_[hole] = fds_.back();   // fill the hole with the last entry
        slot_of_[fds_[hole].fd] = hole;
        fds_.pop_back();
        slot_of_.erase(fd);
    }

    Status wait(std::optional<Millis> timeout, std::vector<Ready>& ready) override {
        ready.clear();
        const int ms =
            timeout ? static_cast<int>(std::min<Millis::rep>(timeout->count(), INT_MAX)) : -1;
        const int count = ::poll(fds_.data(), fds_.size(), ms);
        if (count == -1) {
            if (errno == EINTR) return Ok{};   // a signal woke us early: nothing is ready
            return Error::from_errno("poll");
        }
        for (const pollfd& p : fds_) {
            if (p.revents == 0) continue;
            ready.push_back(to_ready(p));
            if (static_cast<int>(ready.size()) == count) break;   // the rest are all quiet
        }
        return Ok{};
    }

private:
    std::vector<pollfd> fds_;
    std::unordered_map<int, std::size_t> slot_of_;   // fd -> its index in fds_
};

}   // namespace

Result<std::unique_ptr<Poller>> make_poll_poller() {
    return std::unique_ptr<Poller>{std::make_unique<PollPoller>()};
}

}   // namespace looplab::poller
