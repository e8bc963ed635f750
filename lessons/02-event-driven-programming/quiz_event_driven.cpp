// lessons/02-event-driven-programming/quiz_event_driven.cpp
//
// "React to input and a timer": the program does not decide what happens next. It tells the
// loop what it is interested in (the keyboard is readable; the time limit has passed) and
// returns. The loop calls back whichever happens first.
#include "quiz.hpp"

#include "looplab/core/unique_fd.hpp"
#include "looplab/loop/event_loop.hpp"

#include <unistd.h>

using namespace looplab;

namespace quiz {
namespace {

class EventDrivenQuiz {
public:
    EventDrivenQuiz(loop::EventLoop& loop, int keyboard, std::chrono::milliseconds limit,
                    int demo_typist)
        : loop_(loop), keyboard_(keyboard), limit_(limit), demo_typist_(demo_typist) {}

    Status start() {
        // 1. Say what we react to: the keyboard becoming readable...
        auto watched = loop_.watch(keyboard_, loop::Interest::read(),
                                   [this](const loop::Ready&) { on_keyboard_readable(); },
                                   "keyboard");
        if (!watched) return watched;
        // The first question is asked from the loop too, like everything that follows. (In
        // --demo mode this also keeps the transcript stable: the typist's answer is then read
        // in the same turn, before any time limit could be checked.)
        loop_.set_timeout(std::chrono::milliseconds{0}, [this] { ask(0); });
        return Ok{};
    }

private:
    void ask(std::size_t index) {
        current_ = index;
        lesson::say("[events]   Q{}: {}  (you have {} ms)", index + 1, kQuestions[index].text,
                    limit_.count());
        // 2. ...and the time limit passing. Then return: the loop waits for both at once.
        time_limit_ = loop_.set_timeout(limit_, [this] { on_time_up(); });
        if (demo_typist_ >= 0) type_demo_answer(index);
    }

    // 3. The keyboard has bytes: read what is there (it will not block) and react to lines.
    void on_keyboard_readable() {
        char bytes[256];
        const ssize_t count = ::read(keyboard_, bytes, sizeof bytes);
        if (count <= 0) {
            lesson::say("[events]   the keyboard was closed");
            return finish();
        }
        reader_.feed({bytes, static_cast<std::size_t>(count)});
        while (auto line = reader_.next_line()) {
            if (is_done_) return;
            on_answer(*line);
        }
    }

    void on_answer(const std::string& answer) {
        loop_.cancel_timer(time_limit_);   // answered in time: the limit no longer matters
        lesson::say("[events]   answer \"{}\" -> {}", answer,
                    answer == kQuestions[current_].answer ? "right" : "wrong");
        next();
    }

    // 4. The time limit passed first, and the program can react at once, while still waiting
    //    for the keyboard.
    void on_time_up() {
        lesson::say("[events]   time is up! (the keyboard stayed quiet)");
        next();
    }

    void next() {
        if (current_ + 1 < std::size(kQuestions)) return ask(current_ + 1);
        finish();
    }

    void finish() {
        is_done_ = true;
        loop_.cancel_timer(time_limit_);
        loop_.forget(keyboard_);   // nothing left to wait for: the loop ends by itself
    }

    // The --demo typist: answers question 1 at once, never answers question 2, and answers
    // question 3 wrongly. It types at the moment the question appears; typing at fixed times
    // instead could land just before or just after a time limit on a busy machine.
    void type_demo_answer(std::size_t index) {
        constexpr std::string_view kScript[] = {"4\n", "", "7\n"};
        const std::string_view answer = kScript[index];
        if (answer.empty()) return;
        [[maybe_unused]] const auto written = ::write(demo_typist_, answer.data(), answer.size());
    }

    loop::EventLoop& loop_;
    int keyboard_;
    std::chrono::milliseconds limit_;
    int demo_typist_;   // the pipe's write end in --demo mode, else -1
    LineReader reader_;
    std::size_t current_ = 0;
    loop::TimerId time_limit_ = 0;
    bool is_done_ = false;
};

}  // namespace

void run_event_driven(const lesson::Options& options) {
    UniqueFd keyboard_end;
    UniqueFd typist_end;
    int keyboard = STDIN_FILENO;
    if (options.demo) {
        int ends[2];
        if (::pipe(ends) == -1) lesson::fail(Error::from_errno("pipe"));
        keyboard_end.reset(ends[0]);
        typist_end.reset(ends[1]);
        keyboard = ends[0];
    }

    loop::EventLoop loop{options.poller};
    EventDrivenQuiz quiz{loop, keyboard, time_limit(options), typist_end.get()};
    if (auto started = quiz.start(); !started) lesson::fail(started.error());
    if (auto ran = loop.run(); !ran) lesson::fail(ran.error());
}

}  // namespace quiz
