// lessons/06-event-handler/doorbell.cpp — the doorbell's wiring and its event handler.
#include "doorbell.hpp"

#include <algorithm>

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

using namespace looplab;

namespace door {

Status Doorbell::wire() {
    int ends[2];
    if (::pipe2(ends, O_CLOEXEC | O_NONBLOCK) == -1) return Error::from_errno("pipe2");
    read_end_.reset(ends[0]);
    write_end_.reset(ends[1]);
    // Bind the handler: "when read_end_ is readable, call on_readable". The label names it in
    // the trace. This is the whole registration; the loop does the waiting.
    return loop_.watch(read_end_.get(), loop::Interest::read(),
                       [this](const loop::Ready& ready) { on_readable(ready); }, "doorbell");
}

void Doorbell::press(int times) {
    for (int i = 0; i < times; ++i) {
        const char byte = 'd';
        if (::write(write_end_.get(), &byte, 1) != 1) lesson::fail(Error::from_errno("write"));
    }
}

std::size_t Doorbell::waiting() const {
    int bytes = 0;
    if (read_end_.get() < 0 || ::ioctl(read_end_.get(), FIONREAD, &bytes) == -1) return 0;
    return static_cast<std::size_t>(bytes);
}

void Doorbell::on_readable(const loop::Ready& ready) {
    LOOPLAB_TRACE_SCOPE("Doorbell::on_readable");
    ++handler_calls_;
    char bytes[64];
    const ssize_t count = ::read(read_end_.get(), bytes, std::min(bytes_per_read_, sizeof bytes));
    if (count == 0) {
        // 3. read() == 0: every writer has gone. Stop watching, then close (in that order).
        lesson::say("handler: read() returned 0: hang-up{}; unwiring the bell",
                    ready.hangup ? " (the poller said so too)" : "");
        unwire();
        return;
    }
    if (count < 0) lesson::fail(Error::from_errno("read"));

    // 1. The handler's own job: take the bytes out of the pipe (or it stays readable).
    lesson::say("handler: read {} byte{}, {} still waiting", count, count == 1 ? "" : "s",
                waiting());
    // 2. Then tell whoever cares, by name. The listeners run now, on this stack.
    for (ssize_t i = 0; i < count; ++i) {
        LOOPLAB_TRACE_SCOPE("emit", "\"ring\"");
        events.emit("ring", ++rings_);
    }
}

void Doorbell::unwire() {
    if (!is_wired()) return;
    loop_.forget(read_end_.get());   // first forget, then close: the loop must not watch a
    read_end_.reset();               // number the kernel may hand to someone else
    write_end_.reset();
}

}  // namespace door
