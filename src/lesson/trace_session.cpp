// Turning the tracer on for a lesson; see looplab/lesson/trace_session.hpp.
#include "looplab/lesson/trace_session.hpp"

#include "looplab/lesson/say.hpp"
#include "looplab/trace/json_lines_sink.hpp"
#include "looplab/trace/sinks.hpp"
#include "looplab/trace/watch_sink.hpp"

#include <cstdio>

#include <unistd.h>

namespace looplab::lesson {
namespace {

// Hands every event to several sinks (--trace and --trace-out together), in order.
class FanOut final : public trace::Sink {
public:
    explicit FanOut(std::vector<trace::Sink*> sinks) : sinks_(std::move(sinks)) {}

    bool has_text() const {
        for (trace::Sink* sink : sinks_)
            if (dynamic_cast<trace::TextSink*>(sink) != nullptr) return true;
        return false;
    }

    void turn(std::uint64_t number) override {
        for (trace::Sink* sink : sinks_) sink->turn(number);
    }
    void note(std::string_view stable, std::string_view live, std::size_t depth) override {
        for (trace::Sink* sink : sinks_) sink->note(stable, live, depth);
    }
    void push(const trace::Frame& frame, std::size_t depth) override {
        for (trace::Sink* sink : sinks_) sink->push(frame, depth);
    }
    void pop(const trace::Frame& frame, std::size_t depth) override {
        for (trace::Sink* sink : sinks_) sink->pop(frame, depth);
    }
    void state(const trace::LoopState& state) override {
        for (trace::Sink* sink : sinks_) sink->state(state);
    }

private:
    std::vector<trace::Sink*> sinks_;
};

// Is the trace already printed as text (by an outer session)?
bool prints_text(trace::Sink* sink) {
    if (dynamic_cast<trace::TextSink*>(sink) != nullptr) return true;
    const auto* fan_out = dynamic_cast<FanOut*>(sink);
    return fan_out != nullptr && fan_out->has_text();
}

}   // namespace

TraceSession::TraceSession(const Options& options, When when) {
    trace::CallStack& stack = trace::CallStack::current();
    previous_ = stack.sink();
    // An outer session already prints text and writes the file: only add what is missing.
    const bool wants_text = (options.trace || when == When::Always) && !prints_text(previous_);
    const bool wants_file = !options.trace_out.empty() && previous_ == nullptr;

    if (wants_text) {
        std::fflush(stdout);
        if (options.demo) sinks_.push_back(std::make_unique<trace::TextSink>(stdout));
        else
            sinks_.push_back(std::make_unique<trace::TextSink>(
                stdout, trace::TextSink::Style::Terminal, ::isatty(STDOUT_FILENO) == 1));
    }
    if (wants_file && options.trace_out.ends_with(".jsonl")) {
        // The schema events themselves, as --watch streams them (notes/watch/README.md).
        auto file = std::make_unique<trace::JsonLinesSink>(options.trace_out, options.lesson_name,
                                                           options.poller);
        if (!file->is_open()) fail(Error::from_errno(fmt::format("open {}", options.trace_out)));
        sinks_.push_back(std::move(file));
    } else if (wants_file) {
        auto file = std::make_unique<trace::ChromeTraceSink>(options.trace_out);
        if (!file->is_open()) fail(Error::from_errno(fmt::format("open {}", options.trace_out)));
        sinks_.push_back(std::move(file));
    }
    if (options.watch && previous_ == nullptr) {
        // Blocks until a page is open: the lesson starts only when someone watches.
        std::fflush(stdout);
        trace::WatchOptions watch;
        watch.port = *options.watch;
        watch.program = options.lesson_name;
        watch.poller = options.poller;
        auto watching = trace::start_watching(std::move(watch), stderr);
        if (!watching) fail(watching.error());
        sinks_.push_back(std::move(watching).value());
    }
    if (sinks_.empty()) return;

    std::vector<trace::Sink*> targets;
    if (previous_ != nullptr) targets.push_back(previous_);   // keep feeding the outer session
    for (const auto& sink : sinks_) targets.push_back(sink.get());
    sink_ = std::make_unique<FanOut>(std::move(targets));
    stack.set_sink(sink_.get());
}

TraceSession::~TraceSession() {
    if (!sink_) return;
    std::fflush(stdout);
    trace::CallStack::current().set_sink(previous_);
}

}   // namespace looplab::lesson
