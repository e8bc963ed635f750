// The translation of a kevent into the neutral Ready record; see kevent_to_ready.hpp.
#include "looplab/poller/kevent_to_ready.hpp"

namespace looplab::poller::detail {

void add_kevent(Ready& record, const KeventSays& event) {
    // No need to check what was asked for: a filter only reports if it was added.
    if (event.read_filter) record.readable = true;
    if (event.write_filter) record.writable = true;
    if (event.end_of_file) record.hangup = true;
    // kevent(2): EV_ERROR puts the errno in data; on a socket, EV_EOF puts the socket's
    // error (if any) in fflags. Either way the kernel has told us which error: keep it, so
    // that the handler need not ask the socket, which may no longer hold it.
    int error = 0;
    if (event.failed) error = static_cast<int>(event.data);
    else if (event.end_of_file) error = static_cast<int>(event.fflags);
    if (error == 0) return;
    record.error = true;
    if (record.socket_error == 0) record.socket_error = error;   // both filters say the same
}

}   // namespace looplab::poller::detail
