// tests/unit/store/log_test.cpp — the Log from the outside: appends and the three queries,
// reopening, compaction (by count and by age, by hand and when the log is full), the fsync
// policies, the limits, and one writer per file.
#include "store_test_support.hpp"

#include "looplab/core/clock.hpp"

#include <fmt/format.h>

#include <string>
#include <vector>

#include <sys/stat.h>

using namespace looplab;
using namespace looplab::store;
using namespace looplab::store::testing;
using namespace std::chrono_literals;

namespace {

// Two rooms taking turns: lobby 0, games 0, lobby 1, games 1...
void fill_two_rooms(Log& log, int per_room) {
    for (int i = 0; i < per_room; ++i) {
        append(log, "room:lobby", fmt::format("lobby {}", i));
        append(log, "room:games", fmt::format("games {}", i));
    }
}

}   // namespace

TEST_CASE("a new log starts empty, at offset 0", "[store]") {
    TempDir dir;
    Log log = open_log(dir.file("new.log"));
    CHECK(log.recovery().created);
    CHECK(log.recovery().summary() == "new log, 0 records");
    CHECK(log.record_count() == 0);
    CHECK(log.next_offset() == 0);
    CHECK(must(log.last(10)).empty());
    CHECK(must(log.by_key("nobody")).empty());
}

TEST_CASE("appends get offsets 0, 1, 2... and the queries return them oldest first", "[store]") {
    TempDir dir;
    Log log = open_log(dir.file("chat.log"));
    fill_two_rooms(log, 5);   // offsets 0..9
    REQUIRE(log.record_count() == 10);

    SECTION("by key: a room's last N") {
        CHECK(values_of(must(log.by_key("room:lobby", 3))) ==
              std::vector<std::string>{"lobby 2", "lobby 3", "lobby 4"});
        CHECK(offsets_of(must(log.by_key("room:games"))) == std::vector<Offset>{1, 3, 5, 7, 9});
        CHECK(must(log.by_key("room:lobby", 0)).empty());
        CHECK(must(log.by_key("room:none", 5)).empty());
    }
    SECTION("last N, whatever the key") {
        CHECK(values_of(must(log.last(3))) ==
              std::vector<std::string>{"games 3", "lobby 4", "games 4"});
        CHECK(must(log.last(100)).size() == 10);
    }
    SECTION("from an offset, at most N") {
        CHECK(offsets_of(must(log.read_from(7))) == std::vector<Offset>{7, 8, 9});
        CHECK(offsets_of(must(log.read_from(2, 2))) == std::vector<Offset>{2, 3});
        CHECK(must(log.read_from(10)).empty());
        CHECK(must(log.read_from(1000)).empty());
    }
    SECTION("every record keeps its key, value and time") {
        const Record first = must(log.read_from(0, 1)).at(0);
        CHECK(first == Record{0, 1'700'000'000'000, "room:lobby", "lobby 0"});
    }
}

TEST_CASE("a reopened log has the same records and goes on with the next offset", "[store]") {
    TempDir dir;
    const std::string path = dir.file("chat.log");
    {
        Log log = open_log(path);
        fill_two_rooms(log, 3);
    }   // the destructor closes it
    Log log = open_log(path);
    CHECK(log.recovery().summary() == "clean: 6 records");
    CHECK(append(log, "room:lobby", "again") == 6);
    CHECK(values_of(must(log.by_key("room:lobby"))) ==
          std::vector<std::string>{"lobby 0", "lobby 1", "lobby 2", "again"});
}

TEST_CASE("one Log per file: a second open fails until the first closes", "[store]") {
    TempDir dir;
    const std::string path = dir.file("one.log");
    Log first = open_log(path);
    auto second = Log::open(path, fast_options());
    REQUIRE_FALSE(second);
    CHECK_THAT(second.error().message(), Catch::Contains("another Log has it open"));
    REQUIRE(first.close());
    CHECK(Log::open(path, fast_options()));
}

TEST_CASE("over-long keys and values are refused and nothing is written", "[store]") {
    TempDir dir;
    Log log = open_log(dir.file("limits.log"));
    const std::uint64_t before = log.file_bytes();
    auto long_key = log.append(std::string(kStoreMaxKeyBytes + 1, 'k'), "v");
    REQUIRE_FALSE(long_key);
    CHECK_THAT(long_key.error().message(), Catch::Contains("kStoreMaxKeyBytes"));
    auto long_value = log.append("k", std::string(kStoreMaxValueBytes + 1, 'v'));
    REQUIRE_FALSE(long_value);
    CHECK_THAT(long_value.error().message(), Catch::Contains("kStoreMaxValueBytes"));
    CHECK(log.file_bytes() == before);
    CHECK(log.record_count() == 0);
    // The largest allowed ones fit, and come back whole.
    append(log, std::string(kStoreMaxKeyBytes, 'k'), std::string(kStoreMaxValueBytes, 'v'));
    CHECK(must(log.last(1)).at(0).value.size() == kStoreMaxValueBytes);
}

TEST_CASE("an error names the file and the system's reason", "[store]") {
    auto log = Log::open("/nonexistent-folder/x.log", fast_options());
    REQUIRE_FALSE(log);
    CHECK(log.error().message() == "open /nonexistent-folder/x.log: No such file or directory");
}

TEST_CASE("a closed log refuses appends and queries with a sentence", "[store]") {
    TempDir dir;
    Log log = open_log(dir.file("closed.log"));
    REQUIRE(log.close());
    REQUIRE(log.close());   // twice is fine
    auto appended = log.append("k", "v");
    REQUIRE_FALSE(appended);
    CHECK_THAT(appended.error().message(), Catch::Contains("the log is closed"));
    CHECK_FALSE(log.last(1));
}

TEST_CASE("compaction keeps the last N records of each key, with their offsets", "[store]") {
    TempDir dir;
    const std::string path = dir.file("chat.log");
    Log log = open_log(path);
    fill_two_rooms(log, 10);   // 20 records
    const std::uint64_t before = log.file_bytes();

    const CompactionReport report = must(log.compact(Retention{2, std::nullopt}));
    CHECK(report.records_before == 20);
    CHECK(report.records_after == 4);
    CHECK(report.bytes_before == before);
    CHECK(report.bytes_after == log.file_bytes());
    CHECK(log.file_bytes() < before);
    CHECK(offsets_of(must(log.read_from(0))) == std::vector<Offset>{16, 17, 18, 19});
    CHECK(values_of(must(log.by_key("room:lobby"))) ==
          std::vector<std::string>{"lobby 8", "lobby 9"});

    // Offsets go on from where they were, also after a reopen.
    CHECK(append(log, "room:lobby", "new") == 20);
    REQUIRE(log.close());
    Log again = open_log(path);
    CHECK(again.recovery().ending == RecoveryReport::Ending::Clean);
    CHECK(offsets_of(must(again.read_from(0))) == std::vector<Offset>{16, 17, 18, 19, 20});
    CHECK(read_bytes(path + ".compact").empty());   // no temporary file left behind
}

TEST_CASE("compaction by age drops records older than max_age", "[store]") {
    TempDir dir;
    const std::string path = dir.file("aged.log");
    std::int64_t now_ms = 1'000'000;
    LogOptions options = fast_options();
    options.wall_clock_ms = [&now_ms] { return now_ms; };
    Log log = open_log(path, options);
    append(log, "a", "old");   // written at 1 000 000 ms
    now_ms += 60'000;
    append(log, "a", "newer");   // 60 s later
    append(log, "b", "newest");
    now_ms += 10'000;   // now: the old one is 70 s old, the others 10 s

    must(log.compact(Retention{0, Millis{30'000}}));
    CHECK(values_of(must(log.read_from(0))) == std::vector<std::string>{"newer", "newest"});
    CHECK(must(log.read_from(0)).at(0).unix_ms == 1'060'000);

    SECTION("when everything goes, offsets still go on") {
        now_ms += 3'600'000;
        must(log.compact(Retention{0, Millis{30'000}}));
        CHECK(log.record_count() == 0);
        REQUIRE(log.close());
        Log again = open_log(path, options);
        CHECK(again.next_offset() == 3);
        CHECK(append(again, "a", "after") == 3);
    }
}

TEST_CASE("a full log compacts by its retention, or says it is full", "[store]") {
    TempDir dir;
    LogOptions options = fast_options();
    const std::size_t record = encoded_size("room:lobby", "lobby 0");
    options.max_file_bytes = kStoreFileHeaderBytes + 10 * record;   // room for 10 records

    SECTION("with a retention: the oldest go, the append succeeds") {
        options.retention = Retention{3, std::nullopt};
        Log log = open_log(dir.file("full.log"), options);
        for (int i = 0; i < 25; ++i) append(log, "room:lobby", fmt::format("lobby {}", i % 10));
        CHECK(log.file_bytes() <= options.max_file_bytes);
        CHECK(must(log.last(1)).at(0).offset == 24);
        CHECK(log.record_count() <= 10);
    }
    SECTION("without one: an error that says what to do, and nothing written") {
        Log log = open_log(dir.file("full.log"), options);
        for (int i = 0; i < 10; ++i) append(log, "room:lobby", fmt::format("lobby {}", i));
        auto full = log.append("room:lobby", "lobby X");
        REQUIRE_FALSE(full);
        CHECK_THAT(full.error().message(), Catch::Contains("log full"));
        CHECK(log.record_count() == 10);
    }
    SECTION(
        "a retention that frees nothing: one rewrite, then none until kStoreFullRetryInterval") {
        ManualClock clock;
        options.clock = &clock;
        options.retention = Retention{100, std::nullopt};   // keeps all ten
        const std::string path = dir.file("full.log");
        Log log = open_log(path, options);
        for (int i = 0; i < 10; ++i) append(log, "room:lobby", fmt::format("lobby {}", i));
        const auto inode = [&] {
            struct stat info = {};
            REQUIRE(::stat(path.c_str(), &info) == 0);
            return info.st_ino;
        };
        const auto before = inode();
        REQUIRE_FALSE(log.append("room:lobby", "lobby X"));   // compacts: a new file
        const auto after_first = inode();
        CHECK(after_first != before);
        auto again = log.append("room:lobby", "lobby X");   // too soon: no rewrite
        REQUIRE_FALSE(again);
        CHECK_THAT(again.error().message(), Catch::Contains("even after compaction"));
        CHECK(inode() == after_first);
        clock.advance(kStoreFullRetryInterval);
        REQUIRE_FALSE(log.append("room:lobby", "lobby X"));   // time passed: tried again
        CHECK(inode() != after_first);
        CHECK(log.record_count() == 10);
    }
}

TEST_CASE(
    "the fsync policies: Always syncs each append, EveryMillis once per interval, Never "
    "not at all",
    "[store]") {
    TempDir dir;
    ManualClock clock;
    LogOptions options = fast_options();
    options.clock = &clock;

    SECTION("Always") {
        options.fsync = Always{};
        Log log = open_log(dir.file("always.log"), options);
        for (int i = 0; i < 5; ++i) append(log, "k", "v");
        CHECK(log.syncs() == 5);
    }
    SECTION("EveryMillis(100)") {
        options.fsync = EveryMillis{Millis{100}};
        Log log = open_log(dir.file("every.log"), options);
        append(log, "k", "1");
        append(log, "k", "2");
        CHECK(log.syncs() == 0);   // not 100 ms since the last sync (the open) yet
        clock.advance(100ms);
        CHECK(log.sync_if_due());   // the timer a program would run: due now
        CHECK(log.syncs() == 1);
        CHECK(log.sync_if_due());   // nothing new since: no sync
        CHECK(log.syncs() == 1);
        clock.advance(150ms);
        append(log, "k", "3");   // the append itself finds the sync due
        CHECK(log.syncs() == 2);
        append(log, "k", "4");
        CHECK(log.syncs() == 2);
        REQUIRE(log.close());   // close syncs what is left
        CHECK(log.syncs() == 3);
    }
    SECTION("Never") {
        options.fsync = Never{};
        Log log = open_log(dir.file("never.log"), options);
        for (int i = 0; i < 5; ++i) append(log, "k", "v");
        clock.advance(10s);
        CHECK(log.sync_if_due());
        REQUIRE(log.close());
        CHECK(log.syncs() == 0);
    }
    SECTION("sync() syncs now, whatever the policy") {
        options.fsync = Never{};
        Log log = open_log(dir.file("manual.log"), options);
        append(log, "k", "v");
        CHECK(log.sync());
        CHECK(log.syncs() == 1);
    }
    CHECK(describe(FsyncPolicy{EveryMillis{Millis{250}}}) == "EveryMillis(250)");
    CHECK(describe(FsyncPolicy{Always{}}) == "Always");
    CHECK(describe(FsyncPolicy{Never{}}) == "Never");
}

TEST_CASE("a compaction that died before its rename leaves the old log whole", "[store]") {
    TempDir dir;
    const std::string path = dir.file("chat.log");
    {
        Log log = open_log(path);
        fill_two_rooms(log, 3);
    }
    write_bytes(path + ".compact", {'h', 'a', 'l', 'f'});   // what a crash mid-compaction leaves
    Log log = open_log(path);
    CHECK(log.record_count() == 6);
    CHECK_FALSE(std::filesystem::exists(path + ".compact"));
}
