#include <vmm/util/close_after_exit.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <vector>

namespace vmm {

namespace {

// Closes every descriptor except those in `keep` (sorted). Only system
// calls: the child of a threaded process may not allocate or lock.
void close_all_except(int const* keep, size_t count) {
    unsigned next = 0;
    for (size_t i = 0; i < count; i++) {
        unsigned const fd = unsigned(keep[i]);
        if (fd > next) syscall(SYS_close_range, next, fd - 1, 0);
        next = fd + 1;
    }
    syscall(SYS_close_range, next, UINT_MAX, 0);
}

} // namespace

void close_after_exit(std::initializer_list<int> fds) {
    // The child learns that this process has exited when the write end,
    // which only this process holds, reaches EOF.
    int exited[2];
    if (pipe2(exited, O_CLOEXEC) != 0) return;
    std::vector<int> keep(fds);
    keep.push_back(exited[0]);
    std::sort(keep.begin(), keep.end());
    pid_t const child = fork();
    if (child == 0) {
        close_all_except(keep.data(), keep.size());
        char byte;
        while (read(exited[0], &byte, 1) < 0 && errno == EINTR) {
        }
        _exit(0); // closes `fds`: the slow part, off the parent's path
    }
    close(exited[0]);
    // exited[1] stays open until this process exits; a failed fork leaves
    // the descriptors to be closed here, as without this function.
}

} // namespace vmm
