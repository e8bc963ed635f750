// How a lesson talks; see looplab/lesson/say.hpp.
#include "looplab/lesson/say.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace looplab::lesson {
namespace {

// Written once by parse() before the lesson starts; every error line begins with it.
std::string& name_slot() {
    static std::string name = "lesson";
    return name;
}

}   // namespace

void set_lesson_name(std::string_view name) { name_slot() = std::string{name}; }
std::string_view lesson_name() { return name_slot(); }

void say_line(std::string_view line) {
    fmt::print("{}\n", line);
    std::fflush(stdout);
}

void warn(const Error& error) {
    std::fflush(stdout);
    fmt::print(stderr, "{}: warning: {}\n", lesson_name(), error.message());
    std::fflush(stderr);
}

void fail(const Error& error) { fail(std::string_view{error.message()}); }

void fail(std::string_view message) {
    std::fflush(stdout);
    fmt::print(stderr, "{}: {}\n", lesson_name(), message);
    std::fflush(stderr);
    std::exit(1);
}

void must(const Status& status) {
    if (!status) fail(status.error());
}

int finish(const Status& status) {
    if (status) return 0;
    std::fflush(stdout);
    fmt::print(stderr, "{}: {}\n", lesson_name(), status.error().message());
    std::fflush(stderr);
    return 1;
}

}   // namespace looplab::lesson
