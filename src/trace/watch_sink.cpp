// Trace events to the watch server, and the step gate; see looplab/trace/watch_sink.hpp.
#include "looplab/trace/watch_sink.hpp"

#include "looplab/trace/event_schema.hpp"

#include <fmt/format.h>

namespace looplab::trace {

void WatchSink::turn(std::uint64_t number) {
    server_->publish("turn", turn_fields(number));
    server_->gate().at_turn();
}

void WatchSink::note(std::string_view stable, std::string_view live, std::size_t depth) {
    server_->publish("note", note_fields(stable, live, depth));
}

void WatchSink::push(const Frame& frame, std::size_t depth) {
    server_->publish("push", push_fields(frame, depth));
    server_->gate().pass(depth);
}

void WatchSink::pop(const Frame& frame, std::size_t depth) {
    server_->publish("pop", pop_fields(frame, depth));
}

void WatchSink::state(const LoopState& state) { server_->publish("state", state_fields(state)); }

Result<std::unique_ptr<WatchSink>> start_watching(WatchOptions options, std::FILE* say_to) {
    const std::string who = options.program;
    const bool paused = options.start == StepGate::Mode::Paused;
    auto server = WatchServer::start(std::move(options));
    if (!server) return server.error();
    fmt::print(
        say_to, "{}: watch it on http://localhost:{}/ (waiting for the page; {})\n", who,
        server.value()->port(),
        paused ? "it starts paused: press step or continue" : "it runs: press pause to stop it");
    std::fflush(say_to);
    server.value()->wait_for_page();
    return std::make_unique<WatchSink>(std::move(server).value());
}

}   // namespace looplab::trace
