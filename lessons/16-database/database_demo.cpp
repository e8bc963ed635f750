// lessons/16-database/database_demo.cpp
//
// Three things called "database" side by side, live: an embedded log on disk that survives
// kill -9 of its writer (steps 1-3), Redis used as a store (step 4) and Redis used as a message
// bus (step 5). Read with notes/16-database.md.
//
// Steps 4-5 need redis-server. The lesson starts its own, on a free port, with its files in a
// temporary folder; when none is installed it says so and stops after step 3 (exit 0).
#include "database_lesson.hpp"

#include "looplab/lesson/lesson.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <unistd.h>

using namespace looplab;

namespace {

// A fresh folder for chat.log and Redis's files; the lesson works inside it and removes it at
// the end, so nothing is left behind and nothing outside is touched.
class LessonFolder {
public:
    LessonFolder() {
        const char* base = std::getenv("TMPDIR");
        std::string pattern = fmt::format("{}/looplab-16-XXXXXX", base != nullptr ? base : "/tmp");
        if (::mkdtemp(pattern.data()) == nullptr)
            lesson::fail(Error::from_errno(fmt::format("mkdtemp {}", pattern)));
        path_ = pattern;
        if (::chdir(path_.c_str()) == -1)
            lesson::fail(Error::from_errno(fmt::format("cd {}", path_)));
    }
    ~LessonFolder() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    LessonFolder(const LessonFolder&) = delete;
    LessonFolder& operator=(const LessonFolder&) = delete;
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

}   // namespace

int main(int argc, char** argv) {
    const auto options = lesson::parse(
        argc, argv, "lesson-16",
        lesson::text("redis-server", "PROGRAM", "redis-server for steps 4-5", "redis-server"));
    lesson::TraceSession tracing{options};
    loop::EventLoop loop{options.poller};
    LessonFolder folder;
    if (!options.demo)
        lesson::say("(the lesson works in {}; it is removed at the end)", folder.path());

    // 1-3. The embedded log: records on disk, a writer killed mid-append, recovery.
    database::run_log_steps(options);

    // 4-5. Redis, if there is one to start.
    const std::string& wanted = options.text("redis-server");
    const auto program = database::find_program(wanted);
    if (!program) {
        options.step("Redis: a database server");
        lesson::say("redis-server is not installed here (no program \"{}\" found),", wanted);
        lesson::say("so steps 4 (Redis as a store) and 5 (Redis as a message bus) are skipped.");
        lesson::say(
            "To see them: sudo apt-get install redis-server (Debian), then run this again.");
        return 0;
    }
    database::run_redis_steps(options, loop, *program, folder.path());
    return 0;
}
