// lessons/08-event-loop/event_loop_lesson.hpp
//
// What the files of lesson 08 share: the workload (workload.cpp), the recorder that turns
// the tracer's events into one line per turn (turn_recorder.cpp), and the cost measurement
// with many idle fds (backend_cost.cpp).
#pragma once

#include "looplab/core/result.hpp"
#include "looplab/trace/call_stack.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace loop_lesson {

// A trace sink that writes one line per turn, listing what ran in each phase:
//   "turn 1  timers: timer #1, soon task | poll: fd readable pipe A | next: - | close: -"
// Everything it hears is also passed on to `also` (the --trace output, if any).
class TurnRecorder final : public looplab::trace::Sink {
public:
    explicit TurnRecorder(looplab::trace::Sink* also) : also_(also) {}

    // The finished lines (call after the loop has run).
    std::vector<std::string> lines() const;
    looplab::trace::Sink* also() const { return also_; }

    void turn(std::uint64_t number) override;
    void note(std::string_view stable, std::string_view live, std::size_t depth) override;
    void push(const looplab::trace::Frame& frame, std::size_t depth) override;
    void pop(const looplab::trace::Frame& frame, std::size_t depth) override;
    void state(const looplab::trace::LoopState& state) override { if (also_) also_->state(state); }

private:
    struct Turn {
        std::uint64_t number;
        std::vector<std::string> ran[4];   // per phase, in the order of loop::Phase
    };

    looplab::trace::Sink* also_;
    std::vector<Turn> turns_;
    std::size_t phase_ = 0;
};

// Runs the lesson's workload on a fresh loop with `poller` and returns one line per turn.
std::vector<std::string> run_workload(const std::string& poller);

// One pipe ping-pong among many idle watched pipes.
struct Cost {
    std::size_t turns = 0;
    double micros_per_round_trip = 0;
};
[[nodiscard]] looplab::Result<Cost> measure_cost(const std::string& poller, std::size_t idle_pipes,
                                                 std::size_t round_trips);

}  // namespace loop_lesson
