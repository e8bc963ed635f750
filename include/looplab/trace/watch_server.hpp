// looplab/trace/watch_server.hpp
//
// WatchServer — the live view of a program (`--watch[=PORT]`): serves src/web/watch.html on
// http://localhost:PORT/ with the library's own HTTP server, streams the program's trace
// events (event_schema.hpp) to every open page over a WebSocket (/watch-events), and takes
// the pages' buttons (pause, step, continue, speed) to the StepGate.
//
// It also serves the program's own source, read-only (GET /source?path=lessons/...: see
// source_view.hpp), so that the file:line the page shows for each callback is a link.
//
//   program's thread                              watch thread (its own EventLoop)
//   WatchSink::push ─► EventChannel (bounded) ─► deliver(): history + one message per page
//        │                 └─ first event of a batch: loop.post_next (wakes the loop)
//        └─► StepGate::pass ◄── page: {"cmd":"step"} ◄── WebSocket /watch-events
//
// Why a thread of its own: stepping means the program's thread really stops (blocked in the
// StepGate), loop and all. A server on the program's loop would stop with it and could never
// hear the "step" that lets the program go on. So the server has its own loop on its own
// thread; events cross over through the bounded EventChannel (the program never waits for the
// view), and the program's thread waits on the gate's condition variable, not on the view.
//
// A slow page: each page has its own send limit (kWatchPageBacklogMax); a message that would
// pass it is dropped for that page only, counted, and the page is told ("dropped" event, seq 0).
// A closed page: forgotten; when the last one closes, the gate lets the program run. A page
// opened late gets the last kWatchHistoryMax events first, so every tab shows the same story.
//
// Contract: start() from any thread; publish() and gate() from any thread. The destructor
// publishes "end", gives the pages kWatchFlushLimit to receive what is left, then stops the
// thread.
#pragma once

#include "looplab/core/result.hpp"
#include "looplab/trace/event_channel.hpp"
#include "looplab/trace/step_gate.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

namespace looplab::loop {
class EventLoop;
}

namespace looplab::trace {

// Bytes a page may have waiting to be sent; past it, messages for that page are dropped.
inline constexpr std::size_t kWatchPageBacklogMax = 4 * 1024 * 1024;
// Events kept for pages that open later (the oldest go first).
inline constexpr std::size_t kWatchHistoryMax = 50000;
// Events per message when a late page is brought up to date.
inline constexpr std::size_t kWatchReplayChunk = 2000;
// How long the end of the program waits for the pages to get the last events.
inline constexpr std::chrono::milliseconds kWatchFlushLimit{1000};
// The slow motion a page starts with: slow enough to follow, fast enough not to bore.
inline constexpr std::chrono::milliseconds kWatchDefaultSpeed{250};
// The WebSocket path of the events and commands.
inline constexpr std::string_view kWatchEventsPath = "/watch-events";

struct WatchOptions {
    std::uint16_t port = 0;   // 0: any free port (see port())
    std::string web_root;     // empty: find_watch_web_root()
    // Where GET /source reads files from (source_view.hpp); empty: the folder that holds
    // web_root's src/web, i.e. the checkout the page came from.
    std::string source_root;
    std::string program;   // shown on the page: "lesson-07"
    std::string poller;    // the program's poller, for the hello event
    StepGate::Mode start = StepGate::Mode::Paused;
    // Slow motion after "continue": this long before each callback (the page's slider).
    std::chrono::milliseconds speed{kWatchDefaultSpeed};
};

// Where watch.html is: $LOOPLAB_WEB_ROOT, else the first src/web holding watch.html found
// from the working directory upwards, else from the executable's directory upwards.
std::optional<std::string> find_watch_web_root();

class WatchServer {
public:
    // Listens on 127.0.0.1:port (this machine only: the page can pause the program).
    static Result<std::unique_ptr<WatchServer>> start(WatchOptions options);
    ~WatchServer();
    WatchServer(const WatchServer&) = delete;
    WatchServer& operator=(const WatchServer&) = delete;

    std::uint16_t port() const { return port_; }
    StepGate& gate() { return gate_; }
    const EventChannel& channel() const { return channel_; }

    // Queues one event for the pages (`fields` from event_schema.hpp). Never blocks.
    void publish(std::string_view kind, std::string_view fields);

    // Blocks until a page is open, or `limit` passed (nullopt: no limit). True if one is.
    bool wait_for_page(std::optional<std::chrono::milliseconds> limit = std::nullopt);
    std::size_t page_count() const;
    // Events not sent to some page because it read too slowly, summed over all pages.
    std::uint64_t page_drops() const { return page_drops_.load(std::memory_order_relaxed); }

private:
    struct Pages;   // lives on the watch thread
    explicit WatchServer(WatchOptions options);
    void run(std::string web_root, std::string source_root, std::promise<Status>* started);
    void wake();
    void page_count_changed(std::size_t count);

    WatchOptions options_;
    EventChannel channel_;
    StepGate gate_;
    std::uint16_t port_ = 0;

    mutable std::mutex mutex_;   // guards loop_ and pages_open_
    std::condition_variable page_opened_;
    loop::EventLoop* loop_ = nullptr;   // the watch thread's loop while it runs
    Pages* pages_ = nullptr;            // and what it serves
    std::size_t pages_open_ = 0;
    std::atomic<std::uint64_t> page_drops_{0};
    std::thread thread_;
};

}   // namespace looplab::trace
