/* Contract: clone(CLONE_THREAD | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID |
 * CLONE_CHILD_CLEARTID) stores the new tid in both words, and when the
 * thread exits the kernel zeroes the clear-tid word and wakes a futex waiter
 * on it -- or the word a later set_tid_address named instead. */
#include "contract.h"

#include <limits.h>
#include <sched.h>
#include <stdint.h>
#include <sys/syscall.h>

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1

static long futex(volatile uint32_t *word, int op, uint32_t value)
{
    return syscall(SYS_futex, word, op, value, NULL, NULL, 0);
}

/* Sleeps until *word == 0 (the futex the kernel wakes), or while it holds
 * `while_value`. */
static void wait_while(volatile uint32_t *word, uint32_t while_value)
{
    uint32_t v;
    while ((v = *word) == while_value) futex(word, FUTEX_WAIT, v);
}

static void wait_for_zero(volatile uint32_t *word)
{
    uint32_t v;
    while ((v = *word) != 0) futex(word, FUTEX_WAIT, v);
}

struct Shared {
    volatile uint32_t ptid, ctid, other, started, go;
    volatile long tid, pid, set_tid_result;
    int use_other;
};

/* The thread shares the parent's TLS (no CLONE_SETTLS): it makes raw system
 * calls only, never touching errno. */
static long raw_syscall1(long number, long a)
{
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(number), "D"(a) : "rcx", "r11", "memory");
    return r;
}

static long raw_futex(volatile uint32_t *word, int op, uint32_t value)
{
    long r;
    register long r10 __asm__("r10") = 0;
    __asm__ volatile("syscall"
                     : "=a"(r)
                     : "a"(SYS_futex), "D"(word), "S"(op), "d"(value), "r"(r10)
                     : "rcx", "r11", "memory");
    return r;
}

static int thread_main(void *arg)
{
    struct Shared *s = arg;
    s->tid = raw_syscall1(SYS_gettid, 0);
    s->pid = raw_syscall1(SYS_getpid, 0);
    if (s->use_other) s->set_tid_result = raw_syscall1(SYS_set_tid_address, (long)&s->other);
    s->started = 1;
    raw_futex(&s->started, FUTEX_WAKE, INT_MAX);
    uint32_t v;
    while ((v = s->go) == 0) raw_futex(&s->go, FUTEX_WAIT, v);
    return 0; /* musl's clone ends the thread with SYS_exit */
}

static char stacks[2][64 * 1024] __attribute__((aligned(16)));

static void run(struct Shared *s, char *stack_top)
{
    int const flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM
        | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID;
    s->ctid = 0xdeadbeef;
    s->other = 1;
    int tid = clone(thread_main, stack_top, flags, s, &s->ptid, NULL, &s->ctid);
    CHECK(tid > 0, "clone");
    EXPECT("clone returns the tid stored by CLONE_PARENT_SETTID", (uint32_t)tid == s->ptid);
    wait_while(&s->started, 0);
    EXPECT("the thread's gettid is that tid", s->tid == tid);
    EXPECT("the thread's getpid is the caller's", s->pid == getpid());
    EXPECT("the tid differs from the pid", tid != getpid());
    EXPECT("CLONE_CHILD_SETTID stored the tid", s->ctid == (uint32_t)tid);
    if (s->use_other) EXPECT("set_tid_address returns the tid", s->set_tid_result == tid);
    EXPECT_ERRNO("waitpid for a thread", waitpid(tid, NULL, __WALL | WNOHANG) == 0 ? 0 : -1, ECHILD);
    s->go = 1;
    futex(&s->go, FUTEX_WAKE, INT_MAX);
}

int main(void)
{
    static struct Shared first, second;
    run(&first, stacks[0] + sizeof stacks[0]);
    wait_for_zero(&first.ctid);
    EXPECT("at exit the clear-tid word is zeroed (and its waiter woken)", first.ctid == 0);

    /* set_tid_address moves the word the kernel clears. */
    second.use_other = 1;
    run(&second, stacks[1] + sizeof stacks[1]);
    wait_for_zero(&second.other);
    EXPECT("at exit the set_tid_address word is zeroed", second.other == 0);
    EXPECT("the CLONE_CHILD_CLEARTID word is left alone", second.ctid == second.ptid);
    ct_pass();
}
