// looplab/store/queries.cpp — reading records back: from an offset, the last N, by key.
// The in-memory index says where each record is; the bytes come from the file, and each
// record's CRC is checked again on the way out, so a record damaged after open() is reported
// as an error, never returned.
#include "looplab/store/log.hpp"

#include "file_io.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace looplab::store {

Result<Record> Log::read_entry(const Entry& entry) const {
    std::vector<std::uint8_t> bytes(entry.size);
    auto got = detail::read_at(fd_.get(), bytes, entry.position, path_);
    if (!got) return got.error();
    const Decoded decoded = decode_record(std::span<const std::uint8_t>{bytes}.first(*got));
    if (decoded.status != DecodeStatus::Complete || decoded.size != entry.size ||
        decoded.record.offset != entry.offset) {
        const std::string_view why = decoded.status == DecodeStatus::Corrupt
                                         ? describe(decoded.problem)
                                         : std::string_view{"not the record the index expects"};
        return Error::because(
            fmt::format("read {} at byte {}: the record changed on disk since "
                        "the log was opened ({})",
                        path_, entry.position, why));
    }
    return decoded.record.to_record();
}

Result<std::vector<Record>> Log::read_entries(const std::vector<std::size_t>& which) const {
    if (!fd_) return Error::because(fmt::format("{}: the log is closed", path_));
    std::vector<Record> records;
    records.reserve(which.size());
    for (std::size_t index : which) {
        auto record = read_entry(entries_[index]);
        if (!record) return record.error();
        records.push_back(std::move(*record));
    }
    return records;
}

Result<std::vector<Record>> Log::read_from(Offset first, std::size_t max_count) const {
    // Offsets grow along the file (compaction may leave gaps): a binary search finds the start.
    const auto start = std::lower_bound(entries_.begin(), entries_.end(), first,
                                        [](const Entry& e, Offset o) { return e.offset < o; });
    const auto begin = static_cast<std::size_t>(start - entries_.begin());
    const std::size_t count = std::min(max_count, entries_.size() - begin);
    std::vector<std::size_t> which(count);
    for (std::size_t i = 0; i < count; ++i) which[i] = begin + i;
    return read_entries(which);
}

Result<std::vector<Record>> Log::last(std::size_t count) const {
    count = std::min(count, entries_.size());
    std::vector<std::size_t> which(count);
    for (std::size_t i = 0; i < count; ++i) which[i] = entries_.size() - count + i;
    return read_entries(which);
}

Result<std::vector<Record>> Log::by_key(std::string_view key, std::size_t count) const {
    const auto found = by_key_.find(std::string{key});
    if (found == by_key_.end()) return read_entries({});
    const std::vector<std::size_t>& all = found->second;
    count = std::min(count, all.size());
    return read_entries(
        std::vector<std::size_t>(all.end() - static_cast<std::ptrdiff_t>(count), all.end()));
}

}   // namespace looplab::store
