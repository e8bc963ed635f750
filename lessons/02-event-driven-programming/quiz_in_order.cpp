// lessons/02-event-driven-programming/quiz_in_order.cpp
//
// "Ask in order": the program decides what happens next. It prints a question, then blocks in
// read() until a line arrives. While it is blocked NOTHING else can run in this thread: not
// the time limit, not a clock, not a second keyboard. It can only notice afterwards.
#include "quiz.hpp"

#include "looplab/core/unique_fd.hpp"

#include <thread>

#include <unistd.h>

using namespace looplab;
using namespace std::chrono_literals;

namespace quiz {
namespace {

// Reads from `fd` until one whole line is there; waits as long as it takes.
std::optional<std::string> read_line(int fd, LineReader& reader) {
    for (;;) {
        if (auto line = reader.next_line()) return line;
        char bytes[256];
        const ssize_t count = ::read(fd, bytes, sizeof bytes);   // blocks: the whole program waits
        if (count <= 0) return std::nullopt;                    // the keyboard was closed
        reader.feed({bytes, static_cast<std::size_t>(count)});
    }
}

// The --demo typist for this version: slow on question 1, quick on question 2.
void type_slowly(UniqueFd keyboard, std::chrono::milliseconds limit) {
    std::this_thread::sleep_for(limit + 100ms);
    const std::string_view answers = "4\nParis\n";
    [[maybe_unused]] const auto written = ::write(keyboard.get(), answers.data(), answers.size());
}

}  // namespace

void run_in_order(const lesson::Options& options) {
    const auto limit = time_limit(options);
    int keyboard = STDIN_FILENO;
    UniqueFd demo_keyboard;
    std::thread typist;
    if (options.demo) {
        int ends[2];
        if (::pipe(ends) == -1) lesson::fail(Error::from_errno("pipe"));
        demo_keyboard.reset(ends[0]);
        keyboard = ends[0];
        typist = std::thread{type_slowly, UniqueFd{ends[1]}, limit};
    }

    LineReader reader;
    for (std::size_t i = 0; i < 2; ++i) {
        const Question& question = kQuestions[i];
        // 1. Ask...
        lesson::say("[in order] Q{}: {}  (you have {} ms)", i + 1, question.text, limit.count());
        const auto asked = std::chrono::steady_clock::now();

        // 2. ...then wait for the answer. The time limit passes while we sit here, and no
        //    line of this program can run to say so.
        const auto answer = read_line(keyboard, reader);
        if (!answer) {
            lesson::say("[in order] the keyboard was closed");
            break;
        }
        const auto waited = std::chrono::steady_clock::now() - asked;

        // 3. Only now, after the answer, can the program look at the clock.
        lesson::say("[in order] answer \"{}\" -> {}", *answer,
                    *answer == question.answer ? "right" : "wrong");
        if (waited > limit)
            lesson::say("[in order] ...but it came after the time limit, and the program "
                        "could only notice now");
    }
    if (typist.joinable()) typist.join();
}

}  // namespace quiz
