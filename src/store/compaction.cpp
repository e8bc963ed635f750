// looplab/store/compaction.cpp — keeping a log small: copy the records worth keeping into a new
// file, then swap the files in one atomic step.
//
//   1. <path>.compact   header + the kept records (their bytes as they are: same offsets, same
//                       CRCs), then fdatasync: the new file is complete on the drive
//   2. rename(<path>.compact, <path>)   atomic: anyone opening <path> gets the old file or the
//                       new one, never a mix
//   3. fsync(directory) the rename itself is now durable
//
// A crash before 2 leaves the old log and a stray .compact file (open() removes it); a crash
// after 2 leaves the new log. Either is a whole log.
#include "looplab/store/log.hpp"

#include "file_io.hpp"

#include <fmt/format.h>

#include <cstdio>

#include <fcntl.h>
#include <unistd.h>

namespace looplab::store {
namespace {

// Which entries the count rule keeps: the last `keep_last_per_key` of each key.
std::vector<bool> kept_by_count(
    std::size_t entry_count, std::size_t keep_last_per_key,
    const std::unordered_map<std::string, std::vector<std::size_t>>& by_key) {
    std::vector<bool> keep(entry_count, true);
    if (keep_last_per_key == 0) return keep;
    for (const auto& [key, indexes] : by_key)
        for (std::size_t i = 0; i + keep_last_per_key < indexes.size(); ++i)
            keep[indexes[i]] = false;
    return keep;
}

// Removes the half-made file when a compaction gives up before its rename.
struct RemoveUnlessKept {
    std::string path;
    bool kept = false;
    ~RemoveUnlessKept() {
        if (!kept) ::unlink(path.c_str());
    }
};

}   // namespace

Result<CompactionReport> Log::compact(const Retention& retention) {
    if (auto ok = usable(); !ok) return ok.error();
    CompactionReport report{entries_.size(), 0, end_, 0};
    const std::vector<bool> keep =
        kept_by_count(entries_.size(), retention.keep_last_per_key, by_key_);
    const std::int64_t oldest_ms =
        retention.max_age ? wall_clock_ms() - retention.max_age->count() : INT64_MIN;

    // 1. The new file, locked before it gets the log's name so no second Log can slip in.
    const std::string temporary = path_ + ".compact";
    auto fd = detail::open_file(temporary, O_RDWR | O_CREAT | O_TRUNC);
    if (!fd) return fd.error();
    RemoveUnlessKept cleanup{temporary};
    if (auto locked = detail::lock_exclusively(fd->get(), temporary); !locked)
        return locked.error();

    std::vector<std::uint8_t> out;   // written in chunks of about kStoreScanChunkBytes
    const auto header = encode_file_header(next_offset_);
    out.assign(header.begin(), header.end());
    std::uint64_t written = 0;
    std::vector<Entry> new_entries;
    std::vector<std::string> new_keys;
    std::vector<std::uint8_t> bytes;
    for (std::size_t i = 0; i < entries_.size(); ++i) {
        if (!keep[i]) continue;
        const Entry& entry = entries_[i];
        bytes.resize(entry.size);
        auto got = detail::read_at(fd_.get(), bytes, entry.position, path_);
        if (!got) return got.error();
        const Decoded decoded = decode_record(std::span<const std::uint8_t>{bytes}.first(*got));
        if (decoded.status != DecodeStatus::Complete)   // never copy a damaged record
            return Error::because(
                fmt::format("compact {}: the record at byte {} changed on disk "
                            "since the log was opened ({})",
                            path_, entry.position, describe(decoded.problem)));
        if (decoded.record.unix_ms < oldest_ms) continue;
        new_entries.push_back(Entry{entry.offset, written + out.size(), entry.size});
        new_keys.emplace_back(decoded.record.key);
        out.insert(out.end(), bytes.begin(), bytes.end());
        if (out.size() >= kStoreScanChunkBytes) {
            if (auto wrote = detail::write_all_at(fd->get(), out, written, temporary); !wrote)
                return wrote.error();
            written += out.size();
            out.clear();
        }
    }
    if (auto wrote = detail::write_all_at(fd->get(), out, written, temporary); !wrote)
        return wrote.error();
    written += out.size();
    if (auto synced = detail::sync_data(fd->get(), temporary); !synced) return synced.error();

    // 2. The atomic swap, and 3. the directory, so the swap survives a power cut.
    if (::rename(temporary.c_str(), path_.c_str()) == -1)
        return Error::from_errno(fmt::format("rename {} to {}", temporary, path_));
    cleanup.kept = true;
    fd_ = std::move(*fd);   // the old file closes here (and its lock goes with it)

    // The index now describes the new file (before anything else can fail: queries read it).
    entries_.clear();
    by_key_.clear();
    for (std::size_t i = 0; i < new_entries.size(); ++i) remember(new_entries[i], new_keys[i]);
    end_ = written;
    base_offset_ = next_offset_;
    has_unsynced_ = false;
    if (auto synced = detail::sync_directory(path_); !synced) {
        broken_ = synced.error();   // the new file is in use, but its name may not be durable
        return synced.error();
    }
    report.records_after = entries_.size();
    report.bytes_after = end_;
    return report;
}

}   // namespace looplab::store
