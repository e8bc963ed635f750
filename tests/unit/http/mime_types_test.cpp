// tests/unit/http/mime_types_test.cpp — content_type_for(): the Content-Type a browser needs
// for each kind of file a lesson serves, and the safe default.
#include "looplab/http/mime_types.hpp"

#include <catch2/catch.hpp>

#include <string_view>

using looplab::http::content_type_for;

TEST_CASE("content_type_for picks the Content-Type from the extension", "[http][mime]") {
    struct Case {
        std::string_view path;
        std::string_view content_type;
    };
    const Case c = GENERATE(values<Case>({
        {"index.html", "text/html; charset=utf-8"},
        {"/docs/old.htm", "text/html; charset=utf-8"},
        {"/app.js", "text/javascript; charset=utf-8"},
        {"/module.mjs", "text/javascript; charset=utf-8"},
        {"/style.css", "text/css; charset=utf-8"},
        {"/logo.svg", "image/svg+xml"},
        {"/data.json", "application/json"},
        {"/img/cat.png", "image/png"},
        {"/photo.jpeg", "image/jpeg"},
        {"/photo.jpg", "image/jpeg"},
        {"/notes.txt", "text/plain; charset=utf-8"},
        {"/favicon.ico", "image/x-icon"},
        {"/engine.wasm", "application/wasm"},
        {"/font.woff2", "font/woff2"},
        {"/INDEX.HTML", "text/html; charset=utf-8"},       // extensions ignore case
        {"/archive.tar.gz", "application/octet-stream"},   // unknown: download it
        {"/Makefile", "application/octet-stream"},         // no extension
        {"/dir.js/readme", "application/octet-stream"},    // the dot is in a folder name
        {"/trailing.", "application/octet-stream"},
        {"", "application/octet-stream"},
    }));
    CAPTURE(c.path);
    CHECK(content_type_for(c.path) == c.content_type);
}
