// lessons/16-database/database_lesson.hpp — what the lesson's files share.
//
//   database_demo.cpp        the story: main(), the five steps in order
//   log_writer_process.cpp   step 1-3: a writer process appends to an embedded Log and is
//                            killed with kill -9; recovery in the lesson process
//   redis_server_process.cpp starting and stopping redis-server on a free port
//   redis_store_and_bus.cpp  step 4-5: Redis as a store, Redis as a message bus
#pragma once

#include "looplab/core/clock.hpp"
#include "looplab/core/result.hpp"
#include "looplab/lesson/lesson.hpp"
#include "looplab/loop/event_loop.hpp"
#include "looplab/net/address.hpp"
#include "looplab/resp/client.hpp"

#include <sys/types.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace database {

// The longest the lesson waits for anything (a reply, a server starting); past it, the lesson
// fails with a sentence instead of hanging.
inline constexpr looplab::Millis kWaitLimit{5000};

// ---- steps 1-3: the embedded log (log_writer_process.cpp) --------------------------------------
// Runs steps 1 to 3 on "chat.log" in the current folder.
void run_log_steps(const looplab::lesson::Options& options);

// ---- redis-server (redis_server_process.cpp) ---------------------------------------------------
// The full path of `program` ("redis-server" is looked up in $PATH), or nullopt if there is no
// such executable.
std::optional<std::string> find_program(const std::string& program);

// One redis-server process, started by the lesson and stopped by it (also by the destructor).
class RedisServer {
public:
    // Starts `program` on 127.0.0.1:`port` with its files in `folder`. `append_only`: Redis
    // keeps its own append-only log there (appendfsync always), like the Log of step 1.
    // Returns once the server answers PING (at most 5 s).
    [[nodiscard]] static looplab::Result<RedisServer> start(looplab::loop::EventLoop& loop,
                                                            const std::string& program,
                                                            std::uint16_t port,
                                                            const std::string& folder,
                                                            bool append_only);
    RedisServer(RedisServer&& other) noexcept;
    RedisServer& operator=(RedisServer&& other) noexcept;
    ~RedisServer();

    // kill -9: the server gets no chance to save anything.
    void kill_hard();
    looplab::net::Address address() const { return looplab::net::Address::loopback(port_); }

private:
    RedisServer(pid_t pid, std::uint16_t port) : pid_(pid), port_(port) {}
    pid_t pid_ = -1;
    std::uint16_t port_ = 0;
};

// A port nobody listens on right now (the kernel picks it: bind port 0, read it, close).
looplab::Result<std::uint16_t> free_port();

// ---- steps 4-5: Redis (redis_store_and_bus.cpp) ------------------------------------------------
void run_redis_steps(const looplab::lesson::Options& options, looplab::loop::EventLoop& loop,
                     const std::string& program, const std::string& folder);

// Sends one command and turns the loop until its reply (at most 5 s; fails the lesson after).
looplab::Result<looplab::resp::Reply> call(looplab::loop::EventLoop& loop,
                                           looplab::resp::Client& client,
                                           std::initializer_list<std::string_view> args);

// A reply as redis-cli shows it: OK, "text", (integer) 1, (nil).
std::string show(const looplab::Result<looplab::resp::Reply>& reply);

}   // namespace database
