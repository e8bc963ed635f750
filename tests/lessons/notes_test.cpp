// tests/lessons/notes_test.cpp
//
// The notes quote the lessons' code and output ("code beside output"). Each quote is a fenced
// block (```cpp or ```text) right under a line that ends with the quoted file in backticks
// and a colon:
//
//     `lessons/07-event-queue/ordering_puzzle.cpp`:
//
//     ```cpp
//     loop.post_next([] { ... });
//     ```
//
// This test checks that every quote still exists in its file: the lines between two "..."
// lines (a line that is only "..." or "// ...") must appear in the file one after another,
// exactly, and the pieces in the order given. It also checks that every answer key a note
// links to exists. Run from the repository root.
#include "lesson_runner.hpp"

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <sstream>
#include <string>
#include <vector>

using namespace looplab::testing;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in{text};
    for (std::string line; std::getline(in, line);) {
        while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
        lines.push_back(line);
    }
    return lines;
}

std::string trimmed(const std::string& line) {
    const auto first = line.find_first_not_of(' ');
    return first == std::string::npos ? std::string{} : line.substr(first);
}

bool is_elision(const std::string& line) {
    const std::string text = trimmed(line);
    return text == "..." || text == "// ...";
}

struct Quote {
    std::size_t line_number = 0;   // of the opening fence, counting from 1
    std::string language;          // "cpp" or "text"
    std::string file;              // the path named above the fence; empty if none
    std::vector<std::string> lines;
};

// "`lessons/01-call-stack/call_stack_demo.cpp`:" -> the path; "" if the line is not like that.
std::string quoted_file(const std::string& line) {
    if (line.size() < 4 || !line.ends_with("`:")) return {};
    const auto open = line.rfind('`', line.size() - 3);
    if (open == std::string::npos) return {};
    return line.substr(open + 1, line.size() - 3 - open);
}

std::vector<Quote> quotes_in(const std::vector<std::string>& note) {
    std::vector<Quote> quotes;
    for (std::size_t i = 0; i < note.size(); ++i) {
        if (!note[i].starts_with("```") || note[i].size() == 3) continue;
        Quote quote;
        quote.line_number = i + 1;
        quote.language = note[i].substr(3);
        for (std::size_t back = i; back-- > 0;) {
            if (note[back].empty()) continue;
            quote.file = quoted_file(note[back]);
            break;
        }
        for (++i; i < note.size() && note[i] != "```"; ++i) quote.lines.push_back(note[i]);
        quotes.push_back(quote);
    }
    return quotes;
}

// Where each piece of `quote` starts in `file`, or an empty string saying which piece is
// missing.
std::string missing_piece(const std::vector<std::string>& quote,
                          const std::vector<std::string>& file) {
    std::vector<std::vector<std::string>> pieces(1);
    for (const std::string& line : quote) {
        if (is_elision(line)) {
            if (!pieces.back().empty()) pieces.emplace_back();
        } else {
            pieces.back().push_back(line);
        }
    }
    std::size_t from = 0;
    for (const auto& piece : pieces) {
        if (piece.empty()) continue;
        bool found = false;
        for (std::size_t at = from; at + piece.size() <= file.size() && !found; ++at) {
            std::size_t matched = 0;
            while (matched < piece.size() && file[at + matched] == piece[matched]) ++matched;
            if (matched == piece.size()) {
                found = true;
                from = at + piece.size();
            }
        }
        if (!found)
            return fmt::format("this piece (after the previous one):\n{}", fmt::join(piece, "\n"));
    }
    return {};
}

std::vector<std::string> numbered_notes() {
    std::vector<std::string> slugs;
    for (const std::string& slug : note_slugs())
        if (slug.size() > 2 && slug[0] >= '0' && slug[0] <= '9') slugs.push_back(slug);
    return slugs;
}

}   // namespace

TEST_CASE("every code or output quote in the notes still exists in the file it names",
          "[lessons][notes]") {
    const std::string slug = GENERATE_COPY(from_range(numbered_notes()));
    const std::string path = fmt::format("notes/{}.md", slug);
    for (const Quote& quote : quotes_in(lines_of(read_file(path)))) {
        INFO(path << ":" << quote.line_number << ": a ```" << quote.language << " block");
        REQUIRE_FALSE(quote.file.empty());   // the line above must be `path/of/the/file`:
        INFO("quoting " << quote.file);
        REQUIRE(file_exists(quote.file));
        CHECK(missing_piece(quote.lines, lines_of(read_file(quote.file))).empty());
        CHECK_FALSE(quote.lines.empty());
    }
}

TEST_CASE("every lesson's note shows code beside output and keeps its answers apart",
          "[lessons][notes]") {
    const std::string slug = GENERATE_COPY(from_range(numbered_notes()));
    if (slug >= "18") return;   // the capstones 18 and on are written in their own style
    const auto quotes = quotes_in(lines_of(read_file(fmt::format("notes/{}.md", slug))));
    INFO("notes/" << slug << ".md");
    CHECK(std::any_of(quotes.begin(), quotes.end(), [&](const Quote& q) {
        return q.language == "cpp" && q.file.starts_with("lessons/" + slug + "/");
    }));
    CHECK(std::any_of(quotes.begin(), quotes.end(), [&](const Quote& q) {
        return q.language == "text" && q.file.ends_with("expected.txt");
    }));
    CHECK(read_file(fmt::format("notes/{}.md", slug)).find(fmt::format("](answers/{}.md)", slug)) !=
          std::string::npos);
    CHECK(file_exists(fmt::format("notes/answers/{}.md", slug)));
}

TEST_CASE("every answer key a note links to exists", "[lessons][notes]") {
    for (const std::string& slug : numbered_notes()) {
        const std::string text = read_file(fmt::format("notes/{}.md", slug));
        for (auto at = text.find("](answers/"); at != std::string::npos;
             at = text.find("](answers/", at + 1)) {
            const auto end = text.find(')', at);
            const std::string target = "notes/" + text.substr(at + 2, end - at - 2);
            INFO("notes/" << slug << ".md links to " << target);
            CHECK(file_exists(target));
        }
    }
}

TEST_CASE(
    "every 'lesson NN' in the notes and lesson READMEs names a lesson that exists or is "
    "on the lesson map",
    "[lessons][notes]") {
    // A lesson on the map in notes/README.md but not yet in lessons/ is marked *(coming)*
    // there, so a forward reference ("lesson 19") always leads somewhere a student can read.
    const std::string map = read_file("notes/README.md");
    const auto slugs = lesson_slugs();
    const auto exists = [&](const std::string& number) {
        for (const std::string& slug : slugs)
            if (slug.starts_with(number + "-")) return true;
        return map.find("| " + number + " |") != std::string::npos;
    };
    std::vector<std::string> files;
    for (const std::string& slug : numbered_notes())
        files.push_back(fmt::format("notes/{}.md", slug));
    for (const std::string& slug : slugs)
        files.push_back(fmt::format("lessons/{}/README.md", slug));
    for (const std::string& file : files) {
        const std::string text = read_file(file);
        for (const char* word : {"lesson ", "Lesson "}) {
            for (auto at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
                const std::size_t digits = at + 7;
                if (digits + 2 > text.size() ||
                    !std::isdigit(static_cast<unsigned char>(text[digits])) ||
                    !std::isdigit(static_cast<unsigned char>(text[digits + 1])))
                    continue;
                const std::string number = text.substr(digits, 2);
                INFO(file << " mentions lesson " << number);
                CHECK(exists(number));
            }
        }
    }
}
