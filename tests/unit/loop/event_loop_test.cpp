// The loop's rules, checked once per backend. Pipes stand in for sockets: they become
// readable and writable the same way, and need no network.
#include "looplab/core/unique_fd.hpp"
#include "looplab/loop/event_loop.hpp"

#include "looplab/trace/sinks.hpp"
#include "support/pollers.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <csignal>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace std::chrono_literals;
using looplab::Millis;
using looplab::UniqueFd;
using looplab::loop::EventLoop;
using looplab::loop::Interest;
using looplab::loop::Ready;
using looplab::testing::test_pollers;

namespace {

struct Pipe {
    UniqueFd read_end;
    UniqueFd write_end;
};

Pipe make_pipe() {
    int ends[2];
    REQUIRE(::pipe2(ends, O_NONBLOCK | O_CLOEXEC) == 0);
    return Pipe{UniqueFd{ends[0]}, UniqueFd{ends[1]}};
}

void write_byte(int fd) { REQUIRE(::write(fd, "x", 1) == 1); }

}   // namespace

TEST_CASE("an unknown poller name is an error that lists the available ones", "[loop][poller]") {
    auto made = looplab::poller::make_poller("select");
    REQUIRE_FALSE(made);
    CHECK(made.error().message().find("unknown poller 'select'") != std::string::npos);
    CHECK(made.error().message().find("poll") != std::string::npos);
}

TEST_CASE("a loop with nothing to do ends at once", "[loop]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    EventLoop loop{poller};
    CHECK(loop.poller_name() == poller);
    CHECK_FALSE(loop.is_alive());
    CHECK(loop.run());
    CHECK(loop.turn() == 0);
}

TEST_CASE("the loop runs until its last timer has fired, then ends by itself", "[loop]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    EventLoop loop{poller};
    std::string order;
    loop.set_timeout(Millis{3}, [&] { order += "b"; });
    loop.set_timeout(Millis{1}, [&] { order += "a"; });
    loop.set_timeout(Millis{3}, [&] { order += "c"; });   // same deadline as b: after b
    REQUIRE(loop.run());
    CHECK(order == "abc");
}

TEST_CASE("an unref'd timer does not keep the loop alive", "[loop]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    EventLoop loop{poller};
    bool background_fired = false;
    const auto background = loop.set_interval(Millis{1}, [&] { background_fired = true; });
    loop.unref_timer(background);
    bool foreground_fired = false;
    loop.set_timeout(Millis{0}, [&] { foreground_fired = true; });
    REQUIRE(loop.run());
    CHECK(foreground_fired);
    CHECK_FALSE(loop.is_alive());
    (void)background_fired;   // may or may not have fired: only liveness is the point
}

TEST_CASE("soon tasks run right after the current callback, next tasks in the next phase",
          "[loop][queue]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    EventLoop loop{poller};
    std::vector<std::string> order;
    loop.set_timeout(Millis{0}, [&] {
        order.push_back("timer 1");
        loop.post_next([&] { order.push_back("next (posted by timer 1)"); });
        loop.post_soon([&] {
            order.push_back("soon (posted by timer 1)");
            loop.post_soon([&] { order.push_back("soon (posted by a soon task)"); });
        });
    });
    loop.set_timeout(Millis{0}, [&] { order.push_back("timer 2"); });
    REQUIRE(loop.run());
    const std::vector<std::string> expected{"timer 1", "soon (posted by timer 1)",
                                            "soon (posted by a soon task)", "timer 2",
                                            "next (posted by timer 1)"};
    CHECK(order == expected);
}

TEST_CASE("next tasks posted during the next phase wait for the following turn", "[loop][queue]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    EventLoop loop{poller};
    std::vector<std::uint64_t> turns;
    loop.post_next([&] {
        turns.push_back(loop.turn());
        loop.post_next([&] { turns.push_back(loop.turn()); });
    });
    REQUIRE(loop.run());
    REQUIRE(turns.size() == 2);
    CHECK(turns[1] == turns[0] + 1);
}

TEST_CASE("post_next from 8 threads x 10,000 tasks runs every task exactly once",
          "[loop][queue][threads]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    EventLoop loop{poller};
    constexpr int kThreads = 8;
    constexpr int kTasksEach = 10'000;
    std::vector<int> runs(kThreads * kTasksEach, 0);   // touched only on the loop thread
    int total = 0;
    {
        auto hold = loop.hold();   // the threads will post: do not end for lack of work
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t)
            threads.emplace_back([&, t] {
                for (int i = 0; i < kTasksEach; ++i)
                    loop.post_next([&, slot = t * kTasksEach + i] {
                        ++runs[static_cast<std::size_t>(slot)];
                        ++total;
                    });
            });
        CHECK(loop.run_until([&] { return total == kThreads * kTasksEach; }, 20s));
        for (auto& thread : threads) thread.join();
    }
    REQUIRE(loop.run());
    CHECK(total == kThreads * kTasksEach);
    for (const int count : runs) REQUIRE(count == 1);
}

TEST_CASE("a pipe's read end is reported readable only once something was written", "[loop][io]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    EventLoop loop{poller};
    Pipe pipe = make_pipe();
    int readable_calls = 0;
    REQUIRE(loop.watch(pipe.read_end.get(), Interest::read(), [&](const Ready& ready) {
        CHECK(ready.readable);
        char buffer[16];
        CHECK(::read(pipe.read_end.get(), buffer, sizeof buffer) == 1);
        ++readable_calls;
        loop.forget(pipe.read_end.get());
    }));
    loop.set_timeout(Millis{5}, [&] {
        CHECK(readable_calls == 0);   // nothing written yet: the handler has not run
        write_byte(pipe.write_end.get());
    });
    REQUIRE(loop.run());
    CHECK(readable_calls == 1);
}

TEST_CASE("level-triggered: an fd that stays readable is reported again", "[loop][io]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    EventLoop loop{poller};
    Pipe pipe = make_pipe();
    REQUIRE(::write(pipe.write_end.get(), "abc", 3) == 3);
    std::string received;
    REQUIRE(loop.watch(pipe.read_end.get(), Interest::read(), [&](const Ready&) {
        char one;
        REQUIRE(::read(pipe.read_end.get(), &one, 1) == 1);   // read only one byte per call
        received += one;
        if (received.size() == 3) loop.forget(pipe.read_end.get());
    }));
    REQUIRE(loop.run());
    CHECK(received == "abc");
}

TEST_CASE("a pipe's write end is writable, and closing the reader is a hang-up or error",
          "[loop][io]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    EventLoop loop{poller};
    Pipe pipe = make_pipe();
    bool saw_writable = false;
    REQUIRE(loop.watch(pipe.write_end.get(), Interest::write(), [&](const Ready& ready) {
        saw_writable = ready.writable;
        loop.forget(pipe.write_end.get());
    }));
    REQUIRE(loop.run());
    CHECK(saw_writable);

    // The write end of a pipe whose reader is gone reports an error (POLLERR / EPOLLERR).
    pipe.read_end.reset();
    bool saw_error = false;
    REQUIRE(loop.watch(pipe.write_end.get(), Interest::write(), [&](const Ready& ready) {
        saw_error = ready.error || ready.hangup;
        loop.forget(pipe.write_end.get());
    }));
    REQUIRE(loop.run());
    CHECK(saw_error);
}

TEST_CASE("a hang-up counts as readable only for a watcher that asked to read", "[loop][io]") {
    // Every backend tells the same story: epoll reports EPOLLHUP to every registration, but a
    // watcher that only writes must not be told "readable" (it would read for nothing).
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    EventLoop loop{poller};
    int ends[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, ends) == 0);
    looplab::UniqueFd ours{ends[0]};
    looplab::UniqueFd theirs{ends[1]};
    theirs.reset();   // the peer is gone: a hang-up on our end
    std::optional<Ready> seen;
    REQUIRE(loop.watch(ours.get(), Interest::write(), [&](const Ready& ready) {
        seen = ready;
        loop.forget(ours.get());
    }));
    REQUIRE(loop.run());
    REQUIRE(seen);
    CHECK_FALSE(seen->readable);
    CHECK((seen->hangup || seen->error || seen->writable));
}

TEST_CASE("closing the writer makes the reader see a hang-up and read() return 0", "[loop][io]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    EventLoop loop{poller};
    Pipe pipe = make_pipe();
    pipe.write_end.reset();
    ssize_t got = -1;
    REQUIRE(loop.watch(pipe.read_end.get(), Interest::read(), [&](const Ready& ready) {
        CHECK(ready.readable);
        CHECK(ready.hangup);
        char buffer[4];
        got = ::read(pipe.read_end.get(), buffer, sizeof buffer);
        loop.forget(pipe.read_end.get());
    }));
    REQUIRE(loop.run());
    CHECK(got == 0);
}

TEST_CASE("a handler may forget its own fd, and it is not called again", "[loop][io]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    EventLoop loop{poller};
    Pipe pipe = make_pipe();
    write_byte(pipe.write_end.get());   // stays readable: we never read it
    int calls = 0;
    std::string captured_text = "the handler's captured state is still alive";
    REQUIRE(
        loop.watch(pipe.read_end.get(), Interest::read(), [&, text = captured_text](const Ready&) {
            ++calls;
            loop.forget(pipe.read_end.get());
            CHECK(text == captured_text);   // using captures after forget() must be safe
        }));
    loop.set_timeout(Millis{20}, [] {});
    REQUIRE(loop.run());
    CHECK(calls == 1);
}

TEST_CASE("closing an fd that is later in the same ready batch is safe", "[loop][io]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    EventLoop loop{poller};
    Pipe first = make_pipe();
    Pipe second = make_pipe();
    write_byte(first.write_end.get());
    write_byte(second.write_end.get());   // both are ready in the same wait()
    int calls = 0;
    bool replacement_called_with_stale_event = false;
    Pipe replacement;
    // Whichever handler runs first closes the other pipe's read end, and opens a new pipe
    // that may get the same fd number: the stale ready record must not reach the new one.
    auto handler_for = [&](Pipe& mine, Pipe& other) {
        return [&](const Ready&) {
            ++calls;
            char buffer[4];
            (void)::read(mine.read_end.get(), buffer, sizeof buffer);
            loop.forget(mine.read_end.get());
            if (calls == 1) {
                loop.forget(other.read_end.get());
                other.read_end.reset();
                replacement = make_pipe();   // nothing written: never readable
                REQUIRE(loop.watch(replacement.read_end.get(), Interest::read(), [&](const Ready&) {
                    replacement_called_with_stale_event = true;
                }));
                loop.set_timeout(Millis{10}, [&] { loop.forget(replacement.read_end.get()); });
            }
        };
    };
    REQUIRE(loop.watch(first.read_end.get(), Interest::read(), handler_for(first, second)));
    REQUIRE(loop.watch(second.read_end.get(), Interest::read(), handler_for(second, first)));
    REQUIRE(loop.run());
    CHECK(calls == 1);
    CHECK_FALSE(replacement_called_with_stale_event);
}

TEST_CASE("changing interest from read to write is honoured", "[loop][io]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    EventLoop loop{poller};
    Pipe pipe = make_pipe();
    std::vector<std::string> seen;
    // The write end never becomes "readable"; after change() it reports writable.
    REQUIRE(loop.watch(pipe.write_end.get(), Interest::none(), [&](const Ready& ready) {
        seen.push_back(ready.writable ? "writable" : "other");
        loop.forget(pipe.write_end.get());
    }));
    loop.set_timeout(Millis{5}, [&] {
        seen.push_back("timer");
        loop.change(pipe.write_end.get(), Interest::write());
    });
    REQUIRE(loop.run());
    CHECK(seen == std::vector<std::string>{"timer", "writable"});
}

TEST_CASE("SIGINT becomes an ordinary event that can stop the loop", "[loop][signal]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    EventLoop loop{poller};
    int received = 0;
    REQUIRE(loop.on_signal(SIGINT, [&](int number) {
        received = number;
        loop.stop();
    }));
    auto hold = loop.hold();   // only the signal (or the check below) can end this run
    // The signal arrives while the timers phase runs; it must be handled by the poll phase of
    // that same turn, i.e. before the "next" task posted with it. That order, not a wall-clock
    // bound, is what is checked; and the task stops the loop if the signal was not handled, so
    // a lost signal fails the test instead of hanging it.
    bool handled_in_the_same_turn = false;
    bool next_task_ran = false;
    loop.set_timeout(Millis{1}, [&] {
        std::raise(SIGINT);
        loop.post_next([&] {
            next_task_ran = true;
            handled_in_the_same_turn = received == SIGINT;
            if (!handled_in_the_same_turn) loop.stop();
        });
    });
    REQUIRE(loop.run());
    CHECK(received == SIGINT);
    // A stop() in the poll phase may end the run before the "next" phase: then the signal
    // was handled first anyway.
    CHECK((handled_in_the_same_turn || !next_task_ran));
}

TEST_CASE("a callback that throws stops the loop, and run() reports it", "[loop][error]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    EventLoop loop{poller};
    bool later_ran = false;
    loop.set_timeout(Millis{0}, [] { throw std::runtime_error("boom"); });
    loop.set_timeout(Millis{50}, [&] { later_ran = true; });
    const auto status = loop.run();
    REQUIRE_FALSE(status);
    CHECK(status.error().message().find("boom") != std::string::npos);
    CHECK(status.error().message().find("timers") != std::string::npos);
    CHECK_FALSE(later_ran);
}

TEST_CASE("run_until gives up at its deadline instead of hanging", "[loop]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    EventLoop loop{poller};
    Pipe pipe = make_pipe();   // never written: the loop would sleep forever
    REQUIRE(loop.watch(pipe.read_end.get(), Interest::read(), [](const Ready&) {}));
    const auto started = std::chrono::steady_clock::now();
    CHECK_FALSE(loop.run_until([] { return false; }, Millis{30}));
    CHECK(std::chrono::steady_clock::now() - started >= 30ms);
    loop.forget(pipe.read_end.get());
}

TEST_CASE("the tracer prints each turn with its phases and the stack of each callback",
          "[loop][trace]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    looplab::trace::StringSink sink;
    {
        EventLoop loop{poller};
        looplab::trace::CallStack::current().set_sink(&sink);
        loop.set_timeout(Millis{0}, [&] {
            LOOPLAB_TRACE_SCOPE("Lesson::tick", "\"{}\"", "hi");
            loop.post_soon([] {});
            loop.post_next([] {});
        });
        const auto status = loop.run();
        looplab::trace::CallStack::current().set_sink(nullptr);
        REQUIRE(status);
    }
    // A 0 ms timer may or may not be due in the very first turn (the clock has ms ticks
    // on some kernels), so compare from the turn where it fires.
    const std::string& text = sink.text();
    const auto start = text.find("  timers   1 due");
    REQUIRE(start != std::string::npos);
    CHECK(text.substr(start) ==
          "  timers   1 due\n"
          "  > timer #1\n"
          "  | > Lesson::tick \"hi\"\n"
          "  | < Lesson::tick \"hi\"\n"
          "  < timer #1\n"
          "  soon     1 task\n"
          "  > soon task\n"
          "  < soon task\n"
          "  poll     0 ready\n"
          "  next     1 task\n"
          "  > next task\n"
          "  < next task\n"
          "  close    0\n");
}

TEST_CASE("run_until returns as soon as a timer makes its condition true", "[loop]") {
    const std::string poller = GENERATE(from_range(test_pollers()));
    CAPTURE(poller);
    EventLoop loop{poller};
    Pipe pipe = make_pipe();   // keeps the loop alive; never readable
    REQUIRE(loop.watch(pipe.read_end.get(), Interest::read(), [](const Ready&) {}));
    bool fired = false;
    bool turn_done = false;   // the "next" phase of the timer's turn has run
    loop.set_timeout(Millis{1}, [&] {
        fired = true;
        loop.post_next([&] { turn_done = true; });
    });
    // Not the whole limit: a witness due well before the limit must never run in a LATER turn
    // than the timer's. (It may run in the same turn if the machine stalled for 4 s, which is
    // fine; a wall-clock bound would fail there.)
    bool witness_ran_in_a_later_turn = false;
    const looplab::loop::TimerId witness =
        loop.set_timeout(Millis{4000}, [&] { witness_ran_in_a_later_turn = turn_done; });
    CHECK(loop.run_until([&] { return fired; }, Millis{5000}));
    CHECK(turn_done);
    CHECK_FALSE(witness_ran_in_a_later_turn);
    loop.cancel_timer(witness);
    loop.forget(pipe.read_end.get());
}
