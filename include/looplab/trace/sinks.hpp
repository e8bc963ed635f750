// looplab/trace/sinks.hpp
//
// Three ways to look at a trace:
//   TextSink(plain)     deterministic text: no fds, addresses or times. Lesson transcripts
//                       (--demo) and golden tests compare it byte for byte.
//   TextSink(terminal)  the same picture plus the live details, coloured when asked to
//                       (lessons pass "stdout is a terminal").
//   ChromeTraceSink     Chrome Trace Event JSON (--trace-out FILE); open it in
//                       https://ui.perfetto.dev or chrome://tracing to see the stack as bars.
//
//   turn 3
//     timers   0 due
//     poll     1 ready                     <- a note, indented by the stack depth
//     | > fd readable server socket         <- push
//     | | > ChatServer::on_message "hi"
//     | | < ChatServer::on_message          <- pop
//     | < fd readable
#pragma once

#include "looplab/trace/call_stack.hpp"

#include <chrono>
#include <cstdio>
#include <string>

namespace looplab::trace {

class TextSink final : public Sink {
public:
    enum class Style { Plain, Terminal };

    // Writes to `out` (not owned). Terminal style adds live details, and colour if `colour`.
    explicit TextSink(std::FILE* out, Style style = Style::Plain, bool colour = false)
        : out_(out), style_(style), colour_(colour) {}

    void turn(std::uint64_t number) override;
    void note(std::string_view stable, std::string_view live, std::size_t depth) override;
    void push(const Frame& frame, std::size_t depth) override;
    void pop(const Frame& frame, std::size_t depth) override;

private:
    void line(std::size_t depth, std::string_view colour_code, std::string_view text);

    std::FILE* out_;
    Style style_;
    bool colour_;
};

// Collects the plain text in memory; used by tests to compare against a golden transcript.
class StringSink final : public Sink {
public:
    const std::string& text() const { return text_; }

    void turn(std::uint64_t number) override;
    void note(std::string_view stable, std::string_view live, std::size_t depth) override;
    void push(const Frame& frame, std::size_t depth) override;
    void pop(const Frame& frame, std::size_t depth) override;

private:
    std::string text_;
};

class ChromeTraceSink final : public Sink {
public:
    // Opens `path` for writing; is_open() tells whether that worked.
    explicit ChromeTraceSink(const std::string& path);
    ~ChromeTraceSink() override;   // closes the JSON array
    ChromeTraceSink(const ChromeTraceSink&) = delete;
    ChromeTraceSink& operator=(const ChromeTraceSink&) = delete;

    bool is_open() const { return file_ != nullptr; }

    void turn(std::uint64_t number) override;
    void note(std::string_view stable, std::string_view live, std::size_t depth) override;
    void push(const Frame& frame, std::size_t depth) override;
    void pop(const Frame& frame, std::size_t depth) override;
    // A "queues" counter track (soon, next, timers, fds: the schema's state members), which
    // Perfetto draws as graphs under the bars.
    void state(const LoopState& state) override;

private:
    void event(std::string_view name, char phase, std::string_view args);
    long long micros_since_start() const;

    std::FILE* file_ = nullptr;
    bool first_ = true;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// Frame text as the text sinks print it: "name detail".
std::string describe(const Frame& frame);

// Escapes a string for a JSON string literal (quotes not included).
std::string json_escape(std::string_view text);

}   // namespace looplab::trace
