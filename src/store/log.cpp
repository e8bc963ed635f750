// looplab/store/log.cpp — opening, appending and syncing. Recovery is in recovery.cpp,
// compaction in compaction.cpp, the queries in queries.cpp.
//
// The one rule every path here keeps, the write-ahead order:
//     write the record ─► fdatasync (as the policy says) ─► only then return its offset
#include "looplab/store/log.hpp"

#include "file_io.hpp"

#include <fmt/format.h>

#include <cerrno>

#include <fcntl.h>
#include <unistd.h>

namespace looplab::store {

Log::Log(std::string path, LogOptions options, UniqueFd fd)
    : path_(std::move(path)), options_(std::move(options)), fd_(std::move(fd)) {}

Log::~Log() { static_cast<void>(close()); }

Result<Log> Log::open(std::string path, LogOptions options) {
    // O_CREAT: a missing file becomes a new log. recover() writes the header into an empty
    // file, so a crash between the two is harmless: an empty file is still a new log.
    auto fd = detail::open_file(path, O_RDWR | O_CREAT);
    if (!fd) return fd.error();
    if (auto locked = detail::lock_exclusively(fd->get(), path); !locked) return locked.error();

    // A compaction that died before its rename left this file behind; the log is the old one.
    const std::string leftover = path + ".compact";
    if (::unlink(leftover.c_str()) == -1 && errno != ENOENT)
        return Error::from_errno(fmt::format("remove {}", leftover));

    Log log{std::move(path), std::move(options), std::move(*fd)};
    if (auto recovered = log.recover(); !recovered) return recovered.error();
    log.last_sync_ = log.now();
    return log;
}

Result<Offset> Log::append(std::string_view key, std::string_view value) {
    if (auto ok = usable(); !ok) return ok.error();
    if (key.size() > kStoreMaxKeyBytes)
        return Error::because(
            fmt::format("append to {}: a key of {} bytes is over "
                        "kStoreMaxKeyBytes ({}); nothing written",
                        path_, key.size(), kStoreMaxKeyBytes));
    if (value.size() > kStoreMaxValueBytes)
        return Error::because(
            fmt::format("append to {}: a value of {} bytes is over "
                        "kStoreMaxValueBytes ({}); nothing written",
                        path_, value.size(), kStoreMaxValueBytes));
    const std::size_t size = encoded_size(key, value);
    if (auto room = make_room(size); !room) return room.error();

    // 1. One write() of the whole record: from here on the kernel has it, and a crash of this
    //    process cannot take it back.
    scratch_.clear();
    encode_record(RecordView{next_offset_, wall_clock_ms(), key, value}, scratch_);
    if (auto wrote = detail::write_all_at(fd_.get(), scratch_, end_, path_); !wrote) {
        broken_ = wrote.error();   // maybe half a record on disk: the next open cuts it
        return wrote.error();
    }
    const Entry entry{next_offset_, end_, static_cast<std::uint32_t>(size)};
    remember(entry, key);
    end_ += size;
    next_offset_ = entry.offset + 1;
    has_unsynced_ = true;

    // 2. The policy decides whether it must also reach the drive before we say "done".
    if (std::holds_alternative<Always>(options_.fsync)) {
        if (auto synced = sync_now(); !synced) return synced.error();
    } else if (auto synced = sync_if_due(); !synced) {
        return synced.error();
    }

    // 3. Acknowledged.
    return entry.offset;
}

Status Log::sync() {
    if (auto ok = usable(); !ok) return ok;
    return sync_now();
}

Status Log::sync_if_due() {
    if (auto ok = usable(); !ok) return ok;
    const auto* every = std::get_if<EveryMillis>(&options_.fsync);
    if (every == nullptr || !has_unsynced_ || now() - last_sync_ < every->interval) return Ok{};
    return sync_now();
}

Status Log::close() {
    if (!fd_) return Ok{};
    Status result = Ok{};
    if (has_unsynced_ && !broken_ && !std::holds_alternative<Never>(options_.fsync))
        result = sync_now();
    fd_.reset();   // also releases the flock
    return result;
}

Status Log::sync_now() {
    if (auto synced = detail::sync_data(fd_.get(), path_); !synced) {
        broken_ = synced.error();   // never retried: see "fsyncgate" in log.hpp
        return synced;
    }
    ++syncs_;
    has_unsynced_ = false;
    last_sync_ = now();
    return Ok{};
}

Status Log::usable() const {
    if (!fd_) return Error::because(fmt::format("{}: the log is closed", path_));
    if (broken_)
        return Error{broken_->code(),
                     fmt::format("{}: no more writes since an earlier failure ({}); reopen the "
                                 "log to recover",
                                 path_, broken_->context())};
    return Ok{};
}

Status Log::make_room(std::size_t record_bytes) {
    const auto fits = [&] { return end_ + record_bytes <= options_.max_file_bytes; };
    if (fits()) return Ok{};
    if (!options_.retention)
        return Error::because(
            fmt::format("append to {}: log full ({} of {} bytes); compact() it "
                        "or raise max_file_bytes",
                        path_, end_, options_.max_file_bytes));
    const bool retried_too_soon =
        futile_compaction_at_ && now() - *futile_compaction_at_ < kStoreFullRetryInterval;
    if (!retried_too_soon) {
        if (auto compacted = compact(*options_.retention); !compacted) return compacted.error();
        if (fits()) {
            futile_compaction_at_.reset();
            return Ok{};
        }
        futile_compaction_at_ = now();
    }
    return Error::because(
        fmt::format("append to {}: log full ({} of {} bytes) even after "
                    "compaction; keep less or raise max_file_bytes",
                    path_, end_, options_.max_file_bytes));
}

void Log::remember(const Entry& entry, std::string_view key) {
    entries_.push_back(entry);
    by_key_[std::string{key}].push_back(entries_.size() - 1);
}

Clock::time_point Log::now() const {
    return options_.clock != nullptr ? options_.clock->now() : SteadyClock{}.now();
}

std::int64_t Log::wall_clock_ms() const {
    if (options_.wall_clock_ms) return options_.wall_clock_ms();
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}   // namespace looplab::store
