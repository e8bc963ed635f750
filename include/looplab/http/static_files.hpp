// looplab/http/static_files.hpp
//
// resolve_static_path(root, url_path) — which file, if any, a GET for `url_path` may read.
// Teaches: path traversal. "/../../etc/passwd", "/%2e%2e/secret" or a symlink pointing out
// of the web folder must never reach a file outside it, so the only answer we trust is the
// kernel's: realpath() the candidate, then check it still lies inside realpath(root).
//
// Steps, each with its refusal:
//   1. url_path must start with '/'                                       else BadPath (400)
//   2. percent-decode it ("%20" → ' '); a bad escape or a NUL byte        → BadPath (400)
//   3. split on '/', drop "" and "." segments, let ".." remove the one
//      before it; a ".." with nothing left to remove                      → OutsideRoot (403)
//   4. realpath(root + path): missing                                     → NotFound (404)
//                             not readable                                → NoPermission (403)
//   5. the real path must be root itself or under it (symlinks!)          else OutsideRoot (403)
//   6. a directory means its index.html ("/" → root/index.html), checked by steps 4-5 again;
//      anything that is not then a regular file (a FIFO, a device)        → NotFound (404)
//
// Contract: touches the file system (realpath, stat) but opens nothing. Pass Request::path(),
// not the target: a '?' here is part of the file name. The file may change between this call
// and the open(); a server that shares its root with untrusted writers needs openat2() with
// RESOLVE_BENEATH, which is beyond this lesson.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace looplab::http {

enum class StaticFileError {
    BadPath,        // not absolute, bad %-escape, or a NUL byte   400
    OutsideRoot,    // ".." or a symlink leads out of the root      403
    NoPermission,   // the file system said EACCES                  403
    NotFound,       // no such file, or not a regular file          404
};

int status_for(StaticFileError error);
std::string_view describe(StaticFileError error);

// Exactly one of the two is set: the file to serve, or why not.
struct ResolvedPath {
    std::string file;   // absolute, symlinks resolved
    std::optional<StaticFileError> error;
    explicit operator bool() const { return !error; }
};

ResolvedPath resolve_static_path(const std::string& root, std::string_view url_path);

// "%41b%2Fc" → "Ab/c"; nullopt for '%' not followed by two hex digits. '+' stays '+': it
// means a space only in query strings (HTML forms), never in a path.
std::optional<std::string> percent_decode(std::string_view text);

}   // namespace looplab::http
