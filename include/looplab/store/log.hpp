// looplab/store/log.hpp
//
// Log — an embedded, durable, append-only log: one file of records (key, value, offset), the
// smallest thing that deserves the word "database". A chat keeps its room history in one.
// Teaches: database (as storage): framing, checksums, fsync, crash recovery, compaction.
// Run: lessons/16-database   Read: notes/16-database.md
//
//     auto log = store::Log::open("chat.log", {.fsync = store::Always{}});
//     if (!log) return log.error();                 // "open chat.log: Permission denied"
//     auto offset = log->append("room:lobby", "ada: hello");   // on the drive when it returns
//     auto history = log->by_key("room:lobby", 50);  // that room's last 50 messages, oldest first
//
// Write-ahead order: append() writes the record, syncs it as the FsyncPolicy says, and only
// then returns its offset. A caller that acknowledges after append() returned never
// acknowledges something a crash can take back (what "crash" covers: fsync_policy.hpp).
//
// Recovery (every open): the file is read from the start and every record's length and CRC32C
// checked. The scan stops at the first record that is not whole and good, and the file is cut
// there (then fsynced), so new appends follow the last good record:
//   - a record cut short by the end of the file, or zeros where a record should be: a TORN
//     TAIL, the normal trace of a writer that died mid-append. Cut, and reported.
//   - a complete record that fails its checks with more bytes after it: CORRUPTION in the
//     middle (a bad disk, someone editing the file). Without a good length we cannot know
//     where the next record starts, so by default it is cut too, everything after it with it,
//     and the report says how many bytes were lost (as LevelDB and Redis's AOF do at the
//     tail). LogOptions::on_corruption = OnCorruption::Refuse makes open() fail instead and
//     leaves the file untouched, for a human to look at.
// A corrupt record is never returned: queries check each record's CRC again when they read it.
//
// Contract: one Log per file. open() takes an exclusive flock(), so a second Log on the same
// file (in this process or another) fails to open with a clear error. Not thread-safe: one
// thread uses it (the loop thread, in looplab's programs). Every call blocks on the disk; a
// chat with heavy traffic would hand appends to a worker thread (not done here). A failed
// write or fdatasync leaves the log unusable (every later call fails, saying why): after a
// failed fsync, Linux may have dropped the dirty pages and a retry could falsely succeed
// (PostgreSQL's "fsyncgate", 2018). Reopen the file to recover.
#pragma once

#include "looplab/core/clock.hpp"
#include "looplab/core/result.hpp"
#include "looplab/core/unique_fd.hpp"
#include "looplab/store/fsync_policy.hpp"
#include "looplab/store/limits.hpp"
#include "looplab/store/record_format.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace looplab::store {

// What may go when the log is compacted. Both rules may be set; a record stays only if both
// let it. The empty Retention keeps everything.
struct Retention {
    std::size_t keep_last_per_key = 0;   // 0: no limit by count
    std::optional<Millis> max_age;       // drop records older than this (wall clock)
};

enum class OnCorruption {
    CutAndReport,   // cut the file at the bad record; the RecoveryReport says what was lost
    Refuse,         // open() fails and the file stays as it is (a torn tail is still cut)
};

struct LogOptions {
    FsyncPolicy fsync = Always{};
    std::uint64_t max_file_bytes = kStoreMaxFileBytes;
    std::optional<Retention> retention;   // applied by compact() when an append finds no room
    OnCorruption on_corruption = OnCorruption::CutAndReport;
    // For EveryMillis; nullptr: the steady clock. Tests pass a ManualClock.
    const Clock* clock = nullptr;
    // Each record's unix_ms; empty: the system's wall clock. Tests pass a fixed time.
    std::function<std::int64_t()> wall_clock_ms;
};

// What the last open() found.
struct RecoveryReport {
    enum class Ending {
        Clean,      // the file ended right after a good record
        TornTail,   // a record cut short, or zeros, at the end: cut
        Corrupt,    // a bad record with bytes after it: cut (or open refused)
    };
    Ending ending = Ending::Clean;
    std::size_t records = 0;        // good records kept
    std::uint64_t bytes_kept = 0;   // the file's size after recovery
    std::uint64_t bytes_cut = 0;    // bytes removed from the end
    std::uint64_t problem_at = 0;   // file position of the first bad byte (not Clean)
    RecordProblem problem = RecordProblem::None;   // Corrupt (and a zero-filled torn tail)
    bool created = false;                          // the file did not exist: a new, empty log

    // One line: "clean: 12 records", "torn tail at byte 340: 23 bytes cut, 12 records kept".
    std::string summary() const;
};

struct CompactionReport {
    std::size_t records_before = 0;
    std::size_t records_after = 0;
    std::uint64_t bytes_before = 0;
    std::uint64_t bytes_after = 0;
};

class Log {
public:
    // Opens the log at `path`, creating it (and fsyncing its directory) if it does not exist,
    // and recovers it as described above. Errors name the path and the errno.
    [[nodiscard]] static Result<Log> open(std::string path, LogOptions options = {});

    Log(Log&&) noexcept = default;
    Log& operator=(Log&&) noexcept = default;
    Log(const Log&) = delete;
    Log& operator=(const Log&) = delete;
    ~Log();   // close(), errors ignored

    // Appends one record and returns its offset once the FsyncPolicy is satisfied. Fails
    // without writing anything for a key over kStoreMaxKeyBytes, a value over
    // kStoreMaxValueBytes, or no room under max_file_bytes (after compacting, if it may).
    [[nodiscard]] Result<Offset> append(std::string_view key, std::string_view value);

    // fdatasync() now, whatever the policy (for a program that wants one checkpoint).
    [[nodiscard]] Status sync();
    // Under EveryMillis: fdatasync() if unsynced appends are `interval` old. Else nothing.
    [[nodiscard]] Status sync_if_due();
    // Syncs unsynced appends (unless the policy is Never) and closes the file. Safe twice.
    [[nodiscard]] Status close();

    // Records with offset >= `first`, oldest first, at most `max_count` of them.
    [[nodiscard]] Result<std::vector<Record>> read_from(
        Offset first, std::size_t max_count = std::numeric_limits<std::size_t>::max()) const;
    // The last `count` records, oldest first.
    [[nodiscard]] Result<std::vector<Record>> last(std::size_t count) const;
    // The last `count` records whose key is `key`, oldest first (a room's history).
    [[nodiscard]] Result<std::vector<Record>> by_key(
        std::string_view key, std::size_t count = std::numeric_limits<std::size_t>::max()) const;

    // Rewrites the file with only the records `retention` keeps: a new file is written next to
    // it ("<path>.compact"), fsynced, renamed over the log in one atomic step, and the
    // directory fsynced. A crash at any moment leaves either the old log or the new one.
    [[nodiscard]] Result<CompactionReport> compact(const Retention& retention);

    const std::string& path() const { return path_; }
    const RecoveryReport& recovery() const { return recovery_; }
    Offset next_offset() const { return next_offset_; }
    std::size_t record_count() const { return entries_.size(); }
    std::uint64_t file_bytes() const { return end_; }
    std::uint64_t syncs() const { return syncs_; }   // fdatasync() calls since open

    // Where each record lives in the file: the in-memory index that queries use.
    struct Entry {
        Offset offset = 0;
        std::uint64_t position = 0;   // byte position of the record's header in the file
        std::uint32_t size = 0;       // bytes of the whole record
    };

private:
    Log(std::string path, LogOptions options, UniqueFd fd);

    [[nodiscard]] Status recover();
    [[nodiscard]] Status create_header();   // an empty file becomes a new log
    [[nodiscard]] Status make_room(std::size_t record_bytes);
    [[nodiscard]] Status sync_now();
    [[nodiscard]] Status usable() const;
    void remember(const Entry& entry, std::string_view key);
    [[nodiscard]] Result<Record> read_entry(const Entry& entry) const;
    [[nodiscard]] Result<std::vector<Record>> read_entries(
        const std::vector<std::size_t>& which) const;
    Clock::time_point now() const;
    std::int64_t wall_clock_ms() const;

    std::string path_;
    LogOptions options_;
    UniqueFd fd_;
    std::uint64_t end_ = 0;   // the file's size: the next record goes here
    Offset next_offset_ = 0;
    Offset base_offset_ = 0;       // from the file header
    std::vector<Entry> entries_;   // every record, in file order (= offset order)
    // Key → positions in entries_, oldest first. Keys are few (rooms), records many.
    std::unordered_map<std::string, std::vector<std::size_t>> by_key_;
    RecoveryReport recovery_;
    std::vector<std::uint8_t> scratch_;   // the bytes of the record being appended, reused
    bool has_unsynced_ = false;
    Clock::time_point last_sync_{};
    std::optional<Clock::time_point> futile_compaction_at_;   // full, and compacting freed nothing
    std::uint64_t syncs_ = 0;
    std::optional<Error> broken_;   // set by a failed write or fdatasync: see the contract
};

}   // namespace looplab::store
