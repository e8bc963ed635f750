// tests/unit/store/recovery_test.cpp — what open() does with a damaged file. A log is cut at
// EVERY byte, and damaged at every byte, and each time the reopened log must hold exactly the
// records before the damage, never a damaged one, and take new appends after them.
#include "store_test_support.hpp"

#include "looplab/codec/crc32c.hpp"

#include <fmt/format.h>

#include <string>
#include <vector>

using namespace looplab::store;
using namespace looplab::store::testing;

namespace {

struct Written {
    std::vector<Record> records;       // as appended
    std::vector<std::uint64_t> ends;   // file size after each record
    std::vector<std::uint8_t> file;    // the whole file
};

// A small log with records of different shapes: empty key, empty value, binary, longer.
Written write_sample(const std::string& path) {
    Written written;
    Log log = open_log(path);
    written.ends.push_back(log.file_bytes());   // the header alone
    const std::vector<std::pair<std::string, std::string>> rows = {
        {"room:lobby", "ada: hello"},
        {"", "no key"},
        {"room:b", ""},
        {"bin", std::string("\0\x01\xff", 3)},
        {"room:lobby", std::string(40, 'x')}};
    for (const auto& [key, value] : rows) {
        const Offset offset = append(log, key, value);
        written.records.push_back(Record{offset, 1'700'000'000'000, key, value});
        written.ends.push_back(log.file_bytes());
    }
    REQUIRE(log.close());
    written.file = read_bytes(path);
    REQUIRE(written.file.size() == written.ends.back());
    return written;
}

std::vector<Record> all_records(const Log& log) { return must(log.read_from(0)); }

}   // namespace

TEST_CASE("a log cut at every byte reopens with exactly the whole records before the cut",
          "[store]") {
    TempDir dir;
    const Written sample = write_sample(dir.file("sample.log"));
    const std::string path = dir.file("cut.log");

    for (std::size_t cut = 0; cut <= sample.file.size(); ++cut) {
        CAPTURE(cut);
        write_bytes(path,
                    std::vector<std::uint8_t>(sample.file.begin(), sample.file.begin() + cut));

        // The records whose last byte is before the cut; the file is cut back to their end.
        std::size_t whole = 0;
        while (whole < sample.records.size() && sample.ends[whole + 1] <= cut) ++whole;
        const std::uint64_t kept_bytes = sample.ends[whole];
        const bool on_a_boundary = cut == kept_bytes;
        {
            Log log = open_log(path);
            const RecoveryReport& report = log.recovery();
            CHECK(report.records == whole);
            CHECK(report.bytes_kept == kept_bytes);
            if (cut == 0) {
                CHECK(report.created);
                CHECK(report.ending == RecoveryReport::Ending::Clean);
            } else if (on_a_boundary) {
                CHECK(report.ending == RecoveryReport::Ending::Clean);
            } else {
                CHECK(report.ending == RecoveryReport::Ending::TornTail);
                CHECK(report.bytes_cut == (cut < kStoreFileHeaderBytes ? cut : cut - kept_bytes));
            }
            CHECK(all_records(log) ==
                  std::vector<Record>(sample.records.begin(), sample.records.begin() + whole));
            CHECK(log.next_offset() == whole);

            // New appends go right after the last good record.
            CHECK(append(log, "after", "the cut") == whole);
            REQUIRE(log.close());
        }
        CHECK(read_bytes(path).size() == kept_bytes + encoded_size("after", "the cut"));
        Log again = open_log(path);
        CHECK(again.recovery().ending == RecoveryReport::Ending::Clean);
        CHECK(again.record_count() == whole + 1);
    }
}

TEST_CASE("a log damaged at any byte never returns a damaged record", "[store]") {
    TempDir dir;
    const Written sample = write_sample(dir.file("sample.log"));
    const std::string path = dir.file("damaged.log");

    for (std::size_t at = kStoreFileHeaderBytes; at < sample.file.size(); ++at) {
        for (const std::uint8_t flip : {std::uint8_t{0x01}, std::uint8_t{0xff}}) {
            CAPTURE(at, flip);
            auto bytes = sample.file;
            bytes[at] ^= flip;
            write_bytes(path, bytes);

            std::size_t damaged = 0;   // the record holding the damaged byte
            while (sample.ends[damaged + 1] <= at) ++damaged;

            Log log = open_log(path);
            const RecoveryReport& report = log.recovery();
            // Everything before the damaged record is kept; the damaged one and everything
            // after it is cut (the length that says where the next one starts is untrusted).
            CHECK(report.records == damaged);
            CHECK(report.ending != RecoveryReport::Ending::Clean);
            CHECK(report.problem_at == sample.ends[damaged]);
            CHECK(all_records(log) ==
                  std::vector<Record>(sample.records.begin(), sample.records.begin() + damaged));
            CHECK(read_bytes(path).size() == sample.ends[damaged]);
        }
    }
}

TEST_CASE("damage before the last record is reported as corruption, at the end as a torn tail",
          "[store]") {
    TempDir dir;
    const Written sample = write_sample(dir.file("sample.log"));
    const std::string path = dir.file("damaged.log");

    SECTION("a value byte of the second record") {
        auto bytes = sample.file;
        bytes[sample.ends[2] - 1] ^= 0x40;
        write_bytes(path, bytes);
        Log log = open_log(path);
        CHECK(log.recovery().ending == RecoveryReport::Ending::Corrupt);
        CHECK(log.recovery().problem == RecordProblem::ChecksumMismatch);
        CHECK(log.recovery().bytes_cut == sample.file.size() - sample.ends[1]);
        CHECK(log.recovery().summary() ==
              fmt::format(
                  "corrupt record at byte {} (checksum mismatch): {} bytes cut, 1 record kept",
                  sample.ends[1], sample.file.size() - sample.ends[1]));
    }
    SECTION("a value byte of the last record") {
        auto bytes = sample.file;
        bytes.back() ^= 0x40;
        write_bytes(path, bytes);
        Log log = open_log(path);
        CHECK(log.recovery().ending == RecoveryReport::Ending::TornTail);
        CHECK(log.record_count() == sample.records.size() - 1);
    }
    SECTION("zeros after the last record (the file grew, its data never came)") {
        auto bytes = sample.file;
        bytes.resize(bytes.size() + 4096, 0);
        write_bytes(path, bytes);
        Log log = open_log(path);
        CHECK(log.recovery().ending == RecoveryReport::Ending::TornTail);
        CHECK(log.recovery().bytes_cut == 4096);
        CHECK(log.record_count() == sample.records.size());
    }
    SECTION("OnCorruption::Refuse leaves a corrupt file untouched") {
        auto bytes = sample.file;
        bytes[sample.ends[2] - 1] ^= 0x40;
        write_bytes(path, bytes);
        LogOptions options = fast_options();
        options.on_corruption = OnCorruption::Refuse;
        auto log = Log::open(path, options);
        REQUIRE_FALSE(log);
        CHECK_THAT(log.error().message(), Catch::Contains("corrupt record at byte") &&
                                              Catch::Contains("the file was not changed"));
        CHECK(read_bytes(path) == bytes);
    }
    SECTION("OnCorruption::Refuse still cuts a torn tail") {
        auto bytes = sample.file;
        bytes.pop_back();
        write_bytes(path, bytes);
        LogOptions options = fast_options();
        options.on_corruption = OnCorruption::Refuse;
        Log log = open_log(path, options);
        CHECK(log.recovery().ending == RecoveryReport::Ending::TornTail);
        CHECK(log.record_count() == sample.records.size() - 1);
    }
}

TEST_CASE("a file that is not a log is refused and left as it was", "[store]") {
    TempDir dir;
    const std::string path = dir.file("notes.txt");

    SECTION("some text") {
        const std::vector<std::uint8_t> text = {'h', 'e', 'l',  'l', 'o', ' ', 'w', 'o', 'r',
                                                'l', 'd', '\n', 'a', 'n', 'o', 't', 'h', 'e',
                                                'r', ' ', 'l',  'i', 'n', 'e', '\n'};
        write_bytes(path, text);
        auto log = Log::open(path, fast_options());
        REQUIRE_FALSE(log);
        CHECK_THAT(log.error().message(), Catch::Contains("not a looplab log"));
        CHECK(read_bytes(path) == text);
    }
    SECTION("a damaged header") {
        const Written sample = write_sample(path);
        auto bytes = sample.file;
        bytes[9] ^= 0x01;   // the base offset
        write_bytes(path, bytes);
        REQUIRE_FALSE(Log::open(path, fast_options()));
        CHECK(read_bytes(path) == bytes);
    }
    SECTION("a log of another format version") {
        auto header = encode_file_header(0);
        header[16] = 2;   // version 2, with a checksum that matches
        const std::uint32_t crc =
            looplab::codec::crc32c(std::span<const std::uint8_t>{header.data(), 20});
        for (int i = 0; i < 4; ++i)
            header[20 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(crc >> (8 * i));
        const std::vector<std::uint8_t> bytes(header.begin(), header.end());
        write_bytes(path, bytes);
        auto log = Log::open(path, fast_options());
        REQUIRE_FALSE(log);
        CHECK_THAT(log.error().message(), Catch::Contains("format version 2"));
        CHECK(read_bytes(path) == bytes);
    }
}

TEST_CASE("a file of zeros is a creation that never finished: a new log", "[store]") {
    TempDir dir;
    const std::string path = dir.file("zeros.log");
    write_bytes(path, std::vector<std::uint8_t>(100, 0));
    Log log = open_log(path);
    CHECK(log.recovery().created);
    CHECK(log.record_count() == 0);
    CHECK(log.file_bytes() == kStoreFileHeaderBytes);
}

TEST_CASE("a record damaged after open is an error when read, never a record", "[store]") {
    TempDir dir;
    const Written sample = write_sample(dir.file("sample.log"));
    Log log = open_log(dir.file("sample.log"));
    auto bytes = sample.file;
    bytes[sample.ends[1] + 30] ^= 0x01;   // inside the second record, behind the log's back
    write_bytes(dir.file("sample.log"), bytes);

    auto all = log.read_from(0);
    REQUIRE_FALSE(all);
    CHECK_THAT(all.error().message(), Catch::Contains("changed on disk"));
    CHECK(must(log.read_from(0, 1)) == std::vector<Record>{sample.records[0]});
}
