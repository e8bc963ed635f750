// lessons/08-event-loop/turn_recorder.cpp — one line per turn, from the tracer's events.
#include "event_loop_lesson.hpp"

#include "looplab/loop/phase.hpp"
#include "looplab/trace/sinks.hpp"

namespace loop_lesson {
namespace {

constexpr looplab::loop::Phase kPhases[] = {looplab::loop::Phase::Timers, looplab::loop::Phase::Poll,
                                            looplab::loop::Phase::Next, looplab::loop::Phase::Close};

}  // namespace

void TurnRecorder::turn(std::uint64_t number) {
    turns_.push_back(Turn{number, {}});
    phase_ = 0;
    if (also_) also_->turn(number);
}

void TurnRecorder::note(std::string_view stable, std::string_view live, std::size_t depth) {
    // The loop announces each phase with a note that starts with its name ("poll     1 ready").
    if (depth == 0)
        for (std::size_t i = 0; i < std::size(kPhases); ++i)
            if (stable.starts_with(looplab::loop::name_of(kPhases[i]))) phase_ = i;
    if (also_) also_->note(stable, live, depth);
}

void TurnRecorder::push(const looplab::trace::Frame& frame, std::size_t depth) {
    // Depth 0: a callback the loop itself started. Deeper frames are that callback's calls.
    if (depth == 0 && !turns_.empty()) turns_.back().ran[phase_].push_back(looplab::trace::describe(frame));
    if (also_) also_->push(frame, depth);
}

void TurnRecorder::pop(const looplab::trace::Frame& frame, std::size_t depth) {
    if (also_) also_->pop(frame, depth);
}

std::vector<std::string> TurnRecorder::lines() const {
    std::vector<std::string> lines;
    for (const Turn& turn : turns_) {
        std::string line = fmt::format("turn {}", turn.number);
        for (std::size_t i = 0; i < std::size(kPhases); ++i) {
            std::string ran;
            for (const std::string& callback : turn.ran[i]) ran += (ran.empty() ? "" : ", ") + callback;
            line += fmt::format("{}{}: {}", i == 0 ? "  " : " | ", kPhases[i], ran.empty() ? "-" : ran);
        }
        lines.push_back(std::move(line));
    }
    return lines;
}

}  // namespace loop_lesson
