// tests/unit/store/store_test_support.hpp — what the store tests share: a temporary folder that
// cleans up after itself, whole-file reads and writes, and a log filled with known records.
#pragma once

#include "looplab/store/log.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace looplab::store::testing {

// A fresh folder under `base` (default: $TMPDIR, else /tmp), removed with everything in it at
// the end of the test.
class TempDir {
public:
    explicit TempDir(std::string base = {}) {
        if (base.empty()) {
            const char* tmp = std::getenv("TMPDIR");
            base = tmp != nullptr ? tmp : "/tmp";
        }
        std::string pattern = base + "/looplab-store-XXXXXX";
        REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    std::string file(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

inline std::vector<std::uint8_t> read_bytes(const std::string& path) {
    std::ifstream in{path, std::ios::binary};
    return {std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
}

inline void write_bytes(const std::string& path, const std::vector<std::uint8_t>& bytes) {
    std::ofstream out{path, std::ios::binary | std::ios::trunc};
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    REQUIRE(out.good());
}

// The test logs need no drive round trips: Never keeps them fast (recovery's own syncs remain).
inline LogOptions fast_options() {
    LogOptions options;
    options.fsync = Never{};
    options.wall_clock_ms = [] { return std::int64_t{1'700'000'000'000}; };
    return options;
}

inline Log open_log(const std::string& path, LogOptions options = fast_options()) {
    auto log = Log::open(path, std::move(options));
    if (!log) FAIL("open " << path << ": " << log.error().message());
    return std::move(*log);
}

inline Offset append(Log& log, std::string_view key, std::string_view value) {
    auto offset = log.append(key, value);
    if (!offset) FAIL("append: " << offset.error().message());
    return *offset;
}

template <typename T>
T must(Result<T> result) {
    if (!result) FAIL(result.error().message());
    return std::move(*result);
}

inline std::vector<std::string> values_of(const std::vector<Record>& records) {
    std::vector<std::string> values;
    for (const Record& record : records) values.push_back(record.value);
    return values;
}

inline std::vector<Offset> offsets_of(const std::vector<Record>& records) {
    std::vector<Offset> offsets;
    for (const Record& record : records) offsets.push_back(record.offset);
    return offsets;
}

}   // namespace looplab::store::testing
