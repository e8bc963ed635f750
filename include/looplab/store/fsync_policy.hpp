// looplab/store/fsync_policy.hpp
//
// FsyncPolicy — when the log asks the kernel to put appended bytes on the disk itself.
// Teaches: what "durable" really promises. Read: notes/16-database.md ("fsync").
//
// Every append() hands its bytes to the kernel with one write() before it returns. From then
// on the bytes are in the kernel's page cache: a crash of OUR process (kill -9, a segfault)
// cannot lose them, whatever the policy. What the policy decides is the next step, fdatasync():
// the kernel writes the pages to the drive and asks the drive to flush its own cache. Only that
// survives a power cut or a kernel crash.
//
//   policy           append() returns after           a power cut may lose
//   Always{}         write() + fdatasync()            nothing that append() acknowledged
//   EveryMillis{N}   write(); fdatasync() when N ms    the appends of the last N ms (and those
//                    have passed since the last one    since, if no append or sync_if_due()
//                                                      came to do the overdue fdatasync)
//   Never{}          write()                          whatever the kernel has not written back
//                                                      yet (Linux: up to ~30 s by default)
//
// Compare Redis: appendfsync always | everysec | no. The price of Always is one round trip to
// the drive per append (lessons/16-database and `make bench` measure it).
#pragma once

#include "looplab/core/clock.hpp"

#include <string>
#include <variant>

namespace looplab::store {

// fdatasync() before every append() returns.
struct Always {};

// fdatasync() at the first append (or sync_if_due()) at least `interval` after the last one.
// The log has no thread of its own: a program whose appends may stop calls sync_if_due() from
// a timer, so the last appends do not wait for the next one.
struct EveryMillis {
    Millis interval{100};
};

// Never fdatasync() (not even on close): the kernel decides when the bytes reach the drive.
struct Never {};

using FsyncPolicy = std::variant<Always, EveryMillis, Never>;

// "Always", "EveryMillis(100)", "Never": for reports and benchmarks.
std::string describe(const FsyncPolicy& policy);

}   // namespace looplab::store
