// lessons/06-event-handler/doorbell.hpp
//
// A doorbell wired to a pipe. Pressing it writes one byte into the pipe; the EVENT HANDLER
// is the function the loop calls when the pipe's read end has bytes waiting. The handler then
// emits "ring" to any LISTENERS: two different things that are easy to confuse.
//
//   press() ──write──► [ pipe ] ──readable──► loop (poll phase) ──► on_readable()   handler
//                                                                      └─ emit("ring") ──► listeners
#pragma once

#include "looplab/core/result.hpp"
#include "looplab/core/unique_fd.hpp"
#include "looplab/events/event_emitter.hpp"
#include "looplab/lesson/lesson.hpp"
#include "looplab/loop/event_loop.hpp"

#include <cstddef>

namespace door {

class Doorbell {
public:
    // Listeners: doorbell.events.on("ring", [](const int& rings) { ... }).
    looplab::events::EventEmitter<int> events;

    explicit Doorbell(looplab::loop::EventLoop& loop) : loop_(loop) {}
    ~Doorbell() { unwire(); }
    Doorbell(const Doorbell&) = delete;
    Doorbell& operator=(const Doorbell&) = delete;

    // Makes the pipe and binds the handler to its read end's readiness.
    [[nodiscard]] looplab::Status wire();

    // Someone at the door: one byte per press.
    void press(int times = 1);

    // The person at the door walks away: the write end closes, the handler sees "hang-up".
    void walk_away() { write_end_.reset(); }

    // How many bytes the handler reads per call (the bell's "patience").
    void set_bytes_per_read(std::size_t bytes) { bytes_per_read_ = bytes; }

    // Bytes written but not read yet.
    std::size_t waiting() const;
    bool is_wired() const { return read_end_.get() >= 0; }
    // How many times the loop has called the handler.
    int handler_calls() const { return handler_calls_; }

private:
    // THE EVENT HANDLER: the loop calls it from its poll phase whenever the read end is ready.
    void on_readable(const looplab::loop::Ready& ready);
    void unwire();

    looplab::loop::EventLoop& loop_;
    looplab::UniqueFd read_end_;
    looplab::UniqueFd write_end_;
    std::size_t bytes_per_read_ = 64;
    int rings_ = 0;
    int handler_calls_ = 0;
};

}  // namespace door
