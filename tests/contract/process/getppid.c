/* Contract: a forked child has a new pid, and getppid() in it is the
 * parent's pid; fork returns the child's pid to the parent. */
#include "contract.h"

int main(void)
{
    pid_t const me = getpid();
    int report[2];
    OK(pipe(report));
    pid_t child = ct_fork();
    if (child == 0) {
        pid_t ids[2] = { getpid(), getppid() };
        if (write(report[1], ids, sizeof ids) != sizeof ids) _exit(1);
        _exit(ids[0] != me && ids[1] == me ? 0 : 2);
    }
    pid_t ids[2];
    CHECK(read(report[0], ids, sizeof ids) == sizeof ids, "child reports");
    EXPECT("child's getpid differs from the parent's", ids[0] != me);
    EXPECT("fork returned the child's pid", ids[0] == child);
    EXPECT("child's getppid is the parent", ids[1] == me);
    int status = ct_wait(child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child checks");
    EXPECT("getpid is stable", getpid() == me);
    EXPECT("gettid equals getpid in a single-threaded process", gettid() == me);
    ct_pass();
}
