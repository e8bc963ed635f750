// tests/bench/store_bench.cpp
//
// Store benchmarks — what durability costs, measured on this machine's disk (issue 11 §5).
// Prints figures; never asserts (make bench).
//
//   appends/s per fsync policy   records of --value-bytes (default 100) appended to a fresh
//                                log for --seconds S each (default 2): Always (one fdatasync
//                                per append), EveryMillis(10), EveryMillis(100), Never
//   recovery time                a log of --recovery-mb MB (default 1024) written with Never,
//                                synced, then opened again: once with its pages still in the
//                                page cache ("warm"), once after asking the kernel to drop them
//                                (posix_fadvise DONTNEED, no root needed: "cold", read from
//                                the drive). Scaled down, and said so, when the disk has less
//                                than 3x that free.
//
// Usage: store_bench [--dir DIR] [--seconds S] [--value-bytes N] [--recovery-mb MB]
//                    [--only appends|recovery]
// DIR defaults to $TMPDIR or /tmp: put it on the disk you want to measure (tmpfs makes
// fdatasync free, and the Always figure meaningless).
#include "looplab/store/log.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <sys/vfs.h>
#include <unistd.h>

namespace {

using namespace looplab;
using WallClock = std::chrono::steady_clock;

struct Settings {
    std::string dir;
    double seconds = 2.0;
    std::size_t value_bytes = 100;
    std::uint64_t recovery_mb = 1024;
    std::string only;
};

[[noreturn]] void usage_and_exit() {
    fmt::print(stderr,
               "usage: store_bench [--dir DIR] [--seconds S] [--value-bytes N] "
               "[--recovery-mb MB] [--only appends|recovery]\n");
    std::exit(2);
}

Settings parse(int argc, char** argv) {
    Settings settings;
    const char* tmp = std::getenv("TMPDIR");
    settings.dir = tmp != nullptr ? tmp : "/tmp";
    for (int i = 1; i < argc; ++i) {
        const std::string_view flag = argv[i];
        if (i + 1 >= argc) usage_and_exit();
        const char* value = argv[++i];
        if (flag == "--dir") settings.dir = value;
        else if (flag == "--seconds") settings.seconds = std::atof(value);
        else if (flag == "--value-bytes") settings.value_bytes = std::strtoull(value, nullptr, 10);
        else if (flag == "--recovery-mb") settings.recovery_mb = std::strtoull(value, nullptr, 10);
        else if (flag == "--only") settings.only = value;
        else usage_and_exit();
    }
    return settings;
}

// CPU time (user + system) this process has used so far.
double cpu_seconds() {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    const auto seconds = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double seconds_since(WallClock::time_point start) {
    return std::chrono::duration<double>(WallClock::now() - start).count();
}

[[noreturn]] void die(const Error& error) {
    fmt::print(stderr, "store_bench: {}\n", error.message());
    std::exit(1);
}

std::string filesystem_name(const std::string& dir) {
    struct statfs info = {};
    if (::statfs(dir.c_str(), &info) != 0) return "?";
    switch (static_cast<unsigned long>(info.f_type)) {
        case 0xEF53: return "ext4";
        case 0x01021994: return "tmpfs";
        case 0x58465342: return "xfs";
        case 0x9123683E: return "btrfs";
        case 0x794c7630: return "overlayfs";
        default: return fmt::format("type 0x{:x}", static_cast<unsigned long>(info.f_type));
    }
}

void bench_appends(const Settings& settings, const std::string& folder) {
    fmt::print("appends: {}-byte values, key \"room:lobby\", {:.1f} s per policy\n",
               settings.value_bytes, settings.seconds);
    fmt::print("  {:<18} {:>12} {:>14} {:>10}\n", "policy", "appends/s", "us/append", "syncs");
    const std::string value(settings.value_bytes, 'v');
    const store::FsyncPolicy policies[] = {store::Always{}, store::EveryMillis{Millis{10}},
                                           store::EveryMillis{Millis{100}}, store::Never{}};
    for (const store::FsyncPolicy& policy : policies) {
        const std::string path = folder + "/appends.log";
        std::filesystem::remove(path);
        store::LogOptions options;
        options.fsync = policy;
        auto log = store::Log::open(path, options);
        if (!log) die(log.error());
        std::uint64_t appends = 0;
        const auto start = WallClock::now();
        double elapsed = 0;
        while (elapsed < settings.seconds) {
            for (int i = 0; i < 64; ++i, ++appends)   // read the clock once per 64 appends
                if (auto appended = log->append("room:lobby", value); !appended)
                    die(appended.error());
            elapsed = seconds_since(start);
        }
        fmt::print("  {:<18} {:>12.0f} {:>14.2f} {:>10}\n", store::describe(policy),
                   static_cast<double>(appends) / elapsed,
                   elapsed * 1e6 / static_cast<double>(appends), log->syncs());
        if (auto closed = log->close(); !closed) die(closed.error());
        std::filesystem::remove(path);
    }
}

void drop_from_page_cache(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd == -1) return;
    ::fdatasync(fd);   // only clean pages can be dropped
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    ::close(fd);
}

void bench_recovery(const Settings& settings, const std::string& folder) {
    std::uint64_t megabytes = settings.recovery_mb;
    struct statvfs disk = {};
    if (::statvfs(folder.c_str(), &disk) == 0) {
        const std::uint64_t free_mb = std::uint64_t{disk.f_bavail} * disk.f_frsize / (1024 * 1024);
        if (free_mb < 3 * megabytes) {
            const std::uint64_t scaled = free_mb / 3;
            fmt::print("recovery: only {} MB free on {}: the log is scaled from {} MB to {} MB\n",
                       free_mb, folder, megabytes, scaled);
            megabytes = scaled;
        }
    }
    const std::uint64_t target = megabytes * 1024 * 1024;
    const std::string path = folder + "/recovery.log";
    std::filesystem::remove(path);
    const std::string value(1000, 'r');   // about 1 KiB records: ~1 million per GiB

    store::LogOptions options;
    options.fsync = store::Never{};
    options.max_file_bytes = target + 1024 * 1024;
    auto start = WallClock::now();
    {
        auto log = store::Log::open(path, options);
        if (!log) die(log.error());
        while (log->file_bytes() < target)
            if (auto appended = log->append("room:lobby", value); !appended) die(appended.error());
        if (auto synced = log->sync(); !synced) die(synced.error());
        const double wrote = seconds_since(start);
        fmt::print(
            "recovery: wrote a {} MB log ({} records of {} bytes) in {:.2f} s "
            "({:.0f} MB/s with Never, one fdatasync at the end)\n",
            log->file_bytes() / (1024 * 1024), log->record_count(),
            store::encoded_size("room:lobby", value), wrote,
            static_cast<double>(log->file_bytes()) / (1024 * 1024) / wrote);
    }
    for (const bool cold : {false, true}) {
        if (cold) drop_from_page_cache(path);
        start = WallClock::now();
        const double cpu_before = cpu_seconds();
        auto log = store::Log::open(path, options);
        if (!log) die(log.error());
        const double took = seconds_since(start);
        const double cpu = cpu_seconds() - cpu_before;
        fmt::print(
            "  open + recovery scan, {:<36} {:>6.2f} s ({:.2f} s of CPU)  {:>5.0f} MB/s  ({})\n",
            cold ? "cold (dropped from the page cache):" : "warm (file in the page cache):", took,
            cpu, static_cast<double>(log->file_bytes()) / (1024 * 1024) / took,
            log->recovery().summary());
    }
    std::filesystem::remove(path);
}

}   // namespace

int main(int argc, char** argv) {
    const Settings settings = parse(argc, argv);
    std::string pattern = settings.dir + "/looplab-store-bench-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) die(Error::from_errno("mkdtemp " + pattern));
    fmt::print("store_bench: folder {} ({})\n", pattern, filesystem_name(pattern));
    if (settings.only.empty() || settings.only == "appends") bench_appends(settings, pattern);
    if (settings.only.empty() || settings.only == "recovery") bench_recovery(settings, pattern);
    std::error_code ignored;
    std::filesystem::remove_all(pattern, ignored);
    return 0;
}
