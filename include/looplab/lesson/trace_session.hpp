// looplab/lesson/trace_session.hpp
//
// TraceSession — turns the tracer on for as long as it lives, as the command line asked:
//
//   --trace         the call stack and the loop's phases on stdout, between the story lines:
//                   plain and deterministic with --demo (transcripts stay comparable),
//                   with live details (fds, waits) and colour on a terminal otherwise
//   --trace-out F   the same events as Chrome trace JSON in file F (F ending in ".jsonl":
//                   the trace event schema of notes/watch/README.md, one event per line)
//   --watch[=PORT]  a page on http://localhost:PORT/ draws the loop live, with pause and step
//                   (trace/watch_sink.hpp); the session waits until a page is open
//
//     const auto options = lesson::parse(argc, argv, "lesson-01");
//     lesson::TraceSession tracing{options};                    // nothing happens without flags
//
// A lesson whose point IS the trace (01, 05) shows it whatever the flags say:
//
//     lesson::TraceSession shown{options, lesson::TraceSession::When::Always};
//
// Contract: installs its sink on the calling thread's CallStack and puts the previous sink
// back when destroyed, so sessions nest (an inner Always-session inside a --trace session
// keeps printing the same way). A --trace-out file that cannot be opened ends the lesson with
// fail(). Create it on the thread that runs the loop.
#pragma once

#include "looplab/lesson/options.hpp"
#include "looplab/trace/call_stack.hpp"

#include <memory>
#include <vector>

namespace looplab::lesson {

class TraceSession {
public:
    enum class When { AsAsked, Always };

    explicit TraceSession(const Options& options, When when = When::AsAsked);
    ~TraceSession();
    TraceSession(const TraceSession&) = delete;
    TraceSession& operator=(const TraceSession&) = delete;

    // True while something records the trace (this session or an outer one).
    bool is_on() const { return sink_ != nullptr || previous_ != nullptr; }

private:
    std::vector<std::unique_ptr<trace::Sink>> sinks_;   // the sinks this session added
    std::unique_ptr<trace::Sink> sink_;                 // fans out to them (and to previous_)
    trace::Sink* previous_ = nullptr;
};

// Switches tracing off while it lives, then puts the sink back: for a stretch that would print
// a million lines (lesson 07 reposts one task a million times).
class QuietTrace {
public:
    QuietTrace() : saved_(trace::CallStack::current().sink()) {
        trace::CallStack::current().set_sink(nullptr);
    }
    ~QuietTrace() { trace::CallStack::current().set_sink(saved_); }
    QuietTrace(const QuietTrace&) = delete;
    QuietTrace& operator=(const QuietTrace&) = delete;

private:
    trace::Sink* saved_;
};

}   // namespace looplab::lesson
