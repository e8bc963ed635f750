// looplab/trace/source_view.hpp
//
// The live view's "view source": every callback on the watch page names the line that
// scheduled it ("lessons/07-event-queue/ordering_puzzle.cpp:29", see core/source_site.hpp),
// and a click opens GET /source?path=lessons/07-event-queue/ordering_puzzle.cpp#L29 from the
// watch server: the file, read-only, with numbered lines, that line highlighted.
//
// Which files: only those under the source root's lessons/, src/ and include/ folders
// (kSourceFolders). The source root is the folder that holds src/web/watch.html, which the
// watch server finds already (find_watch_web_root(): $LOOPLAB_WEB_ROOT, else upwards from the
// working directory, else upwards from the executable), so it is the checkout the program was
// built from. Paths in a site are relative to it, as the Makefile compiles from there.
//
// Refused, with a plain-text 404 that says why: an empty path, an absolute path, any ".."
// component, a folder not in the list, a file whose real path (symlinks followed) leaves its
// folder, anything that is not a regular file, and files over kSourceFileMax.
//
// Contract: pure functions (the file is read, nothing is written); any thread.
#pragma once

#include "looplab/core/result.hpp"

#include <array>
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace looplab::trace {

// The folders of the source root a page may read from.
inline constexpr std::array<std::string_view, 3> kSourceFolders{"lessons", "src", "include"};
// The largest source file shown (the biggest file in the repository is far smaller).
inline constexpr std::size_t kSourceFileMax = 1024 * 1024;
// The path of the page.
inline constexpr std::string_view kSourcePath = "/source";

// `requested` checked and resolved against `root`: the real path of the file, or an Error
// whose message is the reason shown to the reader.
Result<std::filesystem::path> resolve_source_path(const std::filesystem::path& root,
                                                  std::string_view requested);

// Reads a file resolve_source_path() accepted; an Error if it cannot or if it is too big.
Result<std::string> read_source_file(const std::filesystem::path& file);

// The page: `path` as the title, then one row per line of `text`, the row of line N with the
// id "L<N>" (so #L29 scrolls to it and CSS :target highlights it). Text is HTML-escaped.
std::string source_page_html(std::string_view path, std::string_view text);

}   // namespace looplab::trace
