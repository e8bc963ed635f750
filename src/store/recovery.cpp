// looplab/store/recovery.cpp — what open() does before the first append: read the whole file,
// check every record, rebuild the in-memory index, and cut whatever follows the last good
// record. The rules (torn tail vs corruption) are in log.hpp.
//
//   | header | good | good | good | ??? ...                     |
//                                 ^ the scan stops here: the file is cut here, then fsynced,
//                                   so the next append starts right after the last good record
#include "looplab/store/log.hpp"

#include "file_io.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace looplab::store {
namespace {

// A window onto the file for a front-to-back scan: reads kStoreScanChunkBytes at a time, more
// when one record is bigger than that.
class ScanWindow {
public:
    ScanWindow(int fd, std::uint64_t file_size, const std::string& path)
        : fd_(fd), file_size_(file_size), path_(path) {}

    // The bytes from `position` on: at least `want` of them, unless the file ends first.
    Result<std::span<const std::uint8_t>> at(std::uint64_t position, std::size_t want) {
        const std::uint64_t available_end = start_ + buffer_.size();
        const bool holds_enough = position >= start_ && position <= available_end &&
                                  (available_end - position >= want || available_end == file_size_);
        if (!holds_enough) {
            const std::uint64_t left = file_size_ - position;
            buffer_.resize(static_cast<std::size_t>(
                std::min<std::uint64_t>(left, std::max(want, kStoreScanChunkBytes))));
            auto got = detail::read_at(fd_, buffer_, position, path_);
            if (!got) return got.error();
            buffer_.resize(*got);
            start_ = position;
        }
        return std::span<const std::uint8_t>{buffer_}.subspan(
            static_cast<std::size_t>(position - start_));
    }

private:
    int fd_;
    std::uint64_t file_size_;
    const std::string& path_;
    std::vector<std::uint8_t> buffer_;
    std::uint64_t start_ = 0;
};

// True if every byte from `position` to the end is zero: the file grew, its data never came.
Result<bool> only_zeros_from(ScanWindow& window, std::uint64_t position, std::uint64_t file_size) {
    while (position < file_size) {
        auto bytes = window.at(position, 1);
        if (!bytes) return bytes.error();
        if (std::any_of(bytes->begin(), bytes->end(), [](std::uint8_t b) { return b != 0; }))
            return false;
        position += bytes->size();
    }
    return true;
}

// True if the whole file is the first bytes of the header every new log starts with (base
// offset 0): a creation died while writing it. Only creation writes a header into the log
// file itself (compaction writes a whole new file before renaming it), so nothing else looks
// like this.
bool is_unfinished_creation(std::span<const std::uint8_t> whole_file) {
    const auto fresh = encode_file_header(0);
    return whole_file.size() < fresh.size() &&
           std::equal(whole_file.begin(), whole_file.end(), fresh.begin());
}

}   // namespace

std::string RecoveryReport::summary() const {
    const std::string kept = fmt::format("{} record{}", records, records == 1 ? "" : "s");
    switch (ending) {
        case Ending::Clean:
            return created ? fmt::format("new log, {}", kept) : fmt::format("clean: {}", kept);
        case Ending::TornTail:
            return fmt::format("torn tail at byte {}: {} bytes cut, {} kept", problem_at, bytes_cut,
                               kept);
        case Ending::Corrupt:
            return fmt::format("corrupt record at byte {} ({}): {} bytes cut, {} kept", problem_at,
                               describe(problem), bytes_cut, kept);
    }
    return kept;
}

Status Log::create_header() {
    if (auto cut = detail::truncate_to(fd_.get(), 0, path_); !cut) return cut;
    const auto header = encode_file_header(0);
    if (auto wrote = detail::write_all_at(fd_.get(), header, 0, path_); !wrote) return wrote;
    if (auto synced = detail::sync_data(fd_.get(), path_); !synced) return synced;
    if (auto synced = detail::sync_directory(path_); !synced) return synced;
    end_ = kStoreFileHeaderBytes;
    recovery_.bytes_kept = end_;
    return Ok{};
}

Status Log::recover() {
    auto size = detail::file_size(fd_.get(), path_);
    if (!size) return size.error();
    recovery_ = RecoveryReport{};

    if (*size == 0) {   // a new log: write its header
        recovery_.created = true;
        return create_header();
    }

    // Never cut a file that is not ours: a wrong path must not destroy someone's data.
    ScanWindow window{fd_.get(), *size, path_};
    auto first = window.at(0, kStoreFileHeaderBytes);
    if (!first) return first.error();
    const DecodedHeader header = decode_file_header(*first);
    if (header.problem == HeaderProblem::UnknownVersion)
        return Error::because(
            fmt::format("open {}: a log of format version {}, this program "
                        "reads version {}; the file was not changed",
                        path_, header.version, kStoreFormatVersion));
    if (header.problem != HeaderProblem::None) {
        // A creation that died before its header was whole (or whose bytes never reached the
        // drive: zeros) is still a new, empty log.
        auto zeros = only_zeros_from(window, 0, *size);
        if (!zeros) return zeros.error();
        if (*zeros || is_unfinished_creation(*first)) {
            recovery_.created = true;
            recovery_.ending = RecoveryReport::Ending::TornTail;
            recovery_.bytes_cut = *size;
            return create_header();
        }
        return Error::because(
            fmt::format("open {}: not a looplab log (its first {} bytes are not "
                        "a log header); the file was not changed",
                        path_, kStoreFileHeaderBytes));
    }
    base_offset_ = next_offset_ = header.base;

    // Scan: record after record, until the end or the first one that is not whole and good.
    std::uint64_t position = kStoreFileHeaderBytes;
    Decoded decoded;
    std::optional<Offset> previous;
    while (position < *size) {
        auto bytes = window.at(position, kStoreRecordHeaderBytes);
        if (!bytes) return bytes.error();
        decoded = decode_record(*bytes);
        if (decoded.status == DecodeStatus::NeedMore && position + decoded.size <= *size) {
            bytes = window.at(position, decoded.size);   // the record is there: read it all
            if (!bytes) return bytes.error();
            decoded = decode_record(*bytes);
        }
        if (decoded.status != DecodeStatus::Complete) break;
        if (previous && decoded.record.offset <= *previous) {
            decoded.status = DecodeStatus::Corrupt;
            decoded.problem = RecordProblem::OffsetOutOfOrder;
            break;
        }
        previous = decoded.record.offset;
        remember(Entry{decoded.record.offset, position, static_cast<std::uint32_t>(decoded.size)},
                 decoded.record.key);
        next_offset_ = std::max(next_offset_, decoded.record.offset + 1);
        position += decoded.size;
    }
    end_ = position;
    recovery_.records = entries_.size();
    recovery_.bytes_kept = position;
    if (position == *size) return Ok{};   // clean

    // Something follows the last good record: a torn tail, or corruption?
    recovery_.problem_at = position;
    recovery_.bytes_cut = *size - position;
    recovery_.problem = decoded.problem;
    recovery_.ending = RecoveryReport::Ending::Corrupt;
    const bool cut_short = decoded.status == DecodeStatus::NeedMore;
    const bool last_record_damaged =
        decoded.problem == RecordProblem::ChecksumMismatch && position + decoded.size == *size;
    auto zeros = only_zeros_from(window, position, *size);
    if (!zeros) return zeros.error();
    if (cut_short || last_record_damaged || *zeros)
        recovery_.ending = RecoveryReport::Ending::TornTail;

    if (recovery_.ending == RecoveryReport::Ending::Corrupt &&
        options_.on_corruption == OnCorruption::Refuse)
        return Error::because(
            fmt::format("open {}: corrupt record at byte {} ({}) with {} bytes "
                        "from there to the end; the file was not changed "
                        "(OnCorruption::Refuse)",
                        path_, position, describe(decoded.problem), recovery_.bytes_cut));

    // Cut, and make the cut durable before anything new is appended after it.
    if (auto cut = detail::truncate_to(fd_.get(), position, path_); !cut) return cut;
    return detail::sync_data(fd_.get(), path_);
}

}   // namespace looplab::store
