// tests/lessons/lesson_runner.cpp — see lesson_runner.hpp.
#include "lesson_runner.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <sys/wait.h>

namespace looplab::testing {
namespace {

namespace fs = std::filesystem;

// "07-event-queue": two digits, a dash, then lower-case letters, digits and dashes.
// (Written by hand: std::regex trips a false -Wmaybe-uninitialized in g++ 12 with ASan.)
bool is_lesson_slug(const std::string& name) {
    const auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
    if (name.size() < 4 || !is_digit(name[0]) || !is_digit(name[1]) || name[2] != '-') return false;
    return std::all_of(name.begin() + 3, name.end(),
                       [&](char c) { return (c >= 'a' && c <= 'z') || is_digit(c) || c == '-'; });
}

std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::string line;
    std::istringstream in{text};
    while (std::getline(in, line)) lines.push_back(line);
    if (!text.empty() && text.back() != '\n') lines.back() += "  (no newline at the end)";
    return lines;
}

std::string shell_quote(const std::string& text) {
    std::string quoted = "'";
    for (char c : text) quoted += c == '\'' ? std::string{"'\\''"} : std::string(1, c);
    return quoted + "'";
}

}   // namespace

std::vector<std::string> lesson_slugs() {
    std::vector<std::string> slugs;
    if (!fs::is_directory("lessons")) return slugs;
    for (const auto& entry : fs::directory_iterator("lessons")) {
        const std::string name = entry.path().filename().string();
        if (entry.is_directory() && is_lesson_slug(name)) slugs.push_back(name);
    }
    std::sort(slugs.begin(), slugs.end());
    return slugs;
}

std::vector<std::string> note_slugs() {
    std::vector<std::string> slugs;
    if (!fs::is_directory("notes")) return slugs;
    for (const auto& entry : fs::directory_iterator("notes")) {
        const fs::path& path = entry.path();
        if (path.extension() == ".md" && path.filename() != "README.md")
            slugs.push_back(path.stem().string());
    }
    std::sort(slugs.begin(), slugs.end());
    return slugs;
}

std::string lesson_binary(const std::string& slug) {
    const char* dir = std::getenv("LOOPLAB_LESSON_BIN_DIR");
    return fmt::format("{}/{}", dir && *dir ? dir : "build/g++/lessons", slug);
}

bool file_exists(const std::string& path) { return fs::is_regular_file(path); }

std::string read_file(const std::string& path) {
    std::ifstream in{path, std::ios::binary};
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

Run run_binary(const std::string& binary, const std::string& args, std::chrono::seconds limit) {
    const std::string command = fmt::format("timeout {} {} {} 2>/dev/null </dev/null",
                                            limit.count(), shell_quote(binary), args);
    Run run;
    std::FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) return run;
    std::array<char, 4096> buffer;
    std::size_t got;
    while ((got = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
        run.out.append(buffer.data(), got);
    const int status = ::pclose(pipe);
    run.exit_code = (status != -1 && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
    return run;
}

std::string line_diff(const std::string& expected, const std::string& actual) {
    if (expected == actual) return {};
    const auto a = split_lines(expected);
    const auto b = split_lines(actual);

    // Longest common subsequence of lines; transcripts are short, so the table is small.
    std::vector<std::vector<int>> common(a.size() + 1, std::vector<int>(b.size() + 1, 0));
    for (std::size_t i = a.size(); i-- > 0;)
        for (std::size_t j = b.size(); j-- > 0;)
            common[i][j] = a[i] == b[j] ? common[i + 1][j + 1] + 1
                                        : std::max(common[i + 1][j], common[i][j + 1]);

    struct Line {
        char mark;
        std::string text;
    };
    std::vector<Line> lines;
    std::size_t i = 0, j = 0;
    while (i < a.size() || j < b.size()) {
        if (i < a.size() && j < b.size() && a[i] == b[j]) {
            lines.push_back({' ', a[i++]});
            ++j;
        } else if (i < a.size() && (j == b.size() || common[i + 1][j] >= common[i][j + 1])) {
            lines.push_back({'-', a[i++]});   // removals first, as diff -u prints them
        } else {
            lines.push_back({'+', b[j++]});
        }
    }

    // Keep 3 lines of context around each change; "..." stands for the rest.
    constexpr std::size_t kContext = 3;
    std::vector<bool> keep(lines.size(), false);
    for (std::size_t k = 0; k < lines.size(); ++k) {
        if (lines[k].mark == ' ') continue;
        const std::size_t from = k >= kContext ? k - kContext : 0;
        for (std::size_t m = from; m < std::min(lines.size(), k + kContext + 1); ++m)
            keep[m] = true;
    }
    std::string out = "--- expected.txt\n+++ actual output\n";
    bool skipped = false;
    for (std::size_t k = 0; k < lines.size(); ++k) {
        if (!keep[k]) {
            if (!skipped) out += "...\n";
            skipped = true;
            continue;
        }
        skipped = false;
        out += fmt::format("{}{}\n", lines[k].mark, lines[k].text);
    }
    return out;
}

}   // namespace looplab::testing
