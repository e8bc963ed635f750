// lessons/07-event-queue/event_queue_lesson.hpp
//
// What the files of lesson 07 share: a line printer that says WHERE in the loop a line was
// printed (turn and phase), and a one-shot "I/O event" made from a pipe.
#pragma once

#include "looplab/core/result.hpp"
#include "looplab/core/unique_fd.hpp"
#include "looplab/lesson/lesson.hpp"
#include "looplab/loop/event_loop.hpp"

#include <cstdint>
#include <functional>
#include <string_view>

namespace queue_lesson {

// "turn 1  timers  text": the turn and phase the loop is in right now.
void report(const looplab::loop::EventLoop& loop, std::string_view text);

// An I/O event on demand: happen() writes a byte into a pipe; in the next poll phase the
// loop sees the read end readable and calls the handler once (it then stops watching).
class IoEvent {
public:
    explicit IoEvent(looplab::loop::EventLoop& loop) : loop_(loop) {}
    ~IoEvent();
    IoEvent(const IoEvent&) = delete;
    IoEvent& operator=(const IoEvent&) = delete;

    [[nodiscard]] looplab::Status on_ready(std::function<void()> handler);
    void happen();

private:
    looplab::loop::EventLoop& loop_;
    looplab::UniqueFd read_end_;
    looplab::UniqueFd write_end_;
    std::function<void()> handler_;
};

void run_ordering_puzzle(const looplab::lesson::Options& options);
void run_timer_or_next(const looplab::lesson::Options& options);
void run_soon_starvation(const looplab::lesson::Options& options);
void run_next_fairness(const looplab::lesson::Options& options);

}  // namespace queue_lesson
