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
//
// The kit is also where a piece goes as soon as a second lesson needs it (lessons share
// through the kit, never by including each other), each included on its own:
//   transcript.hpp         several actors' lines with their random ids named (lessons 18, 19)
//   internet_checksum.hpp  the RFC 1071 / UDP checksum (lesson 10; lessons 09 and 14 use it)
//   length_prefix.hpp      length-prefix framing over TCP (lesson 09; lesson 14's TCP run)
//   lab_packet.hpp         numbered, checksummed DATA and ACK packets (lessons 14 and 09)
//   lossy_link.hpp         a seeded bad network as pure logic (lessons 14 and 09)
//   link_relay.hpp         a LossyLink on the loop between two UDP endpoints (lessons 14, 09)
//   redis_server.hpp       a real redis-server on a free port (lesson 19, tests, benchmarks),
//                          started through quiet_child.hpp
#pragma once

#include "looplab/lesson/labels.hpp"
#include "looplab/lesson/options.hpp"
#include "looplab/lesson/say.hpp"
#include "looplab/lesson/trace_session.hpp"
