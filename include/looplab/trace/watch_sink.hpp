// looplab/trace/watch_sink.hpp
//
// WatchSink — the Sink that feeds a WatchServer: every trace event becomes a schema event
// (event_schema.hpp) for the pages, and every frame pushed and every turn started passes the
// server's StepGate, where the program stops when the page says so. The push is published
// before the gate, so a stopped program shows the callback it is about to run on top of the
// stack.
//
//     auto watching = trace::start_watching(options, stderr);    // prints the address, waits
//     if (!watching) fail(watching.error());
//     trace::CallStack::current().set_sink(watching->get());      // (TraceSession does this)
//
// Cost: only while installed. With no sink the loop builds no events at all (see CallStack).
#pragma once

#include "looplab/core/result.hpp"
#include "looplab/trace/call_stack.hpp"
#include "looplab/trace/watch_server.hpp"

#include <cstdio>
#include <memory>

namespace looplab::trace {

class WatchSink final : public Sink {
public:
    explicit WatchSink(std::unique_ptr<WatchServer> server) : server_(std::move(server)) {}

    WatchServer& server() { return *server_; }

    void turn(std::uint64_t number) override;
    void note(std::string_view stable, std::string_view live, std::size_t depth) override;
    void push(const Frame& frame, std::size_t depth) override;
    void pop(const Frame& frame, std::size_t depth) override;
    void state(const LoopState& state) override;

private:
    std::unique_ptr<WatchServer> server_;
};

// Starts a WatchServer, prints "<who>: watch it on http://localhost:PORT/ ..." on `say_to`,
// waits until a page is open (the program starts only then, so the page misses nothing), and
// returns the sink to install.
Result<std::unique_ptr<WatchSink>> start_watching(WatchOptions options, std::FILE* say_to);

}   // namespace looplab::trace
