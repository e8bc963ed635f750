// looplab/store/limits.hpp
//
// The store's named limits. Each says what happens when it is reached.
#pragma once

#include "looplab/core/clock.hpp"

#include <cstddef>
#include <cstdint>

namespace looplab::store {

// Longest key (a room name, a user id). A longer one: append() fails, nothing is written.
inline constexpr std::size_t kStoreMaxKeyBytes = 4 * 1024;   // 4 KiB

// Longest value (one chat message, one event). A longer one: append() fails, nothing is written.
inline constexpr std::size_t kStoreMaxValueBytes = 1024 * 1024;   // 1 MiB

// The default size a log file may grow to (LogOptions::max_file_bytes). An append that would
// pass it first compacts the log (when LogOptions::retention says what may go), and fails with
// "log full" if there is still no room.
inline constexpr std::uint64_t kStoreMaxFileBytes =
    std::uint64_t{4} * 1024 * 1024 * 1024;   // 4 GiB

// How much of the file recovery reads at a time while it scans. Bigger: fewer read() calls;
// the window also grows to hold one whole record when a record is bigger than this.
// A full log whose automatic compaction freed nothing is not compacted again (a rewrite of
// the whole file) before this much time has passed: until then appends fail at once with
// "log full". Time is what can free records (max_age), so waiting is the only useful retry.
inline constexpr Millis kStoreFullRetryInterval{1000};

inline constexpr std::size_t kStoreScanChunkBytes = 1024 * 1024;   // 1 MiB

}   // namespace looplab::store
