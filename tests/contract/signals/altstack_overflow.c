/* Contract: when unbounded recursion overflows the stack, the SIGSEGV
 * handler still runs, on the alternate signal stack, and can _exit. */
#include "contract.h"
#include <sys/resource.h>

#define ALT_SIZE (64 * 1024)
static char alt[ALT_SIZE] __attribute__((aligned(16)));
static volatile int stop_at = -1;

static void on_segv(int sig)
{
    volatile char local;
    int inside = &local >= alt && &local < alt + ALT_SIZE;
    _exit(sig == SIGSEGV && inside ? 40 : 41);
}

static int recurse(int depth)
{
    volatile char frame[512];
    frame[0] = (char)depth;
    if (depth == stop_at) return 0;
    return recurse(depth + 1) + frame[0];
}

int main(void)
{
    pid_t child = ct_fork();
    if (child == 0) {
        /* Keep the overflow quick even where the stack limit is huge. */
        struct rlimit lim;
        if (getrlimit(RLIMIT_STACK, &lim) == 0 && (lim.rlim_cur == RLIM_INFINITY || lim.rlim_cur > 8 << 20)) {
            lim.rlim_cur = 8 << 20;
            setrlimit(RLIMIT_STACK, &lim);
        }
        stack_t ss = { .ss_sp = alt, .ss_size = ALT_SIZE, .ss_flags = 0 };
        if (sigaltstack(&ss, NULL) < 0) _exit(2);
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_segv;
        sa.sa_flags = SA_ONSTACK;
        if (sigaction(SIGSEGV, &sa, NULL) < 0) _exit(3);
        _exit(recurse(0) == 12345 ? 4 : 5);
    }
    int status = ct_wait(child);
    CHECK(!(WIFEXITED(status) && WEXITSTATUS(status) == 41), "handler was not on the alternate stack");
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 40, "handler ran and exited 40");
    printf("stack overflow: SIGSEGV handler ran on the alternate stack: yes\n");
    printf("child %s\n", status_text(status));

    /* Without an alternate stack the same overflow is fatal. */
    child = ct_fork();
    if (child == 0) {
        struct rlimit lim;
        if (getrlimit(RLIMIT_STACK, &lim) == 0 && (lim.rlim_cur == RLIM_INFINITY || lim.rlim_cur > 8 << 20)) {
            lim.rlim_cur = 8 << 20;
            setrlimit(RLIMIT_STACK, &lim);
        }
        struct rlimit none = { 0, 0 };
        setrlimit(RLIMIT_CORE, &none);
        signal(SIGSEGV, on_segv); /* no SA_ONSTACK: the handler cannot run */
        _exit(recurse(0) == 12345 ? 4 : 5);
    }
    status = ct_wait(child);
    printf("without an alternate stack: %s\n", status_text(status));
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV, "killed by SIGSEGV");
    ct_pass();
}
