// The watch page's read-only source view (GET /source?path=...): which paths are shown and
// which are refused, and the page's numbered lines. A scratch source root in a temporary
// folder, so the checks do not depend on the repository's files.
#include "looplab/trace/source_view.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace fs = std::filesystem;
namespace trace = looplab::trace;

namespace {

// <tmp>/root/{lessons/07/main.cpp, src/a.cpp, notes/secret.md}, <tmp>/outside.txt, and
// root/lessons/escape -> ../../outside.txt (a symlink out of the root).
class ScratchRoot {
public:
    ScratchRoot() {
        std::string pattern = (fs::temp_directory_path() / "looplab-source-XXXXXX").string();
        REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        base_ = pattern;
        fs::create_directories(root() / "lessons" / "07");
        fs::create_directories(root() / "src");
        fs::create_directories(root() / "notes");
        write(root() / "lessons" / "07" / "main.cpp", "int main() {\n    loop.post_soon(f);\n}\n");
        write(root() / "src" / "a.cpp", "// a <b> & \"c\"\n");
        write(root() / "notes" / "secret.md", "not for the page\n");
        write(base_ / "outside.txt", "outside\n");
        fs::create_symlink(base_ / "outside.txt", root() / "lessons" / "escape");
        fs::create_symlink(root() / "lessons" / "07" / "main.cpp",
                           root() / "src" / "inside-link.cpp");
    }
    ~ScratchRoot() {
        std::error_code ignored;
        fs::remove_all(base_, ignored);
    }
    ScratchRoot(const ScratchRoot&) = delete;
    ScratchRoot& operator=(const ScratchRoot&) = delete;

    fs::path root() const { return base_ / "root"; }

private:
    static void write(const fs::path& file, const std::string& text) {
        std::ofstream{file} << text;
    }
    fs::path base_;
};

std::string refusal(const fs::path& root, std::string_view path) {
    auto resolved = trace::resolve_source_path(root, path);
    REQUIRE_FALSE(resolved);
    return resolved.error().message();
}

}   // namespace

TEST_CASE("source view: files under lessons/, src/ and include/ are shown", "[trace][source]") {
    ScratchRoot scratch;
    auto file = trace::resolve_source_path(scratch.root(), "lessons/07/main.cpp");
    REQUIRE(file);
    auto text = trace::read_source_file(*file);
    REQUIRE(text);
    CHECK(*text == "int main() {\n    loop.post_soon(f);\n}\n");
    // "." parts are fine.
    CHECK(trace::resolve_source_path(scratch.root(), "src/./a.cpp").has_value());
    // A file is shown only from the folder it is named in: a link from src/ into lessons/
    // is refused too (simpler to explain than "out of the root, but not out of a folder").
    CHECK_THAT(refusal(scratch.root(), "src/inside-link.cpp"),
               Catch::Contains("out of its folder"));
}

TEST_CASE("source view: paths that could leave the source folders are refused", "[trace][source]") {
    ScratchRoot scratch;
    const fs::path root = scratch.root();
    CHECK_THAT(refusal(root, ""), Catch::Contains("no path"));
    CHECK_THAT(refusal(root, "/etc/passwd"), Catch::Contains("absolute"));
    CHECK_THAT(refusal(root, (root / "src" / "a.cpp").string()), Catch::Contains("absolute"));
    CHECK_THAT(refusal(root, "lessons/../notes/secret.md"), Catch::Contains("\"..\""));
    CHECK_THAT(refusal(root, "src/../../outside.txt"), Catch::Contains("\"..\""));
    CHECK_THAT(refusal(root, "notes/secret.md"),
               Catch::Contains("only files under lessons/, src/ and include/"));
    CHECK_THAT(refusal(root, "include/x.hpp"), Catch::Contains("no include/ folder"));
    CHECK_THAT(refusal(root, "lessons/escape"), Catch::Contains("out of its folder"));
    CHECK_THAT(refusal(root, "lessons/07/missing.cpp"), Catch::Contains("no such file"));
    CHECK_THAT(refusal(root, "lessons/07"), Catch::Contains("not a regular file"));
    CHECK_THAT(refusal(root, std::string_view{"src/a.cpp\0x", 11}), Catch::Contains("not a path"));
}

TEST_CASE("source view: the page numbers every line and escapes the text", "[trace][source]") {
    const std::string page = trace::source_page_html("src/a.cpp", "// a <b> & \"c\"\nsecond\n");
    CHECK_THAT(page, Catch::Contains("<title>src/a.cpp</title>"));
    CHECK_THAT(page, Catch::Contains("id=\"L1\""));
    CHECK_THAT(page, Catch::Contains("id=\"L2\""));
    CHECK_THAT(page, !Catch::Contains("id=\"L3\""));   // the last newline ends line 2
    CHECK_THAT(page, Catch::Contains("// a &lt;b&gt; &amp; &quot;c&quot;"));
    CHECK_THAT(page, !Catch::Contains("<b>"));
    CHECK_THAT(trace::source_page_html("<x>", ""), Catch::Contains("<title>&lt;x&gt;</title>"));
}
