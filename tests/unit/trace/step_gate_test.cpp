// The step/pause protocol (StepGate): a paused program really waits, "step" lets exactly one
// callback (depth-0 frame) through with everything it calls, "step-frame" one frame,
// "step-turn" everything up to the next turn, "continue" everything; release() never lets a
// program wait again. The program runs on a thread of its own here, as under --watch.
// Also the bounded EventChannel: full means dropped and counted, never blocked.
#include "looplab/trace/event_channel.hpp"
#include "looplab/trace/step_gate.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using looplab::trace::EventChannel;
using looplab::trace::StepGate;

namespace {

// Waits (bounded) until the gate reports the program stopped for the `stops`-th time.
class StopWatcher {
public:
    explicit StopWatcher(StepGate& gate) {
        gate.set_on_change([this](const StepGate::Status& status) {
            const std::lock_guard lock{mutex_};
            if (status.waiting) stops_ = status.stops;
            changed_.notify_all();
        });
    }
    bool wait_for_stop(std::uint64_t stops) {
        std::unique_lock lock{mutex_};
        return changed_.wait_for(lock, 5s, [&] { return stops_ >= stops; });
    }

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::uint64_t stops_ = 0;
};

// A pretend program: `callbacks` callbacks per turn, each with one nested frame. It records
// which frames ran (after passing the gate).
struct Program {
    explicit Program(StepGate& program_gate) : gate(program_gate) {}

    StepGate& gate;
    int turns = 3;
    int callbacks = 2;
    std::mutex mutex;
    std::vector<std::string> ran;

    void run() {
        for (int turn = 1; turn <= turns; ++turn) {
            gate.at_turn();
            for (int callback = 1; callback <= callbacks; ++callback) {
                gate.pass(0);
                record(std::to_string(turn) + "." + std::to_string(callback));
                gate.pass(1);
                record(std::to_string(turn) + "." + std::to_string(callback) + " nested");
            }
        }
    }
    void record(std::string what) {
        const std::lock_guard lock{mutex};
        ran.push_back(std::move(what));
    }
    std::vector<std::string> seen() {
        const std::lock_guard lock{mutex};
        return ran;
    }
};

}   // namespace

TEST_CASE("a paused gate stops the program until a step, one callback per step", "[trace][gate]") {
    StepGate gate{StepGate::Mode::Paused};
    StopWatcher stops{gate};
    Program program{gate};
    std::thread runner{[&] { program.run(); }};

    REQUIRE(stops.wait_for_stop(1));   // at the first turn
    CHECK(program.seen().empty());
    CHECK(gate.status().waiting);

    gate.step(StepGate::Step::Callback);   // runs 1.1 (and its nested frame), stops before 1.2
    REQUIRE(stops.wait_for_stop(2));
    CHECK(program.seen() == std::vector<std::string>{"1.1", "1.1 nested"});

    gate.step(StepGate::Step::Callback);   // 1.2, then the turn does not stop: 2.1 stops
    REQUIRE(stops.wait_for_stop(3));
    CHECK(program.seen().size() == 4);
    CHECK(program.seen().back() == "1.2 nested");

    gate.step(StepGate::Step::Frame);   // one frame: 2.1 itself, stop before its nested one
    REQUIRE(stops.wait_for_stop(4));
    CHECK(program.seen().back() == "2.1");

    gate.step(StepGate::Step::Turn);   // the rest of turn 2, stop at turn 3
    REQUIRE(stops.wait_for_stop(5));
    CHECK(program.seen().size() == 8);
    CHECK(program.seen().back() == "2.2 nested");

    gate.resume();
    runner.join();
    CHECK(program.seen().size() == 12);
    CHECK(gate.status().stops == 5);
}

TEST_CASE("pause stops a running program at its next callback", "[trace][gate]") {
    StepGate gate{StepGate::Mode::Running};
    gate.set_speed(20ms);   // slow enough that the pause lands mid-run
    StopWatcher stops{gate};
    Program program{gate};
    program.turns = 100;
    std::thread runner{[&] { program.run(); }};
    gate.pause();
    REQUIRE(stops.wait_for_stop(1));
    const auto at_pause = program.seen().size();
    CHECK(at_pause < 400);
    CHECK(gate.status().mode == StepGate::Mode::Paused);
    gate.set_speed(0ms);                 // not a command: the program stays where it is
    std::this_thread::sleep_for(50ms);   // (a check that nothing moves: there is no event to await)
    CHECK(program.seen().size() == at_pause);
    gate.resume();
    runner.join();
    CHECK(program.seen().size() == 400);
}

TEST_CASE("release lets a stopped program go and never stop again", "[trace][gate]") {
    StepGate gate{StepGate::Mode::Paused};
    StopWatcher stops{gate};
    Program program{gate};
    std::thread runner{[&] { program.run(); }};
    REQUIRE(stops.wait_for_stop(1));
    gate.release();
    runner.join();
    CHECK(program.seen().size() == 12);
    gate.pause();   // too late: released
    CHECK(gate.status().released);
}

TEST_CASE("the page's command names", "[trace][gate]") {
    StepGate gate{StepGate::Mode::Running};
    CHECK(gate.command("pause"));
    CHECK(gate.status().mode == StepGate::Mode::Paused);
    CHECK(gate.command("step-turn"));
    CHECK(gate.status().step == StepGate::Step::Turn);
    CHECK(gate.command("continue"));
    CHECK(gate.status().mode == StepGate::Mode::Running);
    CHECK_FALSE(gate.command("rm -rf"));
    gate.set_speed(std::chrono::milliseconds{1000000});
    CHECK(gate.status().speed == looplab::trace::kWatchMaxSpeedDelay);
}

TEST_CASE("a full channel drops and counts, and still numbers every event", "[trace][channel]") {
    EventChannel channel{3};
    CHECK(channel.publish("turn", ",\"n\":1"));         // the first one wakes the reader
    CHECK_FALSE(channel.publish("turn", ",\"n\":2"));   // the wake-up is already on its way
    channel.publish("turn", ",\"n\":3");
    channel.publish("turn", ",\"n\":4");   // dropped
    channel.publish("turn", ",\"n\":5");   // dropped
    auto batch = channel.take();
    REQUIRE(batch.events.size() == 3);
    CHECK(batch.dropped == 2);
    CHECK(batch.events[2].find("\"seq\":3,") != std::string::npos);
    CHECK(channel.publish("turn", ",\"n\":6"));   // after take(): wakes again
    batch = channel.take();
    REQUIRE(batch.events.size() == 1);
    CHECK(batch.events[0].find("\"seq\":6,") != std::string::npos);   // the gap shows the loss
    CHECK(batch.dropped == 2);
}
