#include "looplab/core/unique_fd.hpp"

#include <unistd.h>

namespace looplab {

void UniqueFd::reset(int fd) {
    // close() is not retried on EINTR: on Linux the fd is released even then, and a retry
    // could close a descriptor another thread just received.
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
}

}   // namespace looplab
