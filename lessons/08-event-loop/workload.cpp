// lessons/08-event-loop/workload.cpp
//
// The same small program for every backend, touching every phase:
//   turn 1  timers: a 0 ms timer writes into pipe A, posts a soon task and a next task
//           poll:   pipe A is readable: its handler reads the byte
//           next:   the next task asks the "network" thread for a byte on pipe C, and asks
//                   for a close task
//           close:  the close task
//   turn 2  nothing is due, so the poll phase SLEEPS (the only place the loop sleeps) until
//           the other thread's byte makes pipe C readable; its handler sets a 0 ms timer
//   turn 3  timers: the timer writes into pipe B;  poll: pipe B's handler unwatches every
//           pipe and asks for a close task;  close: the pipes are closed
// After turn 3 nothing is left (no watched fds, timers or tasks), so run() returns.
//
// Every line is the same on every run: only 0 ms timers (always due at the next timers
// phase), and only one fd ready at a time (when two are, backends may list them in another
// order). The other thread is asked only after turn 1's poll phase, so whenever its byte
// arrives, turn 2's poll phase is where it is seen.
#include "event_loop_lesson.hpp"

#include "looplab/core/unique_fd.hpp"
#include "looplab/lesson/lesson.hpp"
#include "looplab/loop/event_loop.hpp"

#include <chrono>
#include <future>
#include <thread>

#include <fcntl.h>
#include <unistd.h>

using namespace looplab;
using namespace std::chrono_literals;

namespace loop_lesson {
namespace {

struct Pipe {
    UniqueFd read_end;
    UniqueFd write_end;
};

Pipe make_pipe() {
    int ends[2];
    if (::pipe2(ends, O_CLOEXEC | O_NONBLOCK) == -1) lesson::fail(Error::from_errno("pipe2"));
    return Pipe{UniqueFd{ends[0]}, UniqueFd{ends[1]}};
}

void write_byte(const Pipe& pipe) {
    const char byte = 'x';
    if (::write(pipe.write_end.get(), &byte, 1) != 1) lesson::fail(Error::from_errno("write"));
}

void read_byte(const Pipe& pipe) {
    char byte;
    [[maybe_unused]] const auto got = ::read(pipe.read_end.get(), &byte, 1);
}

void watch(loop::EventLoop& loop, const Pipe& pipe, loop::IoHandler handler, std::string label) {
    auto watched = loop.watch(pipe.read_end.get(), loop::Interest::read(), std::move(handler),
                              std::move(label));
    if (!watched) lesson::fail(watched.error());
}

}  // namespace

std::vector<std::string> run_workload(const std::string& poller) {
    trace::CallStack& stack = trace::CallStack::current();
    TurnRecorder recorder{stack.sink()};
    stack.set_sink(&recorder);

    {
        loop::EventLoop loop{poller};
        Pipe a = make_pipe();
        Pipe b = make_pipe();
        Pipe c = make_pipe();

        // Plays the network: when asked, it waits a little, then a byte "arrives" on pipe C.
        std::promise<void> asked;
        bool was_asked = false;
        std::thread network{[&c, asked = asked.get_future()]() mutable {
            asked.wait();
            std::this_thread::sleep_for(5ms);
            write_byte(c);
        }};

        watch(loop, a, [&](const loop::Ready&) { read_byte(a); }, "pipe A");
        watch(loop, c, [&](const loop::Ready&) {
            read_byte(c);
            loop.set_timeout(0ms, [&] { write_byte(b); });
        }, "pipe C");
        watch(loop, b, [&](const loop::Ready&) {
            read_byte(b);
            for (const Pipe* pipe : {&a, &b, &c}) loop.forget(pipe->read_end.get());
            loop.post_close([&] {
                a = Pipe{};
                b = Pipe{};
                c = Pipe{};
            });
        }, "pipe B");

        loop.set_timeout(0ms, [&] {
            write_byte(a);
            loop.post_soon([] {});
            loop.post_next([&] {
                asked.set_value();
                was_asked = true;
                loop.post_close([] {});
            });
        });
        const auto ran = loop.run();
        if (!was_asked) asked.set_value();   // the loop failed early: let the thread finish
        network.join();
        if (!ran) lesson::fail(ran.error());
    }

    stack.set_sink(recorder.also());
    return recorder.lines();
}

}  // namespace loop_lesson
