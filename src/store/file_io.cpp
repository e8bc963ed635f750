// src/store/file_io.cpp — see file_io.hpp.
#include "file_io.hpp"

#include <fmt/format.h>

#include <cerrno>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace looplab::store::detail {

Result<UniqueFd> open_file(const std::string& path, int flags, int mode) {
    int fd;
    do {
        fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
    } while (fd == -1 && errno == EINTR);
    if (fd == -1) return Error::from_errno(fmt::format("open {}", path));
    return UniqueFd{fd};
}

Status write_all_at(int fd, std::span<const std::uint8_t> bytes, std::uint64_t position,
                    const std::string& path) {
    while (!bytes.empty()) {
        const ssize_t wrote =
            ::pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(position));
        if (wrote == -1) {
            if (errno == EINTR) continue;
            return Error::from_errno(fmt::format("write {} at byte {}", path, position));
        }
        bytes = bytes.subspan(static_cast<std::size_t>(wrote));   // a short write: go on
        position += static_cast<std::uint64_t>(wrote);
    }
    return Ok{};
}

Result<std::size_t> read_at(int fd, std::span<std::uint8_t> bytes, std::uint64_t position,
                            const std::string& path) {
    std::size_t got = 0;
    while (got < bytes.size()) {
        const ssize_t n =
            ::pread(fd, bytes.data() + got, bytes.size() - got, static_cast<off_t>(position + got));
        if (n == -1) {
            if (errno == EINTR) continue;
            return Error::from_errno(fmt::format("read {} at byte {}", path, position + got));
        }
        if (n == 0) break;   // the end of the file
        got += static_cast<std::size_t>(n);
    }
    return got;
}

Result<std::uint64_t> file_size(int fd, const std::string& path) {
    struct stat info = {};
    if (::fstat(fd, &info) == -1) return Error::from_errno(fmt::format("fstat {}", path));
    return static_cast<std::uint64_t>(info.st_size);
}

Status truncate_to(int fd, std::uint64_t size, const std::string& path) {
    if (::ftruncate(fd, static_cast<off_t>(size)) == -1)
        return Error::from_errno(fmt::format("truncate {} to {} bytes", path, size));
    return Ok{};
}

Status sync_data(int fd, const std::string& path) {
    int result;
    do {
        result = ::fdatasync(fd);
    } while (result == -1 && errno == EINTR);
    if (result == -1) return Error::from_errno(fmt::format("fdatasync {}", path));
    return Ok{};
}

std::string directory_of(const std::string& path) {
    const auto slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

Status sync_directory(const std::string& path) {
    const std::string directory = directory_of(path);
    auto fd = open_file(directory, O_RDONLY | O_DIRECTORY);
    if (!fd) return fd.error();
    if (::fsync(fd->get()) == -1)
        return Error::from_errno(fmt::format("fsync directory {}", directory));
    return Ok{};
}

Status lock_exclusively(int fd, const std::string& path) {
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return Ok{};
    if (errno == EWOULDBLOCK)
        return Error{errno,
                     fmt::format("lock {}: another Log has it open (one writer per file)", path)};
    return Error::from_errno(fmt::format("lock {}", path));
}

}   // namespace looplab::store::detail
