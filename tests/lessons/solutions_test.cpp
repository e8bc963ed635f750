// tests/lessons/solutions_test.cpp
//
// Where an exercise in the notes changes code, its answer comes with a solution patch
// (notes/answers/patches/NAME.patch) and the lines the patched lesson must print
// (NAME.expect). check-solutions.sh applies each patch to a copy, builds and runs it; this
// test runs the script, so a lesson edit that breaks an answer fails `make test`.
#include "lesson_runner.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>

using namespace looplab::testing;

TEST_CASE("every solution patch applies to a copy of its lesson, builds and prints its answer",
          "[lessons][solutions]") {
    const char* build = std::getenv("LOOPLAB_BUILD");
    const std::string build_dir = build != nullptr ? build : "build/g++";
    const Run run = run_binary("env", "BUILD=" + build_dir + " sh tests/lessons/check-solutions.sh");
    INFO(run.out);
    CHECK(run.exit_code == 0);
    CHECK(run.out.find("check-solutions: 0 passed") == std::string::npos);
}
