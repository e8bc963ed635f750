// looplab/poller/kqueue_poller.cpp
//
// The macOS / BSD backend. kqueue watches (ident, filter) pairs: reading and writing are two
// separate filters of one fd, so one fd can come back as two kevents, which we merge into one
// Ready record. Without EV_CLEAR a kevent is level-triggered, like the other backends.
// Unlike epoll and poll, kqueue says WHICH socket error ended a socket (fflags of an EV_EOF
// kevent): Ready::socket_error carries it to the handler (see looplab/poller/kevent_to_ready.hpp).
// This file compiles only where <sys/event.h> exists; Linux never builds it.
#include "looplab/poller/backends.hpp"

#if LOOPLAB_HAS_KQUEUE

#include "looplab/poller/kevent_to_ready.hpp"
#include "looplab/core/unique_fd.hpp"

#include <cerrno>
#include <cstdint>
#include <unordered_map>

#include <sys/event.h>
#include <sys/time.h>
#include <sys/types.h>

namespace looplab::poller {
namespace {

// How many kevents one wait() can return; the rest wait for the next turn.
constexpr int kMaxEventsPerWait = 1024;

class KqueuePoller final : public Poller {
public:
    explicit KqueuePoller(UniqueFd kqueue_fd) : kqueue_fd_(std::move(kqueue_fd)) {}

    std::string_view name() const override { return "kqueue"; }

    Status watch(int fd, Interest interest) override {
        LOOPLAB_ASSERT(!interest_of_.contains(fd), "fd watched twice; use change() instead");
        interest_of_[fd] = Interest::none();
        return change(fd, interest);
    }

    Status change(int fd, Interest interest) override {
        const auto known = interest_of_.find(fd);
        LOOPLAB_ASSERT(known != interest_of_.end(), "change() of an fd that is not watched");
        struct kevent changes[2];
        int count = 0;
        // Add or delete each filter whose wish changed; unchanged filters are left alone.
        if (interest.readable != known->second.readable)
            EV_SET(&changes[count++], fd, EVFILT_READ, interest.readable ? EV_ADD : EV_DELETE, 0, 0,
                   nullptr);
        if (interest.writable != known->second.writable)
            EV_SET(&changes[count++], fd, EVFILT_WRITE, interest.writable ? EV_ADD : EV_DELETE, 0,
                   0, nullptr);
        if (count > 0 && ::kevent(kqueue_fd_.get(), changes, count, nullptr, 0, nullptr) == -1)
            return Error::from_errno(fmt::format("kevent fd {}", fd));
        known->second = interest;
        return Ok{};
    }

    void forget(int fd) override {
        // Closing an fd removes its kevents by itself; deleting first keeps the rule simple:
        // forget, then close. Errors (already closed) are expected and ignored.
        if (interest_of_.contains(fd)) (void)change(fd, Interest::none());
        interest_of_.erase(fd);
    }

    Status wait(std::optional<Millis> timeout, std::vector<Ready>& ready) override {
        ready.clear();
        timespec limit{};
        if (timeout) {
            limit.tv_sec = static_cast<time_t>(timeout->count() / 1000);
            limit.tv_nsec = static_cast<long>((timeout->count() % 1000) * 1'000'000);
        }
        const int count = ::kevent(kqueue_fd_.get(), nullptr, 0, events_, kMaxEventsPerWait,
                                   timeout ? &limit : nullptr);
        if (count == -1) {
            if (errno == EINTR) return Ok{};   // a signal woke us early: nothing is ready
            return Error::from_errno("kevent");
        }
        // Merge the read and write kevents of one fd into one record.
        std::unordered_map<int, std::size_t> index_of;
        for (int i = 0; i < count; ++i) {
            const struct kevent& event = events_[i];
            const int fd = static_cast<int>(event.ident);
            auto [slot, is_new] = index_of.try_emplace(fd, ready.size());
            if (is_new) ready.push_back(Ready{.fd = fd});
            detail::add_kevent(ready[slot->second],
                               detail::KeventSays{
                                   .read_filter = event.filter == EVFILT_READ,
                                   .write_filter = event.filter == EVFILT_WRITE,
                                   .end_of_file = (event.flags & EV_EOF) != 0,
                                   .failed = (event.flags & EV_ERROR) != 0,
                                   .fflags = static_cast<std::uint32_t>(event.fflags),
                                   .data = static_cast<std::int64_t>(event.data),
                               });
        }
        return Ok{};
    }

private:
    UniqueFd kqueue_fd_;
    std::unordered_map<int, Interest> interest_of_;   // kqueue has no "modify": we diff
    struct kevent events_[kMaxEventsPerWait];
};

}   // namespace

Result<std::unique_ptr<Poller>> make_kqueue_poller() {
    UniqueFd fd{::kqueue()};
    if (!fd) return Error::from_errno("kqueue");
    return std::unique_ptr<Poller>{std::make_unique<KqueuePoller>(std::move(fd))};
}

}   // namespace looplab::poller

#endif   // LOOPLAB_HAS_KQUEUE
