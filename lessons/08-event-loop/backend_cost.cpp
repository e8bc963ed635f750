// lessons/08-event-loop/backend_cost.cpp
//
// What a backend costs: one pipe ping-pong (the only busy fds) among many idle watched pipes.
// poll() hands the kernel the whole list of watched fds on every wait, so each turn costs
// more as the idle list grows; epoll keeps the list in the kernel and returns only the ready
// fds, so the idle pipes cost (almost) nothing per turn.
#include "event_loop_lesson.hpp"

#include "looplab/core/unique_fd.hpp"
#include "looplab/loop/event_loop.hpp"

#include <chrono>

#include <fcntl.h>
#include <unistd.h>

using namespace looplab;

namespace loop_lesson {
namespace {

struct Pipe {
    UniqueFd read_end;
    UniqueFd write_end;
};

Result<Pipe> make_pipe() {
    int ends[2];
    if (::pipe2(ends, O_CLOEXEC | O_NONBLOCK) == -1) return Error::from_errno("pipe2");
    return Pipe{UniqueFd{ends[0]}, UniqueFd{ends[1]}};
}

}  // namespace

Result<Cost> measure_cost(const std::string& poller, std::size_t idle_pipes, std::size_t round_trips) {
    // Measuring, not teaching: the tracer stays off (and --trace would print every turn).
    trace::CallStack& stack = trace::CallStack::current();
    trace::Sink* saved = stack.sink();
    stack.set_sink(nullptr);

    loop::EventLoop loop{poller};
    std::vector<Pipe> idle;
    idle.reserve(idle_pipes);
    Status status = Ok{};
    for (std::size_t i = 0; i < idle_pipes && status; ++i) {
        auto pipe = make_pipe();
        if (!pipe) {
            status = pipe.error();
            break;
        }
        status = loop.watch(pipe->read_end.get(), loop::Interest::read(), [](const loop::Ready&) {});
        if (status) loop.set_keeps_alive(pipe->read_end.get(), false);   // idle: not a reason to run
        idle.push_back(std::move(pipe).value());
    }
    auto ping = make_pipe();
    auto pong = make_pipe();
    if (!ping) status = ping.error();
    if (!pong) status = pong.error();

    std::size_t done = 0;
    const char byte = 'p';
    char scratch;
    if (status)
        status = loop.watch(ping->read_end.get(), loop::Interest::read(), [&](const loop::Ready&) {
            [[maybe_unused]] auto got = ::read(ping->read_end.get(), &scratch, 1);
            [[maybe_unused]] auto put = ::write(pong->write_end.get(), &byte, 1);
        });
    if (status)
        status = loop.watch(pong->read_end.get(), loop::Interest::read(), [&](const loop::Ready&) {
            [[maybe_unused]] auto got = ::read(pong->read_end.get(), &scratch, 1);
            if (++done < round_trips) {
                [[maybe_unused]] auto put = ::write(ping->write_end.get(), &byte, 1);
                return;
            }
            loop.forget(ping->read_end.get());   // done: the idle pipes alone keep nothing alive
            loop.forget(pong->read_end.get());
        });

    Cost cost;
    if (status) {
        const auto first_turn = loop.turn();
        const auto started = std::chrono::steady_clock::now();
        [[maybe_unused]] auto put = ::write(ping->write_end.get(), &byte, 1);
        status = loop.run();
        const std::chrono::duration<double, std::micro> took = std::chrono::steady_clock::now() - started;
        cost.turns = loop.turn() - first_turn;
        cost.micros_per_round_trip = took.count() / static_cast<double>(round_trips);
    }
    for (const Pipe& pipe : idle)
        if (pipe.read_end) loop.forget(pipe.read_end.get());
    stack.set_sink(saved);
    if (!status) return status.error();
    return cost;
}

}  // namespace loop_lesson
