// lessons/09-benefit-of-packets/packets_lesson.hpp
//
// What the files of lesson 09 share.
//   byte_stream_tcp.cpp       TCP keeps bytes, not message boundaries; length-prefix framing
//                             puts them back (looplab/lesson/length_prefix.hpp, in the
//                             lesson kit because lesson 14's TCP run frames the same way)
//   datagrams_udp.cpp         a UDP datagram arrives whole or not at all: boundaries kept
//   pieces_over_lossy_link.cpp  a big message cut into numbered pieces with a checksum each,
//                             sent through lesson 14's lossy link; only lost pieces are resent
//                             (the packet format and the link are the lesson kit's:
//                             looplab/lesson/lab_packet.hpp, link_relay.hpp)
#pragma once

#include "looplab/lesson/lesson.hpp"
#include "looplab/loop/event_loop.hpp"

#include <chrono>
#include <functional>
#include <string_view>

namespace packets {

namespace lesson = looplab::lesson;
using looplab::loop::EventLoop;

// Every wait in this lesson: turn the loop until `done`, never longer than two seconds.
inline void wait_for(EventLoop& loop, const std::function<bool()>& done, std::string_view what) {
    if (!loop.run_until(done, std::chrono::milliseconds{2000}))
        lesson::fail(fmt::format("gave up waiting for {} after 2 s", what));
}

using lesson::must;   // a set-up step that has to work: fail() with its error if it did not

void show_byte_stream(EventLoop& loop, const lesson::Options& options);
void show_framing(EventLoop& loop, const lesson::Options& options);
void show_datagrams(EventLoop& loop, const lesson::Options& options);
void show_pieces_over_lossy_link(EventLoop& loop, const lesson::Options& options);

}  // namespace packets
