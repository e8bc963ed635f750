// Where the live view finds its page and the program's sources, and how a source file is
// served (GET /source?path=...); see watch_files.hpp.
#include "watch_files.hpp"

#include "looplab/http/query.hpp"
#include "looplab/trace/source_view.hpp"
#include "looplab/trace/watch_server.hpp"

#include <fmt/format.h>

#include <cstdlib>

namespace looplab::trace {
namespace {

bool has_page(const std::filesystem::path& dir) {
    std::error_code ignored;
    return std::filesystem::is_regular_file(dir / "watch.html", ignored);
}

// Looks for <dir>/src/web/watch.html in `start` and the folders above it.
std::optional<std::string> search_upwards(std::filesystem::path start) {
    for (int level = 0; level < 8 && !start.empty(); ++level) {
        if (has_page(start / "src" / "web")) return (start / "src" / "web").string();
        if (start == start.parent_path()) break;
        start = start.parent_path();
    }
    return std::nullopt;
}

}   // namespace

// GET /source?path=...: the file as a page, or a plain-text 404 saying why not.
http::Response source_response(const std::filesystem::path& root, const http::Request& request) {
    const http::QueryParams query = http::parse_query(http::query_string(request.target));
    const std::string requested{http::find_query_value(query, "path").value_or("")};
    auto file = resolve_source_path(root, requested);
    Result<std::string> text = file ? read_source_file(*file) : Result<std::string>{file.error()};
    if (!text) {
        http::Response missing{404};
        missing.set_body(fmt::format("not shown: {}\n", text.error().message()),
                         "text/plain; charset=utf-8");
        return missing;
    }
    http::Response page{200};
    page.set_body(source_page_html(requested, *text), "text/html; charset=utf-8");
    page.set_header("Cache-Control", "no-store");
    return page;
}

// The checkout that holds <root>/src/web: two folders above the web root.
std::string source_root_of(const std::string& web_root) {
    std::error_code error;
    std::filesystem::path web = std::filesystem::weakly_canonical(web_root, error);
    if (error) web = std::filesystem::path{web_root}.lexically_normal();
    if (!web.has_filename()) web = web.parent_path();   // "src/web/" -> "src/web"
    return web.parent_path().parent_path().string();
}

std::optional<std::string> find_watch_web_root() {
    if (const char* given = std::getenv("LOOPLAB_WEB_ROOT"); given != nullptr && *given != '\0')
        return has_page(given) ? std::optional<std::string>{given} : std::nullopt;
    std::error_code error;
    if (auto found = search_upwards(std::filesystem::current_path(error)); found) return found;
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", error);
    if (!error) return search_upwards(exe.parent_path());
    return std::nullopt;
}

}   // namespace looplab::trace
