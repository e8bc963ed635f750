// src/store/file_io.hpp — the few file system calls the store makes, each retried on EINTR and
// on short transfers, each failing with an Error that names the file and the errno:
//     "fdatasync /tmp/x/chat.log: Input/output error"
// Private to src/store.
#pragma once

#include "looplab/core/result.hpp"
#include "looplab/core/unique_fd.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace looplab::store::detail {

// open(2) with O_CLOEXEC added.
[[nodiscard]] Result<UniqueFd> open_file(const std::string& path, int flags, int mode = 0644);

// Writes all of `bytes` at `position` (pwrite, looping over short writes).
[[nodiscard]] Status write_all_at(int fd, std::span<const std::uint8_t> bytes,
                                  std::uint64_t position, const std::string& path);

// Reads up to bytes.size() bytes at `position`; fewer only at the end of the file.
[[nodiscard]] Result<std::size_t> read_at(int fd, std::span<std::uint8_t> bytes,
                                          std::uint64_t position, const std::string& path);

[[nodiscard]] Result<std::uint64_t> file_size(int fd, const std::string& path);
[[nodiscard]] Status truncate_to(int fd, std::uint64_t size, const std::string& path);
[[nodiscard]] Status sync_data(int fd, const std::string& path);

// The directory that holds `path` ("." for a bare name), and an fsync of it: a new name, a
// rename or a removal is durable only once the directory itself is synced.
std::string directory_of(const std::string& path);
[[nodiscard]] Status sync_directory(const std::string& path);

// flock(LOCK_EX | LOCK_NB): fails at once, with a sentence, if another Log holds the file.
[[nodiscard]] Status lock_exclusively(int fd, const std::string& path);

}   // namespace looplab::store::detail
