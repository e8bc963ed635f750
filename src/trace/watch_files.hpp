// The watch server's files (private to src/trace): the source pages it serves beside the
// live view. find_watch_web_root() is public, in looplab/trace/watch_server.hpp.
#pragma once

#include "looplab/http/request.hpp"
#include "looplab/http/response.hpp"

#include <filesystem>
#include <string>

namespace looplab::trace {

// GET /source?path=...: the file under `root` as a page, or a plain-text 404 saying why not.
http::Response source_response(const std::filesystem::path& root, const http::Request& request);

// The checkout that holds <root>/src/web: two folders above the web root.
std::string source_root_of(const std::string& web_root);

}   // namespace looplab::trace
