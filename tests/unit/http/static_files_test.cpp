// tests/unit/http/static_files_test.cpp — resolve_static_path() on a real temporary tree:
// index.html for directories, percent-decoding, ".." and symlinks that try to leave the root.
//
// The tree, made fresh for every test case in /tmp:
//
//   <tmp>/secret.txt                    outside the root: must never be served
//   <tmp>/outside/page.html
//   <tmp>/web/                          the root
//   <tmp>/web/index.html
//   <tmp>/web/app.js
//   <tmp>/web/hello world.txt
//   <tmp>/web/docs/index.html
//   <tmp>/web/empty/                    a directory without index.html
//   <tmp>/web/escape.txt  -> ../secret.txt   symlink out of the root
//   <tmp>/web/out         -> ../outside      symlinked directory out of the root
//   <tmp>/web/alias.js    -> app.js          symlink that stays inside
//   <tmp>/web/fifo                      a named pipe: not a regular file
#include "looplab/http/static_files.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <sys/stat.h>

namespace fs = std::filesystem;

using looplab::http::percent_decode;
using looplab::http::resolve_static_path;
using looplab::http::StaticFileError;
using looplab::http::status_for;

namespace {

class TempTree {
public:
    TempTree() {
        std::string pattern = (fs::temp_directory_path() / "looplab-static-XXXXXX").string();
        REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        base_ = fs::canonical(pattern);

        write(base_ / "secret.txt", "top secret");
        fs::create_directories(base_ / "outside");
        write(base_ / "outside/page.html", "outside");
        fs::create_directories(base_ / "web/docs");
        fs::create_directories(base_ / "web/empty");
        write(base_ / "web/index.html", "home");
        write(base_ / "web/app.js", "js");
        write(base_ / "web/hello world.txt", "hi");
        write(base_ / "web/docs/index.html", "docs");
        fs::create_symlink("../secret.txt", base_ / "web/escape.txt");
        fs::create_directory_symlink("../outside", base_ / "web/out");
        fs::create_symlink("app.js", base_ / "web/alias.js");
        REQUIRE(::mkfifo((base_ / "web/fifo").c_str(), 0600) == 0);
    }
    ~TempTree() { fs::remove_all(base_); }
    TempTree(const TempTree&) = delete;
    TempTree& operator=(const TempTree&) = delete;

    std::string root() const { return (base_ / "web").string(); }
    std::string in_root(const std::string& name) const { return (base_ / "web" / name).string(); }

private:
    static void write(const fs::path& path, const std::string& text) {
        std::ofstream{path} << text;
    }
    fs::path base_;
};

}   // namespace

TEST_CASE("\"/\" and a directory resolve to their index.html", "[http][static]") {
    const TempTree tree;
    const auto home = resolve_static_path(tree.root(), "/");
    REQUIRE(home);
    CHECK(home.file == tree.in_root("index.html"));

    const auto docs = resolve_static_path(tree.root(), "/docs/");
    REQUIRE(docs);
    CHECK(docs.file == tree.in_root("docs/index.html"));
    CHECK(resolve_static_path(tree.root(), "/docs").file == tree.in_root("docs/index.html"));
}

TEST_CASE("a file inside the root resolves to its absolute real path", "[http][static]") {
    const TempTree tree;
    CHECK(resolve_static_path(tree.root(), "/app.js").file == tree.in_root("app.js"));
    CHECK(resolve_static_path(tree.root(), "//./app.js").file == tree.in_root("app.js"));
    CHECK(resolve_static_path(tree.root(), "/docs/../app.js").file == tree.in_root("app.js"));
    CHECK(resolve_static_path(tree.root() + "/", "/app.js").file == tree.in_root("app.js"));
}

TEST_CASE("the path is percent-decoded before it is looked up", "[http][static]") {
    const TempTree tree;
    CHECK(resolve_static_path(tree.root(), "/hello%20world.txt").file ==
          tree.in_root("hello world.txt"));
    CHECK(resolve_static_path(tree.root(), "/%61pp.js").file == tree.in_root("app.js"));
    CHECK(resolve_static_path(tree.root(), "/docs%2Findex.html").file ==
          tree.in_root("docs/index.html"));
}

TEST_CASE("a symlink that stays inside the root is followed", "[http][static]") {
    const TempTree tree;
    CHECK(resolve_static_path(tree.root(), "/alias.js").file == tree.in_root("app.js"));
}

TEST_CASE("paths that leave the root are refused with 403", "[http][static]") {
    const TempTree tree;
    const std::string path =
        GENERATE(as<std::string>{}, "/..", "/../secret.txt", "/docs/../../secret.txt",
                 "/%2e%2e/secret.txt", "/%2E%2E%2Fsecret.txt",
                 "/escape.txt",       // symlink to ../secret.txt
                 "/out/page.html");   // symlinked directory
    CAPTURE(path);
    const auto resolved = resolve_static_path(tree.root(), path);
    REQUIRE(resolved.error == StaticFileError::OutsideRoot);
    CHECK(status_for(*resolved.error) == 403);
    CHECK(resolved.file.empty());
}

TEST_CASE("malformed paths are refused with 400", "[http][static]") {
    const TempTree tree;
    const std::string path = GENERATE(as<std::string>{}, "",
                                      "app.js",   // not absolute
                                      "*", "http://h/app.js",
                                      "/app%2",   // escape cut short
                                      "/app%",
                                      "/%zzapp.js",        // not hex
                                      "/app.js%00.png");   // NUL
    CAPTURE(path);
    const auto resolved = resolve_static_path(tree.root(), path);
    REQUIRE(resolved.error == StaticFileError::BadPath);
    CHECK(status_for(*resolved.error) == 400);
}

TEST_CASE("missing files and things that are not regular files are 404", "[http][static]") {
    const TempTree tree;
    const std::string path = GENERATE(as<std::string>{}, "/missing.html",
                                      "/app.js/child",   // a file used as a folder
                                      "/empty/",         // no index.html in it
                                      "/fifo");
    CAPTURE(path);
    const auto resolved = resolve_static_path(tree.root(), path);
    REQUIRE(resolved.error == StaticFileError::NotFound);
    CHECK(status_for(*resolved.error) == 404);
}

TEST_CASE("a root that does not exist finds nothing", "[http][static]") {
    const TempTree tree;
    CHECK(resolve_static_path(tree.in_root("no-such-dir"), "/").error == StaticFileError::NotFound);
}

TEST_CASE("a root that is a prefix of a sibling's name does not reach the sibling",
          "[http][static]") {
    const TempTree tree;
    // <tmp>/web and <tmp>/website: "/srv/web" is a string prefix of "/srv/website".
    fs::create_directories(fs::path{tree.root()}.parent_path() / "website");
    std::ofstream{fs::path{tree.root()}.parent_path() / "website/x.html"} << "x";
    fs::create_symlink("../website/x.html", tree.in_root("sibling.html"));
    CHECK(resolve_static_path(tree.root(), "/sibling.html").error == StaticFileError::OutsideRoot);
}

TEST_CASE("percent_decode turns %XX into bytes and leaves '+' alone", "[http][static]") {
    CHECK(percent_decode("%41b%2Fc") == "Ab/c");
    CHECK(percent_decode("a+b") == "a+b");
    CHECK(percent_decode("%e2%82%ac") == "\xe2\x82\xac");
    CHECK(percent_decode("") == "");
    CHECK_FALSE(percent_decode("%"));
    CHECK_FALSE(percent_decode("%4"));
    CHECK_FALSE(percent_decode("%G0"));
    CHECK(percent_decode("%00") == std::string(1, '\0'));
}

TEST_CASE("every static file error has a status and a description", "[http][static]") {
    CHECK(status_for(StaticFileError::NoPermission) == 403);
    CHECK(looplab::http::describe(StaticFileError::NoPermission) ==
          "no permission to read the path");
}
