// tests/lessons/lessons_test.cpp
//
// Lessons are tests too: each lesson's --demo transcript must equal its expected.txt byte for
// byte, every lesson with a transcript must print the same transcript on every backend (the
// list is derived, so a new lesson is checked on every poller the day it gets its
// expected.txt), and the catalogue must be complete (a note per lesson, a lesson per note, a
// README and a transcript per lesson, usage and exit codes the same everywhere). Run from
// the repository root.
#include "lesson_runner.hpp"

#include "looplab/poller/poller.hpp"

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

using namespace looplab::testing;

namespace {

std::vector<std::string> lessons_with_transcripts() {
    std::vector<std::string> slugs;
    for (const std::string& slug : lesson_slugs())
        if (file_exists(fmt::format("lessons/{}/expected.txt", slug))) slugs.push_back(slug);
    return slugs;
}

// Runs the lesson with `args` and checks stdout against its expected.txt.
void check_transcript(const std::string& slug, const std::string& args) {
    const std::string binary = lesson_binary(slug);
    INFO("lesson " << slug << ", run as: " << binary << " " << args);
    REQUIRE(file_exists(binary));   // not built? `make lessons` (or set LOOPLAB_LESSON_BIN_DIR)

    const Run run = run_binary(binary, args);
    const std::string expected = read_file(fmt::format("lessons/{}/expected.txt", slug));
    // An empty transcript equals an empty output, which is what a lesson that crashed before
    // printing, or one whose expected.txt was lost, would give: neither may pass.
    CHECK_FALSE(expected.empty());
    CHECK_FALSE(run.out.empty());
    const std::string diff = line_diff(expected, run.out);
    INFO(diff);
    CHECK(run.exit_code == 0);
    CHECK(diff.empty());
}

}   // namespace

TEST_CASE("the lessons folder holds the lessons 01 to 08", "[lessons]") {
    const auto slugs = lesson_slugs();
    for (const char* slug :
         {"01-call-stack", "02-event-driven-programming", "03-observer-pattern", "04-listener",
          "05-emit-raise-trigger", "06-event-handler", "07-event-queue", "08-event-loop"}) {
        CAPTURE(slug);
        CHECK(std::find(slugs.begin(), slugs.end(), slug) != slugs.end());
    }
}

TEST_CASE("every lesson's --demo output matches its expected.txt", "[lessons]") {
    const auto slugs = lessons_with_transcripts();
    REQUIRE_FALSE(slugs.empty());
    const std::string slug = GENERATE_COPY(from_range(slugs));
    check_transcript(slug, "--demo");
}

TEST_CASE("every lesson prints the same transcript on every poller", "[lessons]") {
    // Every lesson takes --poller (the kit's options), those before the loop too: whatever it
    // runs on, its transcript must not change.
    const auto slugs = lessons_with_transcripts();
    REQUIRE_FALSE(slugs.empty());
    const auto pollers = looplab::poller::available_pollers();
    REQUIRE_FALSE(pollers.empty());
    const std::string slug = GENERATE_COPY(from_range(slugs));
    const std::string poller = GENERATE_COPY(from_range(pollers));
    check_transcript(slug, "--demo --poller=" + poller);
}

TEST_CASE("every lesson has a note and every note has a lesson", "[lessons]") {
    const auto lessons = lesson_slugs();
    const auto notes = note_slugs();
    for (const std::string& slug : lessons) {
        INFO("lessons/" << slug << " has no notes/" << slug << ".md");
        CHECK(std::find(notes.begin(), notes.end(), slug) != notes.end());
    }
    for (const std::string& slug : notes) {
        INFO("notes/" << slug << ".md has no lessons/" << slug);
        CHECK(std::find(lessons.begin(), lessons.end(), slug) != lessons.end());
    }
}

TEST_CASE("every lesson folder has a README.md and an expected.txt", "[lessons]") {
    for (const std::string& slug : lesson_slugs()) {
        CAPTURE(slug);
        CHECK(file_exists(fmt::format("lessons/{}/README.md", slug)));
        CHECK(file_exists(fmt::format("lessons/{}/expected.txt", slug)));
    }
}

TEST_CASE("every lesson binary exits 2 on a bad flag and 0 on --help", "[lessons]") {
    const auto slugs = lesson_slugs();
    REQUIRE_FALSE(slugs.empty());
    const std::string slug = GENERATE_COPY(from_range(slugs));
    const std::string binary = lesson_binary(slug);
    INFO("lesson " << slug << ": " << binary);
    REQUIRE(file_exists(binary));

    const Run help = run_binary(binary, "--help");
    CHECK(help.exit_code == 0);
    CHECK(help.out.starts_with("usage: "));
    CHECK(help.out.find("--demo") != std::string::npos);

    CHECK(run_binary(binary, "--no-such-flag").exit_code == 2);
    CHECK(run_binary(binary, "--poller=no-such-poller").exit_code == 2);
}

TEST_CASE("lesson 08's live trace does not say the loop slept in a turn whose timeout was 0",
          "[lessons]") {
    // Turn 1 has a post_next() task waiting, so its poll phase only looks (timeout 0). The
    // trace once rounded the few microseconds of that look up to "waited 1 ms".
    const Run run = run_binary(lesson_binary("08-event-loop"), "--trace --idle 0");
    REQUIRE(run.exit_code == 0);
    const auto turn_1 = run.out.find("turn 1\n");
    const auto turn_2 = run.out.find("turn 2\n");
    REQUIRE(turn_1 != std::string::npos);
    REQUIRE(turn_2 != std::string::npos);
    const std::string first_turn = run.out.substr(turn_1, turn_2 - turn_1);
    INFO(first_turn);
    CHECK(first_turn.find("timeout 0 ms, no sleep") != std::string::npos);
    CHECK(first_turn.find("slept") == std::string::npos);
    CHECK(run.out.find("waited 1 ms") == std::string::npos);
}

TEST_CASE("with --pause a lesson asks before each step, and the answer waits for Enter",
          "[lessons]") {
    const std::string binary = lesson_binary("07-event-queue");
    REQUIRE(file_exists(binary));
    const std::string expected = read_file("lessons/07-event-queue/expected.txt");

    // Piped Enters: stdout is the transcript, unchanged; the prompts go to stderr.
    const Run quiet =
        run_binary("sh", "-c 'yes \"\" | head -n 20 | " + binary + " --demo --pause'");
    CHECK(quiet.exit_code == 0);
    CHECK(line_diff(expected, quiet.out).empty());

    // Both streams together: each prompt ends its own line (the input is piped, not echoed),
    // and the puzzle's answer comes only after the prompt for it.
    const Run both =
        run_binary("sh", "-c 'yes \"\" | head -n 20 | " + binary + " --demo --pause 2>&1'");
    CHECK(both.exit_code == 0);
    const auto question = both.out.find("  G  a sync line\n");
    const auto prompt = both.out.find("(press Enter for step 2: The answer)\n");
    const auto answer = both.out.find("== 2. The answer ==");
    INFO(both.out);
    REQUIRE(question != std::string::npos);
    REQUIRE(prompt != std::string::npos);
    REQUIRE(answer != std::string::npos);
    CHECK(question < prompt);
    CHECK(prompt < answer);
    CHECK(both.out.find(")==") == std::string::npos);   // no prompt runs into a step line
}

TEST_CASE("make walkthrough PAUSE=1 waits before each lesson and passes --pause on", "[lessons]") {
    const char* build = std::getenv("LOOPLAB_BUILD");
    const std::string build_dir = build != nullptr ? build : "build/g++";
    // Input that ends at once: every prompt is shown and the class runs straight through.
    const Run run =
        run_binary("sh", "-c 'BUILD=" + build_dir + " PAUSE=1 sh lessons/walkthrough.sh 2>&1'");
    INFO(run.out.substr(0, 2000));
    CHECK(run.exit_code == 0);
    CHECK(run.out.find("(press Enter for lesson 01-call-stack)\n") != std::string::npos);
    CHECK(run.out.find("(press Enter for step 2: The answer)\n") != std::string::npos);
    CHECK(run.out.find("walkthrough: every lesson ran.") != std::string::npos);
}
