#include "looplab/http/static_files.hpp"

#include "hex_digit.hpp"

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <vector>

#include <sys/stat.h>

namespace looplab::http {

namespace {

using detail::hex_digit_value;

ResolvedPath refuse(StaticFileError error) { return ResolvedPath{{}, error}; }

// Step 3: "a/./b//../c" → "a/c". nullopt when a ".." would climb above the root.
std::optional<std::string> normalize_segments(std::string_view path) {
    std::vector<std::string_view> kept;
    while (!path.empty()) {
        const auto slash = path.find('/');
        const auto segment = path.substr(0, slash);
        if (segment == "..") {
            if (kept.empty()) return std::nullopt;
            kept.pop_back();
        } else if (!segment.empty() && segment != ".") {
            kept.push_back(segment);
        }
        path.remove_prefix(slash == std::string_view::npos ? path.size() : slash + 1);
    }
    std::string joined;
    for (const auto segment : kept) (joined += '/') += segment;
    return joined;
}

// realpath() with the answer the caller needs: the real path, or which refusal.
ResolvedPath real_path_of(const std::string& path) {
    char buffer[PATH_MAX];
    if (::realpath(path.c_str(), buffer) == nullptr)
        return refuse(errno == EACCES ? StaticFileError::NoPermission : StaticFileError::NotFound);
    return ResolvedPath{buffer, std::nullopt};
}

bool is_inside(const std::string& real_root, const std::string& real_path) {
    if (real_path == real_root) return true;
    // "/srv/web" must not accept "/srv/website": compare with the trailing '/'.
    const std::string prefix = real_root.ends_with('/') ? real_root : real_root + '/';
    return real_path.starts_with(prefix);
}

// Steps 4 and 5 for one candidate path.
ResolvedPath resolve_inside(const std::string& real_root, const std::string& candidate) {
    auto resolved = real_path_of(candidate);
    if (resolved && !is_inside(real_root, resolved.file))
        return refuse(StaticFileError::OutsideRoot);
    return resolved;
}

std::optional<mode_t> file_type_of(const std::string& path) {
    struct stat info = {};
    if (::stat(path.c_str(), &info) == -1) return std::nullopt;
    return info.st_mode & S_IFMT;
}

}   // namespace

int status_for(StaticFileError error) {
    switch (error) {
        case StaticFileError::BadPath: return 400;
        case StaticFileError::OutsideRoot:
        case StaticFileError::NoPermission: return 403;
        case StaticFileError::NotFound: return 404;
    }
    return 404;
}

std::string_view describe(StaticFileError error) {
    switch (error) {
        case StaticFileError::BadPath: return "path is not absolute, or has a bad %-escape or NUL";
        case StaticFileError::OutsideRoot: return "path leads outside the root";
        case StaticFileError::NoPermission: return "no permission to read the path";
        case StaticFileError::NotFound: return "no such file";
    }
    return "unknown static file error";
}

std::optional<std::string> percent_decode(std::string_view text) {
    std::string decoded;
    decoded.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            decoded += text[i];
            continue;
        }
        if (i + 2 >= text.size()) return std::nullopt;   // needs two more characters
        const auto high = hex_digit_value(text[i + 1]);
        const auto low = hex_digit_value(text[i + 2]);
        if (!high || !low) return std::nullopt;
        decoded += static_cast<char>(*high * 16 + *low);
        i += 2;
    }
    return decoded;
}

ResolvedPath resolve_static_path(const std::string& root, std::string_view url_path) {
    if (!url_path.starts_with('/')) return refuse(StaticFileError::BadPath);   // 1
    const auto decoded = percent_decode(url_path);                             // 2
    if (!decoded || decoded->find('\0') != std::string::npos)
        return refuse(StaticFileError::BadPath);
    const auto relative = normalize_segments(*decoded);   // 3
    if (!relative) return refuse(StaticFileError::OutsideRoot);

    const auto real_root = real_path_of(root);   // a missing root: nothing can be found
    if (!real_root) return real_root;

    auto resolved = resolve_inside(real_root.file, real_root.file + *relative);   // 4, 5
    if (resolved && file_type_of(resolved.file) == S_IFDIR)                       // 6
        resolved = resolve_inside(real_root.file, resolved.file + "/index.html");
    if (resolved && file_type_of(resolved.file) != S_IFREG)
        return refuse(StaticFileError::NotFound);
    return resolved;
}

}   // namespace looplab::http
