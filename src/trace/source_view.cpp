// The watch page's read-only source view; see looplab/trace/source_view.hpp.
#include "looplab/trace/source_view.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>

namespace looplab::trace {
namespace {

Error refused(std::string_view requested, std::string_view why) {
    return Error::because(fmt::format("{}: {}", requested.empty() ? "(no path)" : requested, why));
}

bool is_inside(const std::filesystem::path& folder, const std::filesystem::path& file) {
    auto f = file.begin();
    for (auto d = folder.begin(); d != folder.end(); ++d, ++f)
        if (f == file.end() || *d != *f) return false;
    return f != file.end();
}

void append_escaped(std::string& out, std::string_view text) {
    for (const char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            default: out += c;
        }
    }
}

}   // namespace

Result<std::filesystem::path> resolve_source_path(const std::filesystem::path& root,
                                                  std::string_view requested) {
    if (requested.empty()) return refused(requested, "no path given (?path=lessons/...)");
    if (requested.find('\0') != std::string_view::npos) return refused(requested, "not a path");
    const std::filesystem::path relative{std::string{requested}};
    if (relative.is_absolute() || requested.front() == '/')
        return refused(requested,
                       "absolute paths are refused; give one relative to the source root");
    for (const auto& part : relative)
        if (part == "..") return refused(requested, "\"..\" is refused");
    const std::string first = relative.begin()->string();
    if (std::find(kSourceFolders.begin(), kSourceFolders.end(), first) == kSourceFolders.end())
        return refused(requested, "only files under lessons/, src/ and include/ are shown");
    std::error_code error;
    const std::filesystem::path folder = std::filesystem::canonical(root / first, error);
    if (error)
        return refused(requested,
                       fmt::format("no {}/ folder in the source root {}", first, root.string()));
    const std::filesystem::path file = std::filesystem::canonical(root / relative, error);
    if (error) return refused(requested, "no such file");
    // canonical() followed every symlink: a link pointing out of the folder ends up outside.
    if (!is_inside(folder, file))
        return refused(requested, "it leads out of its folder (a symlink?)");
    if (!std::filesystem::is_regular_file(file, error))
        return refused(requested, "not a regular file");
    return file;
}

Result<std::string> read_source_file(const std::filesystem::path& file) {
    std::error_code error;
    const auto size = std::filesystem::file_size(file, error);
    if (error) return Error::because(fmt::format("{}: cannot read it", file.filename().string()));
    if (size > kSourceFileMax)
        return Error::because(
            fmt::format("{}: larger than {} bytes", file.filename().string(), kSourceFileMax));
    std::ifstream in{file, std::ios::binary};
    if (!in) return Error::because(fmt::format("{}: cannot open it", file.filename().string()));
    std::string text{std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
    return text;
}

std::string source_page_html(std::string_view path, std::string_view text) {
    std::string out = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>";
    append_escaped(out, path);
    out +=
        "</title><link rel=\"stylesheet\" href=\"/watch.css\"></head>\n"
        "<body class=\"source\"><h1>";
    append_escaped(out, path);
    out += "</h1>\n<table class=\"source-lines\">\n";
    std::size_t number = 1;
    std::size_t start = 0;
    while (start < text.size() || number == 1) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        out += fmt::format(
            "<tr id=\"L{0}\"><td class=\"n\"><a href=\"#L{0}\">{0}</a></td><td><pre>", number);
        append_escaped(out, text.substr(start, end - start));
        out += "</pre></td></tr>\n";
        ++number;
        start = end + 1;
        if (end == text.size()) break;
    }
    out += "</table>\n</body></html>\n";
    return out;
}

}   // namespace looplab::trace
