// lessons/07-event-queue/io_event.cpp — a one-shot I/O event made from a pipe.
#include "event_queue_lesson.hpp"

#include <fcntl.h>
#include <unistd.h>

using namespace looplab;

namespace queue_lesson {

void report(const loop::EventLoop& loop, std::string_view text) {
    lesson::say("turn {}  {:<6}  {}", loop.turn(), loop.phase(), text);
}

Status IoEvent::on_ready(std::function<void()> handler) {
    int ends[2];
    if (::pipe2(ends, O_CLOEXEC | O_NONBLOCK) == -1) return Error::from_errno("pipe2");
    read_end_.reset(ends[0]);
    write_end_.reset(ends[1]);
    handler_ = std::move(handler);
    return loop_.watch(read_end_.get(), loop::Interest::read(), [this](const loop::Ready&) {
        char byte;
        [[maybe_unused]] const auto got = ::read(read_end_.get(), &byte, 1);
        loop_.forget(read_end_.get());   // one-shot: the loop may end once nothing else waits
        handler_();
    }, "pipe");
}

void IoEvent::happen() {
    const char byte = '!';
    if (::write(write_end_.get(), &byte, 1) != 1) lesson::fail(Error::from_errno("write"));
}

IoEvent::~IoEvent() {
    if (read_end_.get() >= 0) loop_.forget(read_end_.get());
}

}  // namespace queue_lesson
