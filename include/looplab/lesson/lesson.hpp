// looplab/lesson/lesson.hpp
//
// The lessons' shared kit, in one include: parse() the command line into Options, tell the
// story with say() and options.step(), name changing values with options.label(), turn the
// tracer on with TraceSession, and end with fail() or finish().
//
//     int main(int argc, char** argv) {
//         const auto options = lesson::parse(argc, argv, "lesson-07");
//         lesson::TraceSession tracing{options};
//         loop::EventLoop loop{options.poller};
//         options.step("The ordering puzzle");
//         ...
//         return lesson::finish(loop.run());
//     }
//
// Used by lessons/ and tests only; the library itself never includes it.
#pragma once

#include "looplab/lesson/labels.hpp"
#include "looplab/lesson/options.hpp"
#include "looplab/lesson/say.hpp"
#include "looplab/lesson/trace_session.hpp"
