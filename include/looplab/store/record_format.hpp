// looplab/store/record_format.hpp
//
// How a log file looks on disk, byte for byte: a file header, then records one after another.
// Teaches: framing (a length in front of every record) and checksums (a CRC32C that catches a
// half-written or damaged record). Run: lessons/16-database   Read: notes/16-database.md
//
//   file    | file header (24 bytes) | record | record | record | ...
//
//   header  | "LOOPLOG1" | base offset u64 | version u32 | crc32c u32 |
//             the magic says "this is a looplab log"; the version says which layout follows
//             (kStoreFormatVersion); the CRC covers the 20 header bytes before it. The base
//             offset is a floor for the next offset: the next record gets the larger of it and
//             (last record's offset + 1). Compaction writes the log's next offset there, so
//             offsets go on where they were even if it kept nothing
//
//   record  | crc32c u32 | length u32 | offset u64 | unix_ms i64 | key length u32 | key | value |
//             ◄─ header: 8 bytes ────►◄──── body: "length" bytes ───────────────────────────►
//             the CRC covers everything after it: the length AND the body, so a damaged
//             length is caught too. All numbers little-endian.
//
// Pure functions: bytes in, values out; no files. decode_record() tells three cases apart,
// which is all recovery needs: a whole good record, a record cut short by the end of the
// bytes (the writer died while writing it), and a record that is there but wrong.
#pragma once

#include "looplab/store/limits.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace looplab::store {

// A record's position in the log's sequence: 0, 1, 2... in append order. Offsets only grow;
// compaction removes records but never renumbers the ones it keeps.
using Offset = std::uint64_t;

inline constexpr std::size_t kStoreFileHeaderBytes = 24;
// The record layout this code reads and writes. A file with another version is refused
// (never cut), so an older program cannot damage a newer program's log.
inline constexpr std::uint32_t kStoreFormatVersion = 1;
inline constexpr std::size_t kStoreRecordHeaderBytes = 8;       // crc32c + body length
inline constexpr std::size_t kStoreRecordFixedBodyBytes = 20;   // offset + unix_ms + key length
// The largest body a valid record can have; a bigger length on disk means damage.
inline constexpr std::size_t kStoreMaxBodyBytes =
    kStoreRecordFixedBodyBytes + kStoreMaxKeyBytes + kStoreMaxValueBytes;

// One record, owning its bytes: what queries return.
struct Record {
    Offset offset = 0;
    std::int64_t unix_ms = 0;   // wall-clock time of the append, milliseconds since 1970
    std::string key;
    std::string value;

    bool operator==(const Record&) const = default;
};

// One record, borrowing its key and value from a buffer: what decode_record() returns.
struct RecordView {
    Offset offset = 0;
    std::int64_t unix_ms = 0;
    std::string_view key;
    std::string_view value;

    Record to_record() const {
        return Record{offset, unix_ms, std::string{key}, std::string{value}};
    }
};

// Bytes the record takes on disk: 8 + 20 + key + value.
std::size_t encoded_size(std::string_view key, std::string_view value);

// Appends the record's bytes to `out`. The caller checks the limits first (Log::append does).
void encode_record(const RecordView& record, std::vector<std::uint8_t>& out);

enum class DecodeStatus {
    Complete,   // a good record: `record` and `size` are set
    NeedMore,   // the bytes end inside the record; `size` says how many it needs in all
    Corrupt,    // the record is there but wrong; `problem` says how
};

enum class RecordProblem {
    None,
    LengthTooSmall,      // a body shorter than its fixed fields (zeros where a record should be)
    LengthTooLarge,      // a body longer than kStoreMaxBodyBytes: no writer of ours made it
    ChecksumMismatch,    // the bytes are not the ones the writer checksummed
    KeyLongerThanBody,   // the key length points past the end of the body
    OffsetOutOfOrder,    // a good record whose offset is not after the one before it
                         // (found by recovery, which sees the sequence; never by decode)
};

// "checksum mismatch", "length too small"...: for reports and error messages.
std::string_view describe(RecordProblem problem);

struct Decoded {
    DecodeStatus status = DecodeStatus::NeedMore;
    // Complete: bytes used. NeedMore: bytes needed from the start. Corrupt: the size its length
    // claims, or 0 when the length itself is impossible.
    std::size_t size = 0;
    RecordProblem problem = RecordProblem::None;
    RecordView record;   // Complete only; views into the input
};

// Reads the record at the start of `bytes` (there may be more records after it).
Decoded decode_record(std::span<const std::uint8_t> bytes);

// The 24 header bytes of a log file whose first record will get `base`.
std::array<std::uint8_t, kStoreFileHeaderBytes> encode_file_header(Offset base);
enum class HeaderProblem {
    None,
    NotALog,          // too short, wrong magic, or a header checksum that does not match
    UnknownVersion,   // a good header of another format version
};

struct DecodedHeader {
    HeaderProblem problem = HeaderProblem::NotALog;
    Offset base = 0;             // None only
    std::uint32_t version = 0;   // None and UnknownVersion
};

// Reads the 24 header bytes at the start of `bytes`.
DecodedHeader decode_file_header(std::span<const std::uint8_t> bytes);

}   // namespace looplab::store
