// tests/lessons/lesson_runner.hpp — what the lesson tests share: finding the lessons and
// their notes, running a lesson binary, and showing how two transcripts differ.
//
// Run from the repository root. Lesson binaries are looked up in $LOOPLAB_LESSON_BIN_DIR
// (default build/g++/lessons), one per folder: lessons/07-event-queue → <dir>/07-event-queue.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace looplab::testing {

// Slugs of lessons/NN-slug folders ("07-event-queue"), sorted.
std::vector<std::string> lesson_slugs();
// Slugs of notes/NN-slug.md files (README.md is the index, not a note), sorted.
std::vector<std::string> note_slugs();

std::string lesson_binary(const std::string& slug);
bool file_exists(const std::string& path);
std::string read_file(const std::string& path);

// How long one run_binary() may take unless its caller says otherwise.
inline constexpr std::chrono::seconds kRunLimit{60};

struct Run {
    int exit_code = -1;   // 124 when the time limit killed it
    std::string out;      // stdout only; stderr is dropped
};
// Runs `binary args` through the shell, under `timeout` (`limit`, kRunLimit by default).
Run run_binary(const std::string& binary, const std::string& args,
               std::chrono::seconds limit = kRunLimit);

// A unified-diff-like picture of the lines that differ ("-expected", "+actual", 3 lines of
// context); empty when the texts are equal.
std::string line_diff(const std::string& expected, const std::string& actual);

}   // namespace looplab::testing
