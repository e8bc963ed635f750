// looplab/trace/step_gate.hpp
//
// StepGate — where a watched program really stops. The program's thread (the one that runs
// the lesson's loop) passes through the gate before every frame it pushes and at the start of
// every loop turn; the watch page's buttons, arriving on the watch server's thread, open and
// close it:
//
//   pause       stop at the next callback (or turn) the program reaches
//   step        run exactly one callback: the one waiting at the gate, with everything it
//               calls (nested frames never stop), then stop before the next one. A callback
//               is a frame pushed at depth 0: what the loop calls (a timer, an fd handler, a
//               soon or next task) or a lesson's outermost scope.
//   step-frame  run to the next push at any depth (lesson 01: watch the stack grow)
//   step-turn   run to the start of the next loop turn
//   continue    run; with a speed, wait `speed_ms` before each callback (slow motion)
//
// While stopped, the program's thread blocks on a condition variable: its loop does not turn,
// its timers wait, its sockets are not read (the kernel keeps the bytes). That is why the
// watch server cannot run on the program's loop and has a thread of its own.
//
// release() opens the gate for good (the last page left, or the program ends): a program
// nobody watches never waits. Every change is reported to `on_change` (the watch server turns
// it into a "gate" event), called with the gate's lock held: it must not call back into the
// gate.
//
// Contract: pass() and at_turn() from the program's thread; everything else from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace looplab::trace {

// The slowest slow motion the page may ask for, per callback.
inline constexpr std::chrono::milliseconds kWatchMaxSpeedDelay{5000};

class StepGate {
public:
    enum class Mode { Running, Paused };
    enum class Step { None, Callback, Frame, Turn };

    struct Status {
        Mode mode = Mode::Paused;
        Step step = Step::None;
        bool waiting = false;   // the program's thread is blocked in the gate now
        std::chrono::milliseconds speed{0};
        bool released = false;
        std::uint64_t stops = 0;   // how many times the program has stopped so far
    };
    using OnChange = std::function<void(const Status&)>;

    explicit StepGate(Mode start = Mode::Paused) { status_.mode = start; }

    void set_on_change(OnChange on_change);

    // ---- the program's thread ----------------------------------------------------------
    // Before a frame is pushed at `depth`; may block.
    void pass(std::size_t depth);
    // At the start of a loop turn; may block.
    void at_turn();

    // ---- the controls (any thread) -----------------------------------------------------
    void pause();
    void step(Step kind);
    void resume();
    void set_speed(std::chrono::milliseconds delay);   // clamped to kWatchMaxSpeedDelay
    void release();
    // A command from the page, as text: "pause", "step", "step-frame", "step-turn",
    // "continue". False for anything else (the caller reports it).
    bool command(std::string_view name);

    Status status() const;

private:
    enum class Point { Push, Turn };
    bool may_go(Point point, std::size_t depth, bool woken_here);
    void wait_at(Point point, std::size_t depth);
    void changed();   // lock held

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    Status status_;
    bool credit_ = false;          // step / step-frame: one push may still go
    std::uint64_t commands_ = 0;   // bumped by every control: wakes the program's thread
    OnChange on_change_;
};

std::string_view name_of(StepGate::Mode mode);
std::string_view name_of(StepGate::Step step);

}   // namespace looplab::trace
