// tests/support/lifetime_probe.hpp — the lifetime rule of include/looplab/README.md, checked
// the same way for every handle-like type (tests/integration/lifetime/):
//
//     LifetimeProbe probe{"data"};                  // the listener that will destroy it
//     probe.set_destroy([&] { connection.reset(); });
//     connection->on(events::data, probe.on("data"));   // every listener reports to it
//     ... make "data" happen ...
//     CHECK(runs_to_end(loop));                     // nothing left behind keeps the loop up
//     CHECK(probe.late().empty());                  // nothing fired after destruction
//
// A listener made by on() keeps running after it destroyed its object, and reads its captures
// then: where the object freed them too early, ASan (make asan) reports it.
#pragma once

#include "looplab/loop/event_loop.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace looplab::testing {

class LifetimeProbe {
public:
    // `victim`: the event whose listener destroys (or closes) the object; empty for none.
    explicit LifetimeProbe(std::string victim = {}) : victim_(std::move(victim)) {}
    LifetimeProbe(const LifetimeProbe&) = delete;
    LifetimeProbe& operator=(const LifetimeProbe&) = delete;

    void set_destroy(std::function<void()> destroy) { destroy_ = std::move(destroy); }

    // A listener for any event signature. Its captures are 16 trivially copyable bytes, so a
    // std::function keeps them inside itself (in the object under test, not on the heap).
    auto on(const char* event) {
        return [this, event](auto&&...) {
            hear(event);
            // After the destroy: reads this lambda's captures, which must still exist.
            heard_after_.emplace_back(event);
        };
    }

    // Records `event`; runs the destroy when `event` is the victim. Every event after that
    // is late.
    void hear(std::string_view event) {
        if (is_gone_) late_.emplace_back(event);
        heard_.emplace_back(event);
        if (is_gone_ || event != victim_) return;
        is_gone_ = true;
        if (destroy_) destroy_();
    }
    // Destroyed or closed from outside a listener: what comes after is late too (where the
    // rule says nothing may come; a close() still owes on_close, so that test does not mark).
    void gone() { is_gone_ = true; }

    bool is_gone() const { return is_gone_; }
    bool heard(std::string_view event) const {
        return std::find(heard_.begin(), heard_.end(), event) != heard_.end();
    }
    const std::vector<std::string>& late() const { return late_; }
    // "data end close", for CAPTURE.
    std::string story() const { return fmt::format("{}", fmt::join(heard_, " ")); }

private:
    std::string victim_;
    std::function<void()> destroy_;
    bool is_gone_ = false;
    std::vector<std::string> heard_;
    std::vector<std::string> heard_after_;
    std::vector<std::string> late_;
};

// Runs `loop` until it ends by itself: a watched fd, a timer or a task that the object under
// test left behind would keep it running. False if `limit` passed first.
inline bool runs_to_end(loop::EventLoop& loop, Millis limit = Millis{5000}) {
    bool timed_out = false;
    const loop::TimerId guard = loop.set_timeout(limit, [&] {
        timed_out = true;
        loop.stop();
    });
    loop.unref_timer(guard);   // the guard itself must not keep the loop alive
    REQUIRE(loop.run());
    loop.cancel_timer(guard);
    return !timed_out;
}

}   // namespace looplab::testing
