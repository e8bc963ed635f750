// Where a watched program stops; see looplab/trace/step_gate.hpp.
#include "looplab/trace/step_gate.hpp"

#include <algorithm>

namespace looplab::trace {

std::string_view name_of(StepGate::Mode mode) {
    return mode == StepGate::Mode::Running ? "running" : "paused";
}

std::string_view name_of(StepGate::Step step) {
    switch (step) {
        case StepGate::Step::None: return "none";
        case StepGate::Step::Callback: return "callback";
        case StepGate::Step::Frame: return "frame";
        case StepGate::Step::Turn: return "turn";
    }
    return "?";
}

void StepGate::set_on_change(OnChange on_change) {
    const std::lock_guard lock{mutex_};
    on_change_ = std::move(on_change);
}

StepGate::Status StepGate::status() const {
    const std::lock_guard lock{mutex_};
    return status_;
}

void StepGate::changed() {
    if (on_change_) on_change_(status_);
}

// The rules of the table in the header. `woken_here`: the program already stopped at this very
// point and a command woke it, so the command applies from this point on.
bool StepGate::may_go(Point point, std::size_t depth, bool woken_here) {
    if (status_.released || status_.mode == Mode::Running) return true;
    switch (status_.step) {
        case Step::None: return false;
        case Step::Callback:
            if (point == Point::Turn) return true;
            if (depth > 0) {
                // Stopped inside a callback (after step-frame): this callback is the step.
                if (woken_here) credit_ = false;
                return true;
            }
            if (credit_) {
                credit_ = false;
                return true;
            }
            return false;
        case Step::Frame:
            if (point == Point::Turn) return true;
            if (credit_) {
                credit_ = false;
                return true;
            }
            return false;
        case Step::Turn: return point == Point::Push || woken_here;
    }
    return true;
}

void StepGate::wait_at(Point point, std::size_t depth) {
    std::unique_lock lock{mutex_};
    bool woken_here = false;
    for (;;) {
        if (!status_.released && status_.mode == Mode::Running && point == Point::Push &&
            depth == 0 && status_.speed.count() > 0) {
            // Slow motion: a pause or step pressed meanwhile ends the wait early, and then
            // applies here.
            const std::uint64_t seen = commands_;
            wake_.wait_for(lock, status_.speed,
                           [&] { return commands_ != seen || status_.released; });
            if (status_.mode == Mode::Running || status_.released) return;
        }
        if (may_go(point, depth, woken_here)) return;
        status_.waiting = true;
        ++status_.stops;
        changed();
        const std::uint64_t seen = commands_;
        wake_.wait(lock, [&] { return commands_ != seen || status_.released; });
        status_.waiting = false;
        woken_here = true;
        // Report "running" now, not only at the next stop: the page shows the program moving.
        changed();
    }
}

void StepGate::pass(std::size_t depth) { wait_at(Point::Push, depth); }

void StepGate::at_turn() { wait_at(Point::Turn, 0); }

void StepGate::pause() {
    const std::lock_guard lock{mutex_};
    status_.mode = Mode::Paused;
    status_.step = Step::None;
    credit_ = false;
    ++commands_;
    if (!status_.waiting) changed();   // a stopped program reports itself when it wakes
    wake_.notify_all();
}

void StepGate::step(Step kind) {
    const std::lock_guard lock{mutex_};
    status_.mode = Mode::Paused;
    status_.step = kind;
    credit_ = kind == Step::Callback || kind == Step::Frame;
    ++commands_;
    if (!status_.waiting) changed();   // a stopped program reports itself when it wakes
    wake_.notify_all();
}

void StepGate::resume() {
    const std::lock_guard lock{mutex_};
    status_.mode = Mode::Running;
    status_.step = Step::None;
    credit_ = false;
    ++commands_;
    if (!status_.waiting) changed();   // a stopped program reports itself when it wakes
    wake_.notify_all();
}

void StepGate::set_speed(std::chrono::milliseconds delay) {
    const std::lock_guard lock{mutex_};
    // Not a command: a program stopped at the gate stays stopped (and one in slow motion
    // finishes its current wait; at most kWatchMaxSpeedDelay).
    status_.speed = std::clamp(delay, std::chrono::milliseconds{0}, kWatchMaxSpeedDelay);
    changed();
}

void StepGate::release() {
    const std::lock_guard lock{mutex_};
    if (status_.released) return;
    status_.released = true;
    ++commands_;
    if (!status_.waiting) changed();   // a stopped program reports itself when it wakes
    wake_.notify_all();
}

bool StepGate::command(std::string_view name) {
    if (name == "pause") pause();
    else if (name == "step") step(Step::Callback);
    else if (name == "step-frame") step(Step::Frame);
    else if (name == "step-turn") step(Step::Turn);
    else if (name == "continue") resume();
    else return false;
    return true;
}

}   // namespace looplab::trace
