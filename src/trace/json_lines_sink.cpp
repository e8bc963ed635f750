// Schema events, one per line; see looplab/trace/json_lines_sink.hpp.
#include "looplab/trace/json_lines_sink.hpp"

#include "looplab/trace/event_schema.hpp"

#include <fmt/format.h>

#include <unistd.h>

namespace looplab::trace {

JsonLinesSink::JsonLinesSink(const std::string& path, std::string_view program,
                             std::string_view poller)
    : file_(std::fopen(path.c_str(), "w")) {
    if (file_) write("hello", hello_fields(program, poller, static_cast<long>(::getpid())));
}

JsonLinesSink::~JsonLinesSink() {
    if (!file_) return;
    write("end", end_fields("the program ended"));
    std::fclose(file_);
}

void JsonLinesSink::write(std::string_view kind, const std::string& fields) {
    if (!file_) return;
    const auto t = std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::steady_clock::now() - start_)
                       .count();
    fmt::print(file_, "{}\n", event_json(++seq_, t, kind, fields));
}

void JsonLinesSink::turn(std::uint64_t number) { write("turn", turn_fields(number)); }

void JsonLinesSink::note(std::string_view stable, std::string_view live, std::size_t depth) {
    write("note", note_fields(stable, live, depth));
}

void JsonLinesSink::push(const Frame& frame, std::size_t depth) {
    write("push", push_fields(frame, depth));
}

void JsonLinesSink::pop(const Frame& frame, std::size_t depth) {
    write("pop", pop_fields(frame, depth));
}

void JsonLinesSink::state(const LoopState& state) { write("state", state_fields(state)); }

}   // namespace looplab::trace
