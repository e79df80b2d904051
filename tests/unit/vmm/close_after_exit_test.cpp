// close_after_exit: a child keeps the given descriptors until the calling
// process has exited and closes every other descriptor at once.
#include <vmm/util/close_after_exit.h>

#include <gtest/gtest.h>

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace vmm;

namespace {

// Whether `fd` reaches EOF within `ms` milliseconds.
bool eof_within(int fd, int ms) {
    pollfd p { fd, POLLIN, 0 };
    if (poll(&p, 1, ms) != 1) return false;
    char byte;
    return read(fd, &byte, 1) == 0;
}

TEST(CloseAfterExit, KeepsOnlyTheGivenDescriptorsUntilTheCallerHasExited) {
    int kept[2], other[2], go[2];
    ASSERT_EQ(pipe(kept), 0);
    ASSERT_EQ(pipe(other), 0);
    ASSERT_EQ(pipe(go), 0);
    pid_t const vmm = fork();
    ASSERT_GE(vmm, 0);
    if (vmm == 0) {
        // The "VMM": holds the write ends, hands `kept` to the child, drops
        // its own copies, and waits to be told to exit.
        close(kept[0]);
        close(other[0]);
        close(go[1]);
        close_after_exit({ kept[1] });
        close(kept[1]);
        close(other[1]);
        char byte;
        (void)read(go[0], &byte, 1);
        _exit(0);
    }
    close(kept[1]);
    close(other[1]);
    close(go[0]);
    // `other` was not kept: with the VMM's copy closed it is at EOF while the
    // VMM still runs (the child closed its copy at once).
    EXPECT_TRUE(eof_within(other[0], 5000));
    // `kept` stays open in the child while the VMM runs...
    EXPECT_FALSE(eof_within(kept[0], 200));
    close(go[1]); // ...the VMM exits...
    int status = 0;
    ASSERT_EQ(waitpid(vmm, &status, 0), vmm);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    // ...and then the child closes it.
    EXPECT_TRUE(eof_within(kept[0], 5000));
    close(kept[0]);
    close(other[0]);
}

} // namespace
