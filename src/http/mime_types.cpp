#include "looplab/http/mime_types.hpp"

#include "looplab/http/request.hpp"

#include <array>
#include <utility>

namespace looplab::http {

namespace {

// Extensions a teaching web app serves. JSON has no charset parameter (RFC 8259: always
// UTF-8); text/javascript is the one RFC 9239 recommends.
constexpr std::array<std::pair<std::string_view, std::string_view>, 24> kContentTypes{{
    {"html", "text/html; charset=utf-8"},
    {"htm", "text/html; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"json", "application/json"},
    {"map", "application/json"},
    {"txt", "text/plain; charset=utf-8"},
    {"md", "text/markdown; charset=utf-8"},
    {"csv", "text/csv; charset=utf-8"},
    {"xml", "application/xml"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"webp", "image/webp"},
    {"ico", "image/x-icon"},
    {"wasm", "application/wasm"},
    {"woff", "font/woff"},
    {"woff2", "font/woff2"},
    {"pdf", "application/pdf"},
    {"mp4", "video/mp4"},
    {"webm", "video/webm"},
}};

}   // namespace

std::string_view content_type_for(std::string_view path) {
    const auto file_name = path.substr(path.find_last_of('/') + 1);   // npos + 1 == 0
    const auto dot = file_name.find_last_of('.');
    if (dot != std::string_view::npos) {
        const auto extension = file_name.substr(dot + 1);
        for (const auto& [known, content_type] : kContentTypes)
            if (equals_ignoring_case(extension, known)) return content_type;
    }
    return "application/octet-stream";
}

}   // namespace looplab::http
