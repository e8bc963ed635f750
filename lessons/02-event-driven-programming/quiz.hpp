// lessons/02-event-driven-programming/quiz.hpp
//
// One small quiz, written twice: quiz_in_order.cpp asks and then waits, quiz_event_driven.cpp
// reacts to whatever happens first (an answer, or the time limit). Both read "the keyboard":
// stdin when you run them by hand, or in --demo mode a pipe that a scripted typist writes
// into, so the transcript is the same on every run.
#pragma once

#include "looplab/lesson/lesson.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace quiz {

struct Question {
    std::string_view text;
    std::string_view answer;
};

inline constexpr Question kQuestions[] = {
    {"2 + 2 = ?", "4"},
    {"the capital of France?", "Paris"},
    {"how many bits in a byte?", "8"},
};

// The time allowed per question in --demo mode (short, so the demo is quick). By hand it is
// --limit-ms (5 s unless you say otherwise).
inline constexpr std::chrono::milliseconds kDemoLimit{200};

// Bytes in, whole lines out: a read() may return half a line, or three lines at once.
class LineReader {
public:
    void feed(std::string_view bytes) { buffer_ += bytes; }

    std::optional<std::string> next_line() {
        const auto newline = buffer_.find('\n');
        if (newline == std::string::npos) return std::nullopt;
        std::string line = buffer_.substr(0, newline);
        buffer_.erase(0, newline + 1);
        return line;
    }

private:
    std::string buffer_;
};

std::chrono::milliseconds time_limit(const looplab::lesson::Options& options);

void run_in_order(const looplab::lesson::Options& options);
void run_event_driven(const looplab::lesson::Options& options);

}  // namespace quiz
