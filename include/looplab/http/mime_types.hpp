// looplab/http/mime_types.hpp
//
// content_type_for(path) — the Content-Type header for a file, chosen by its extension.
// Teaches: a browser trusts the Content-Type, not the file name. Serve app.js as
// application/octet-stream and the browser refuses to run it as a module script.
#pragma once

#include <string_view>

namespace looplab::http {

// "index.html" → "text/html; charset=utf-8", "app.js" → "text/javascript; charset=utf-8",
// "logo.SVG" → "image/svg+xml". The extension is what follows the last '.' of the last path
// segment, compared without case. Unknown or missing: "application/octet-stream" (download it,
// don't guess). Text types say charset=utf-8 so accents show right without a <meta> tag.
std::string_view content_type_for(std::string_view path);

}   // namespace looplab::http
