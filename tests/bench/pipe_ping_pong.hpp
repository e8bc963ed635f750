// tests/bench/pipe_ping_pong.hpp
//
// The pipe ping-pong of the loop benchmarks: one byte (the ball) bouncing between the two ends
// of a pair of pipes. Shared by loop_bench and loop_vs_libuv so that looplab, the bare epoll
// loop and libuv do exactly the same work per round trip: one read and one write each way.
#pragma once

#include "looplab/core/unique_fd.hpp"

#include <cstddef>
#include <cstdlib>
#include <optional>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

namespace bench {

struct Pipe {
    looplab::UniqueFd read_end;
    looplab::UniqueFd write_end;
};

inline std::optional<Pipe> make_pipe() {
    int fds[2];
    if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) == -1) return std::nullopt;
    return Pipe{looplab::UniqueFd{fds[0]}, looplab::UniqueFd{fds[1]}};
}

// One ball bouncing between two ends: `there` carries it out, `back` brings it home, where
// it counts as one round trip and is thrown again.
struct PingPongPair {
    Pipe there;
    Pipe back;
};

// `busy` pairs with a ball in each, and `idle` pipes that nobody writes to.
struct PingPongTable {
    std::vector<PingPongPair> pairs;
    std::vector<Pipe> idle_pipes;

    // nullopt when the file descriptors ran out.
    static std::optional<PingPongTable> make(std::size_t busy, std::size_t idle) {
        PingPongTable table;
        for (std::size_t i = 0; i < idle; ++i) {
            auto made = make_pipe();
            if (!made) return std::nullopt;
            table.idle_pipes.push_back(std::move(*made));
        }
        for (std::size_t i = 0; i < busy; ++i) {
            auto there = make_pipe();
            auto back = make_pipe();
            if (!there || !back) return std::nullopt;
            table.pairs.push_back(PingPongPair{std::move(*there), std::move(*back)});
        }
        return table;
    }
    bool serve() const {
        for (const PingPongPair& pair : pairs)
            if (::write(pair.there.write_end.get(), "x", 1) != 1) return false;
        return true;
    }
};

// Catch the ball on `from` and throw it on `to`.
inline void pass_ball(int from, int to) {
    char ball[16];
    if (::read(from, ball, sizeof ball) <= 0) return;
    if (::write(to, "x", 1) != 1) std::abort();   // a 64 KiB pipe holding one byte is never full
}

}   // namespace bench
