// tests/lessons/solutions_test.cpp
//
// Where an exercise in the notes changes code, its answer comes with a solution patch
// (notes/answers/patches/NAME.patch) and the lines the patched lesson must print
// (NAME.expect). check-solutions.sh applies each patch to a copy, builds and runs it; this
// test runs the script, so a lesson edit that breaks an answer fails `make test`.
#include "lesson_runner.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
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

// The lines of `out` that the script printed about patch `name` (its verdict and, when it
// failed, why), up to the next patch's lines.
std::string lines_about(const std::string& out, const std::string& name) {
    const std::string start = "solution " + name + ": ";
    const auto from = out.find(start);
    if (from == std::string::npos) return "(nothing about " + name + ")";
    auto to = out.find("\nsolution ", from + start.size());
    if (to == std::string::npos) to = out.find("\ncheck-solutions: ", from);
    return out.substr(from, to == std::string::npos ? std::string::npos : to - from);
}

}   // namespace

TEST_CASE("every solution patch applies to a copy of its lesson, builds and prints its answer",
          "[lessons][solutions]") {
    const auto names = solution_patches();
    REQUIRE_FALSE(names.empty());
    const char* build = std::getenv("LOOPLAB_BUILD");
    const std::string build_dir = build != nullptr ? build : "build/g++";
    // Every patch in one run: the script checks them in parallel (one per core, or $JOBS).
    // Each patch keeps the whole time limit it had when each had a run of its own.
    const auto limit = kRunLimit * static_cast<long>(names.size());
    const Run run =
        run_binary("env", "BUILD=" + build_dir + " sh tests/lessons/check-solutions.sh", limit);
    for (const std::string& name : names) {
        INFO(lines_about(run.out, name));
        CHECK(run.out.find("solution " + name + ": applies to lessons/") != std::string::npos);
    }
    INFO(run.out);
    CHECK(run.exit_code == 0);
    CHECK(run.out.find(fmt::format("check-solutions: {} passed, 0 failed", names.size())) !=
          std::string::npos);
}
