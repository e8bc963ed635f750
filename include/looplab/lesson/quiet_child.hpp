// looplab/lesson/quiet_child.hpp — starts a helper program (redis-server, redis-cli) as a
// child process with stdin, stdout and stderr on /dev/null, so its chatter never mixes with
// the test output:
//
//     const pid_t pid = lesson::spawn_quiet_child({"redis-cli", "--cluster", ...}, "run
//     redis-cli");
//
// The program is looked up on PATH (execvp); one that is not there exits with 127, which
// the caller tells apart from other failures. On Linux the child also dies if the test
// binary dies (PR_SET_PDEATHSIG), so a crashed test leaves nothing behind. The caller
// waits for it (waitpid). Used by redis_server.hpp and tests/support/redis_cluster.hpp.
#pragma once

#include <fmt/format.h>

#include <csignal>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <fcntl.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

namespace looplab::lesson {

// The exit status of a child whose program could not be run (the shell's convention).
inline constexpr int kChildCannotExec = 127;

// fork + execvp(args[0], args); throws std::runtime_error("fork failed: cannot <what>")
// when no process can be made.
inline pid_t spawn_quiet_child(std::vector<std::string> args, std::string_view what) {
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);

    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error(fmt::format("fork failed: cannot {}", what));
    if (pid == 0) {
#ifdef __linux__
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
        const int null = ::open("/dev/null", O_RDWR);
        ::dup2(null, 0);
        ::dup2(null, 1);
        ::dup2(null, 2);
        ::execvp(argv[0], argv.data());
        ::_exit(kChildCannotExec);
    }
    return pid;
}

}   // namespace looplab::lesson
