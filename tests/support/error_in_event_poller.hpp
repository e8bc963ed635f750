// tests/support/error_in_event_poller.hpp — kqueue's way of reporting socket errors, on any
// machine: a real backend, wrapped so that the error comes WITH the event and is gone from
// the socket, as it is under libkqueue (kqueue on Linux), which takes it with
// getsockopt(SO_ERROR) to fill in the EV_EOF kevent's fflags.
//
// Code that still asks the socket afterwards hears 0 and misses the error: a refused connect
// looks connected, a reset looks like a clean end, a UDP "port unreachable" never arrives.
// Net tests run on it (error_in_event_test.cpp) to prove that the error in the event is used.
#pragma once

#include "looplab/poller/poller.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <sys/socket.h>

namespace looplab::testing {

class ErrorInEventPoller final : public poller::Poller {
public:
    explicit ErrorInEventPoller(std::unique_ptr<poller::Poller> inner)
        : inner_(std::move(inner)), name_(std::string{inner_->name()} + "+error-in-event") {}

    // The inner backend by name, wrapped; the name is one of poller::available_pollers().
    static std::unique_ptr<ErrorInEventPoller> around(std::string_view inner_name) {
        return std::make_unique<ErrorInEventPoller>(poller::make_poller(inner_name).value());
    }

    std::string_view name() const override { return name_; }
    Status watch(int fd, poller::Interest interest) override { return inner_->watch(fd, interest); }
    Status change(int fd, poller::Interest interest) override {
        return inner_->change(fd, interest);
    }
    void forget(int fd) override { inner_->forget(fd); }

    Status wait(std::optional<Millis> timeout, std::vector<poller::Ready>& ready) override {
        auto waited = inner_->wait(timeout, ready);
        for (poller::Ready& record : ready) {
            if (!record.error && !record.hangup) continue;
            // Takes the error: afterwards the socket says 0. Not a socket (the loop's wake-up
            // fd): the call fails and nothing changes.
            int error = 0;
            socklen_t size = sizeof error;
            if (::getsockopt(record.fd, SOL_SOCKET, SO_ERROR, &error, &size) == -1) continue;
            if (error == 0) continue;
            record.error = true;
            record.socket_error = error;
            ++errors_moved_;
        }
        return waited;
    }

    // How many errors went from a socket into an event: a test that expects an error to
    // travel this way checks that it did, or it would prove nothing.
    int errors_moved() const { return errors_moved_; }

private:
    std::unique_ptr<poller::Poller> inner_;
    std::string name_;
    int errors_moved_ = 0;
};

}   // namespace looplab::testing
