// tests/integration/store/lesson16_without_redis_test.cpp — lesson 16 must run on a machine
// without redis-server too: steps 1-3 (the embedded log) as usual, then a clear message and
// exit 0. The lessons test compares the usual run (with Redis) to expected.txt; this one
// points --redis-server at a program that does not exist and compares to
// expected-without-redis.txt.
#include "lessons/lesson_runner.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace looplab::testing;

TEST_CASE("lesson 16 without redis-server runs the embedded log and explains the rest",
          "[store][lessons]") {
    const std::string binary = lesson_binary("16-database");
    INFO("run as: " << binary);
    REQUIRE(file_exists(binary));   // not built? `make lessons`
    const Run run = run_binary(binary, "--demo --redis-server=/nonexistent/redis-server");
    const std::string expected = read_file("lessons/16-database/expected-without-redis.txt");
    const std::string diff = line_diff(expected, run.out);
    INFO(diff);
    CHECK(run.exit_code == 0);
    CHECK(diff.empty());
}
