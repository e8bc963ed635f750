// looplab/trace/json_lines_sink.hpp
//
// JsonLinesSink — the trace as schema events (event_schema.hpp), one JSON object per line:
// what `--trace-out FILE.jsonl` writes, and exactly what `--watch` streams to its page, so a
// recorded run can be read by the same code (jq, a script, a test).
#pragma once

#include "looplab/trace/call_stack.hpp"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace looplab::trace {

class JsonLinesSink final : public Sink {
public:
    // Opens `path` for writing and writes the hello event; is_open() tells whether it worked.
    JsonLinesSink(const std::string& path, std::string_view program, std::string_view poller);
    ~JsonLinesSink() override;   // writes the end event and closes
    JsonLinesSink(const JsonLinesSink&) = delete;
    JsonLinesSink& operator=(const JsonLinesSink&) = delete;

    bool is_open() const { return file_ != nullptr; }

    void turn(std::uint64_t number) override;
    void note(std::string_view stable, std::string_view live, std::size_t depth) override;
    void push(const Frame& frame, std::size_t depth) override;
    void pop(const Frame& frame, std::size_t depth) override;
    void state(const LoopState& state) override;

private:
    void write(std::string_view kind, const std::string& fields);

    std::FILE* file_ = nullptr;
    std::uint64_t seq_ = 0;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}   // namespace looplab::trace
