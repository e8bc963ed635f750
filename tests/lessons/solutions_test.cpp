// tests/lessons/solutions_test.cpp
//
// Where an exercise in the notes changes code, its answer comes with a solution patch
// (notes/answers/patches/NAME.patch) and the lines the patched lesson must print
// (NAME.expect). check-solutions.sh applies each patch to a copy, builds and runs it; this
// test runs the script, so a lesson edit that breaks an answer fails `make test`.
#include "lesson_runner.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

using namespace looplab::testing;

namespace {

// "07-event-queue-ex3" for notes/answers/patches/07-event-queue-ex3.patch, sorted.
std::vector<std::string> solution_patches() {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator("notes/answers/patches"))
        if (entry.path().extension() == ".patch") names.push_back(entry.path().stem().string());
    std::sort(names.begin(), names.end());
    return names;
}

}  // namespace

TEST_CASE("every solution patch applies to a copy of its lesson, builds and prints its answer",
          "[lessons][solutions]") {
    const auto names = solution_patches();
    REQUIRE_FALSE(names.empty());
    const std::string name = GENERATE_COPY(from_range(names));
    const char* build = std::getenv("LOOPLAB_BUILD");
    const std::string build_dir = build != nullptr ? build : "build/g++";
    // One patch per run: each gets the whole time limit of run_binary, even on a busy machine.
    const Run run =
        run_binary("env", "BUILD=" + build_dir + " sh tests/lessons/check-solutions.sh " + name);
    INFO(run.out);
    CHECK(run.exit_code == 0);
    CHECK(run.out.find("check-solutions: 1 passed, 0 failed") != std::string::npos);
}
