// lessons/16-database/log_writer_process.cpp — steps 1 to 3: an embedded log survives kill -9
// of the process that writes it.
//
// The writer is a second process (fork()), so that killing it is a real kill -9 and the
// lesson, which survives, can look at the file afterwards. It tells the lesson, through a
// pipe, each time append() has returned: that message is the ACKNOWLEDGEMENT, what a chat
// server would answer its user ("sent ✓"). The lesson then checks that every acknowledged
// record is still there after the kill.
#include "database_lesson.hpp"

#include "looplab/store/log.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <string>
#include <vector>

#include <csignal>
#include <fcntl.h>
#include <sys/stat.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <sys/wait.h>
#include <unistd.h>

using namespace looplab;

namespace database {
namespace {

constexpr const char* kLogFile = "chat.log";
// --demo stamps every record with this time (2026-01-01 00:00:00 UTC), so that the checksums
// printed below are the same on every run. Without --demo: the real time.
constexpr std::int64_t kDemoUnixMs = 1'767'225'600'000;

struct Message {
    const char* room;
    const char* text;
};
constexpr Message kMessages[] = {
    {"room:lobby", "ada: hello"},       {"room:lobby", "bob: hi ada"},
    {"room:games", "eve: chess at 5?"}, {"room:lobby", "ada: who is in?"},
    {"room:games", "bob: yes!"},
};
constexpr Message kTornMessage = {"room:lobby", "eve: I am about to be cut in half"};

// How much of the sixth record the writer gets out before it dies: less than its 8-byte
// header plus 20-byte fixed fields, so recovery sees a record cut short.
constexpr std::size_t kTornBytes = 20;

// What the writer sends through the pipe: an offset after each acknowledged append, then
// kReadyToDie when it has torn its last record and waits for the kill.
constexpr std::uint64_t kReadyToDie = ~std::uint64_t{0};
constexpr std::uint64_t kWriterFailed = ~std::uint64_t{0} - 1;

store::LogOptions writer_options(bool demo) {
    store::LogOptions options;
    options.fsync = store::Always{};   // acknowledged = on the drive
    if (demo) options.wall_clock_ms = [] { return kDemoUnixMs; };
    return options;
}

void send(int fd, std::uint64_t what) {
    if (::write(fd, &what, sizeof what) != sizeof what) ::_exit(1);
}

// The writer process. Appends the five messages, acknowledging each; then starts a sixth and
// dies in the middle of it. A real crash would hit a random moment; to show a torn tail on
// every run, the writer writes only the first kTornBytes of that record itself (what a process
// killed during its write() leaves), tells the lesson, and waits for the kill.
[[noreturn]] void writer(int ack_fd, bool demo) {
    auto log = store::Log::open(kLogFile, writer_options(demo));
    if (!log) {
        send(ack_fd, kWriterFailed);
        ::_exit(1);
    }
    for (const Message& message : kMessages) {
        auto offset = log->append(message.room, message.text);
        if (!offset) {
            send(ack_fd, kWriterFailed);
            ::_exit(1);
        }
        send(ack_fd, *offset);   // acknowledged only now: the write-ahead order
    }
    std::vector<std::uint8_t> record;
    store::encode_record(
        store::RecordView{log->next_offset(), kDemoUnixMs, kTornMessage.room, kTornMessage.text},
        record);
    const int fd = ::open(kLogFile, O_WRONLY | O_APPEND);
    if (fd == -1 || ::write(fd, record.data(), kTornBytes) != kTornBytes) {
        send(ack_fd, kWriterFailed);
        ::_exit(1);
    }
    send(ack_fd, kReadyToDie);
    for (;;)
        ::pause();   // no close(), no destructor, no flush: kill -9 comes here
}

// Reads one message from the writer (blocking: the writer always sends or dies).
std::uint64_t receive(int fd) {
    std::uint64_t what = kWriterFailed;
    if (::read(fd, &what, sizeof what) != sizeof what) lesson::fail("the writer died too early");
    if (what == kWriterFailed) lesson::fail("the writer could not append (see its error above)");
    return what;
}

std::uint64_t file_size(const char* path) {
    struct stat info {};
    if (::stat(path, &info) == -1) lesson::fail(Error::from_errno(fmt::format("stat {}", path)));
    return static_cast<std::uint64_t>(info.st_size);
}

std::string hex(const std::vector<std::uint8_t>& bytes, std::size_t from, std::size_t count) {
    std::string out;
    for (std::size_t i = from; i < from + count && i < bytes.size(); ++i)
        out += fmt::format("{}{:02x}", out.empty() ? "" : " ", bytes[i]);
    return out;
}

// Step 1's picture: the first record, field by field, read back from the file.
void print_first_record() {
    const int fd = ::open(kLogFile, O_RDONLY);
    std::vector<std::uint8_t> bytes(store::kStoreFileHeaderBytes + 64);
    const ssize_t got = fd == -1 ? -1 : ::pread(fd, bytes.data(), bytes.size(), 0);
    if (fd != -1) ::close(fd);
    if (got < 0) lesson::fail(Error::from_errno("read chat.log"));
    bytes.resize(static_cast<std::size_t>(got));
    const std::size_t at = store::kStoreFileHeaderBytes;
    const std::size_t key = 10;   // "room:lobby"
    lesson::say("the file starts with a 24-byte header, then record 0, byte by byte:");
    lesson::say("  {:<36}  magic: this is a looplab log, format 1", hex(bytes, 0, 8));
    lesson::say("  {:<36}  ... base offset, version, header checksum", "(16 more bytes)");
    lesson::say("  {:<36}  CRC32C of everything after it in the record", hex(bytes, at, 4));
    lesson::say("  {:<36}  length of the rest: 40 bytes", hex(bytes, at + 4, 4));
    lesson::say("  {:<36}  offset 0", hex(bytes, at + 8, 8));
    lesson::say("  {:<36}  time of the append (ms since 1970)", hex(bytes, at + 16, 8));
    lesson::say("  {:<36}  key length 10", hex(bytes, at + 24, 4));
    lesson::say("  {:<36}  \"room:lobby\"", hex(bytes, at + 28, key));
    lesson::say("  {:<36}  \"ada: hello\"", hex(bytes, at + 28 + key, 10));
}

std::string offsets_text(const std::vector<store::Record>& records) {
    if (records.empty()) return "none";
    return fmt::format("{}-{}", records.front().offset, records.back().offset);
}

}   // namespace

void run_log_steps(const lesson::Options& options) {
    // 1. A writer process appends five chat messages, each acknowledged once on the drive.
    options.step("An embedded log: one file, records framed and checksummed");
    ::unlink(kLogFile);
    int pipe_fds[2];
    if (::pipe(pipe_fds) == -1) lesson::fail(Error::from_errno("pipe"));
    const pid_t child = ::fork();
    if (child == -1) lesson::fail(Error::from_errno("fork"));
    if (child == 0) {
#ifdef __linux__
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);   // never outlive the lesson (it may fail())
#endif
        ::close(pipe_fds[0]);
        writer(pipe_fds[1], options.demo);
    }
    ::close(pipe_fds[1]);
    lesson::say("the writer process (pid {}) opens {} with FsyncPolicy Always",
                options.label_as(child, "W"), kLogFile);
    for (const Message& message : kMessages) {
        const std::uint64_t offset = receive(pipe_fds[0]);
        lesson::say("writer: append(\"{}\", \"{}\") -> offset {}, acknowledged", message.room,
                    message.text, offset);
    }
    lesson::say("(acknowledged = append() returned = written AND fdatasync'ed: on the drive)");
    if (options.demo)
        lesson::say(
            "(--demo stamps every record 2026-01-01 00:00 UTC, so the bytes below never change)");
    print_first_record();

    // 2. kill -9 in the middle of the sixth append.
    options.step("kill -9 in the middle of an append");
    if (receive(pipe_fds[0]) != kReadyToDie) lesson::fail("the writer did not tear its record");
    const std::uint64_t before = file_size(kLogFile) - kTornBytes;   // where the 5 records end
    lesson::say("writer: starts append(\"{}\", \"{}\")...", kTornMessage.room, kTornMessage.text);
    lesson::say("writer: ...and only its first {} bytes reach the file (to show it every run,",
                kTornBytes);
    lesson::say("        the lesson's writer tears the record on purpose, then waits)");
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    ::close(pipe_fds[0]);
    lesson::say("lesson: kill -9 {} -> {}", options.label_as(child, "W"),
                WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL
                    ? "killed by SIGKILL: no destructor, no close(), no last flush"
                    : "exited some other way?!");
    lesson::say("{}: {} bytes = header and 5 records (up to byte {}) + {} bytes of half a record",
                kLogFile, file_size(kLogFile), before, kTornBytes);

    // 3. The next program to open the log recovers it: every acknowledged record, nothing torn.
    options.step("Recovery: the next open()");
    auto log = store::Log::open(kLogFile, writer_options(options.demo));
    if (!log) lesson::fail(log.error());
    lesson::say("Log::open(\"{}\"): {}", kLogFile, log->recovery().summary());
    auto all = log->read_from(0);
    if (!all) lesson::fail(all.error());
    lesson::say(
        "acknowledged before the kill: offsets 0-4; in the log now: offsets {}, "
        "every CRC good",
        offsets_text(*all));
    auto lobby = log->by_key("room:lobby", 2);
    if (!lobby) lesson::fail(lobby.error());
    lesson::say("by_key(\"room:lobby\", 2), the history a chat shows when you join:");
    for (const store::Record& record : *lobby)
        lesson::say("  offset {}  {}", record.offset, record.value);
    auto again = log->append(kTornMessage.room, kTornMessage.text);
    if (!again) lesson::fail(again.error());
    lesson::say(
        "append it again -> offset {} (the torn one was never acknowledged: "
        "nobody was told it existed)",
        *again);

    // The checksum at work: one changed byte in the middle of the file is found and refused.
    if (auto closed = log->close(); !closed) lesson::fail(closed.error());
    const int fd = ::open(kLogFile, O_RDWR);
    const std::uint64_t inside = before - 4;   // the "y" of record 4's "bob: yes!"
    char byte = 0;
    if (fd == -1 || ::pread(fd, &byte, 1, static_cast<off_t>(inside)) != 1)
        lesson::fail(Error::from_errno("read chat.log"));
    byte = static_cast<char>(byte ^ 0x01);
    if (::pwrite(fd, &byte, 1, static_cast<off_t>(inside)) != 1)
        lesson::fail(Error::from_errno("write chat.log"));
    ::close(fd);
    lesson::say("");
    lesson::say(
        "now flip one bit of byte {} (the \"y\" of record 4, \"bob: yes!\") and open "
        "again,",
        inside);
    lesson::say("this time with OnCorruption::Refuse (don't cut, let a human look):");
    store::LogOptions refuse = writer_options(options.demo);
    refuse.on_corruption = store::OnCorruption::Refuse;
    auto damaged = store::Log::open(kLogFile, refuse);
    lesson::say("Log::open: {}", damaged ? std::string{"opened?! the damage went unseen"}
                                         : damaged.error().message());
}

}   // namespace database
