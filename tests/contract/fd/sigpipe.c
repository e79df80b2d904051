/* Contract: writing to a pipe with no reader raises SIGPIPE (default:
 * the writer is killed by it); with SIGPIPE ignored or blocked the write
 * fails with EPIPE. */
#include "contract.h"

static volatile sig_atomic_t caught;
static void on_pipe(int sig) { (void)sig; caught++; }

int main(void)
{
    int p[2];
    OK(pipe(p));
    close(p[0]);

    pid_t child = ct_fork();
    if (child == 0) {
        signal(SIGPIPE, SIG_DFL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        (void)!write(p[1], "x", 1);
        _exit(0);
    }
    int status = ct_wait(child);
    printf("default SIGPIPE: writer %s\n", status_text(status));
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE, "killed by SIGPIPE");

    signal(SIGPIPE, SIG_IGN);
    EXPECT_ERRNO("write with SIGPIPE ignored", write(p[1], "x", 1), EPIPE);

    signal(SIGPIPE, on_pipe);
    EXPECT_ERRNO("write with a SIGPIPE handler", write(p[1], "x", 1), EPIPE);
    printf("handler ran %d time(s)\n", (int)caught);
    CHECK(caught == 1, "handler ran once");

    sigset_t block, pending;
    sigemptyset(&block);
    sigaddset(&block, SIGPIPE);
    OK(sigprocmask(SIG_BLOCK, &block, NULL));
    EXPECT_ERRNO("write with SIGPIPE blocked", write(p[1], "x", 1), EPIPE);
    OK(sigpending(&pending));
    EXPECT("SIGPIPE is pending", sigismember(&pending, SIGPIPE));
    signal(SIGPIPE, SIG_IGN);
    OK(sigprocmask(SIG_UNBLOCK, &block, NULL));

    /* A reader that goes away while data is buffered: still EPIPE. */
    int q[2];
    OK(pipe(q));
    CHECK(write(q[1], "abc", 3) == 3, "buffered write");
    close(q[0]);
    EXPECT_ERRNO("write after the reader closed with data buffered", write(q[1], "d", 1), EPIPE);
    ct_pass();
}
