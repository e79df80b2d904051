/* Contract: FUTEX_WAKE returns how many waiters it woke, FUTEX_WAIT fails
 * with EAGAIN when the word differs and ETIMEDOUT when its timeout passes,
 * and the BITSET variants wake only waiters whose mask shares a bit. */
#include "contract.h"

#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>

/* <linux/futex.h> (musl-gcc has no kernel headers). */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_WAIT_PRIVATE (FUTEX_WAIT | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_PRIVATE (FUTEX_WAKE | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAIT_BITSET_PRIVATE (FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_BITSET_PRIVATE (FUTEX_WAKE_BITSET | FUTEX_PRIVATE_FLAG)
#define FUTEX_BITSET_MATCH_ANY 0xffffffffu

static long futex(uint32_t *word, int op, uint32_t value, struct timespec const *timeout, uint32_t value3)
{
    return syscall(SYS_futex, word, op, value, timeout, NULL, value3);
}

/* FUTEX_REQUEUE and FUTEX_CMP_REQUEUE: wake up to `wake`, move up to
 * `move` waiters to `target`. */
static long requeue(uint32_t *word, int op, uint32_t wake, uint32_t move, uint32_t *target, uint32_t expected)
{
    return syscall(SYS_futex, word, op | FUTEX_PRIVATE_FLAG, wake, (unsigned long)move, target, expected);
}

/* Waits until thread `tid` sleeps in the kernel (state S in
 * /proc/self/task/<tid>/stat). After it announced itself, a waiter's only
 * blocking call is its futex wait, so S means it is queued on the futex. */
static void await_sleeping(pid_t tid)
{
    char path[64], text[512];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)tid);
    for (;;) {
        int fd = open(path, O_RDONLY);
        if (fd < 0) ct_fail_errno("open task stat", errno, __LINE__);
        ssize_t n = read(fd, text, sizeof text - 1);
        close(fd);
        if (n <= 0) ct_fail("read task stat", __LINE__);
        text[n] = 0;
        char *paren = strrchr(text, ')');
        if (!paren || paren[1] != ' ') ct_fail("task stat format", __LINE__);
        if (paren[2] == 'S') return;
        sched_yield();
    }
}

struct Waiter {
    pthread_t thread;
    uint32_t *word;
    int op;
    uint32_t bitset;
    volatile pid_t tid;
    volatile int woken;
    long result;
    int error;
};

static uint32_t word;

static void *wait_on_word(void *arg)
{
    struct Waiter *w = arg;
    w->tid = (pid_t)syscall(SYS_gettid);
    errno = 0;
    w->result = futex(w->word, w->op, 0, NULL, w->bitset);
    w->error = errno;
    w->woken = 1;
    return NULL;
}

static void start(struct Waiter *w, int op, uint32_t bitset)
{
    memset(w, 0, sizeof *w);
    w->word = &word;
    w->op = op;
    w->bitset = bitset;
    CHECK(pthread_create(&w->thread, NULL, wait_on_word, w) == 0, "pthread_create");
    while (!w->tid) sched_yield();
    await_sleeping(w->tid);
}

static void join(struct Waiter *w, char const *name)
{
    CHECK(pthread_join(w->thread, NULL) == 0, "pthread_join");
    CHECK(w->woken, "waiter woke");
    printf("%s: wait returned %ld (%s)\n", name, w->result, errno_name(w->result ? w->error : 0));
}

static double elapsed_ms(struct timespec const *a, struct timespec const *b)
{
    return (b->tv_sec - a->tv_sec) * 1e3 + (b->tv_nsec - a->tv_nsec) / 1e6;
}

int main(void)
{
    /* No waiters: nothing to wake. */
    printf("wake with no waiters: %ld\n", futex(&word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, 0));

    /* Three waiters; wake 2, then everyone. */
    struct Waiter w[3];
    for (int i = 0; i < 3; i++) start(&w[i], FUTEX_WAIT_PRIVATE, 0);
    printf("3 waiters, wake 2: %ld\n", futex(&word, FUTEX_WAKE_PRIVATE, 2, NULL, 0));
    printf("then wake all: %ld\n", futex(&word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, 0));
    for (int i = 0; i < 3; i++) join(&w[i], "waiter");
    printf("then wake all again: %ld\n", futex(&word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, 0));

    /* A shared (non-private) futex word works the same way. */
    start(&w[0], FUTEX_WAIT, 0);
    printf("shared futex, wake 1: %ld\n", futex(&word, FUTEX_WAKE, 1, NULL, 0));
    join(&w[0], "shared waiter");

    /* The value check. */
    word = 5;
    EXPECT_ERRNO("FUTEX_WAIT with a stale value", futex(&word, FUTEX_WAIT_PRIVATE, 4, NULL, 0), EAGAIN);
    word = 0;

    /* Relative timeout. */
    struct timespec before, after, timeout = { 0, 30 * 1000 * 1000 };
    clock_gettime(CLOCK_MONOTONIC, &before);
    EXPECT_ERRNO("FUTEX_WAIT timeout", futex(&word, FUTEX_WAIT_PRIVATE, 0, &timeout, 0), ETIMEDOUT);
    clock_gettime(CLOCK_MONOTONIC, &after);
    EXPECT("waited at least the timeout", elapsed_ms(&before, &after) >= 30.0);

    /* FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC deadline... */
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_nsec += 20 * 1000 * 1000;
    if (deadline.tv_nsec >= 1000000000) deadline.tv_sec++, deadline.tv_nsec -= 1000000000;
    EXPECT_ERRNO("FUTEX_WAIT_BITSET absolute monotonic deadline",
                 futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 0, &deadline, FUTEX_BITSET_MATCH_ANY), ETIMEDOUT);
    clock_gettime(CLOCK_MONOTONIC, &after);
    EXPECT("woke after the deadline", after.tv_sec > deadline.tv_sec
                                          || (after.tv_sec == deadline.tv_sec && after.tv_nsec >= deadline.tv_nsec));
    /* ...or a CLOCK_REALTIME one. */
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_nsec += 20 * 1000 * 1000;
    if (deadline.tv_nsec >= 1000000000) deadline.tv_sec++, deadline.tv_nsec -= 1000000000;
    EXPECT_ERRNO("FUTEX_WAIT_BITSET absolute realtime deadline",
                 futex(&word, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 0, &deadline, FUTEX_BITSET_MATCH_ANY),
                 ETIMEDOUT);
    clock_gettime(CLOCK_REALTIME, &after);
    EXPECT("woke after the realtime deadline",
           after.tv_sec > deadline.tv_sec || (after.tv_sec == deadline.tv_sec && after.tv_nsec >= deadline.tv_nsec));
    /* A deadline in the past times out at once. */
    deadline.tv_sec = 0;
    deadline.tv_nsec = 0;
    EXPECT_ERRNO("FUTEX_WAIT_BITSET deadline in the past",
                 futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 0, &deadline, FUTEX_BITSET_MATCH_ANY), ETIMEDOUT);

    /* Argument errors. */
    struct timespec bad = { 0, 1000000000 };
    EXPECT_ERRNO("timeout tv_nsec = 1e9", futex(&word, FUTEX_WAIT_PRIVATE, 0, &bad, 0), EINVAL);
    bad.tv_sec = -1;
    bad.tv_nsec = 0;
    EXPECT_ERRNO("negative timeout", futex(&word, FUTEX_WAIT_PRIVATE, 0, &bad, 0), EINVAL);
    EXPECT_ERRNO("FUTEX_WAIT_BITSET with bitset 0", futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 0, NULL, 0), EINVAL);
    EXPECT_ERRNO("FUTEX_WAKE_BITSET with bitset 0", futex(&word, FUTEX_WAKE_BITSET_PRIVATE, 1, NULL, 0), EINVAL);
    EXPECT_ERRNO("misaligned word", futex((uint32_t *)((char *)&word + 1), FUTEX_WAIT_PRIVATE, 0, NULL, 0), EINVAL);
    EXPECT_ERRNO("unmapped word", futex((uint32_t *)16, FUTEX_WAIT_PRIVATE, 0, NULL, 0), EFAULT);
    EXPECT_ERRNO("unknown operation", futex(&word, 63, 0, NULL, 0), ENOSYS);

    /* Bitsets: A waits on bit 0, B on bit 1, C on both. */
    struct Waiter a, b, c;
    start(&a, FUTEX_WAIT_BITSET_PRIVATE, 1);
    start(&b, FUTEX_WAIT_BITSET_PRIVATE, 2);
    start(&c, FUTEX_WAIT_BITSET_PRIVATE, 3);
    printf("wake bitset 4 (no one's): %ld\n", futex(&word, FUTEX_WAKE_BITSET_PRIVATE, INT_MAX, NULL, 4));
    printf("wake bitset 2, up to 10: %ld\n", futex(&word, FUTEX_WAKE_BITSET_PRIVATE, 10, NULL, 2));
    join(&b, "B (bit 1)");
    join(&c, "C (bits 0-1)");
    EXPECT("A (bit 0) still waiting", !a.woken);
    printf("plain FUTEX_WAKE wakes a bitset waiter: %ld\n", futex(&word, FUTEX_WAKE_PRIVATE, 1, NULL, 0));
    join(&a, "A (bit 0)");

    /* Requeue: three waiters; wake one and move one, then the rest. */
    static uint32_t target;
    for (int i = 0; i < 3; i++) start(&w[i], FUTEX_WAIT_PRIVATE, 0);
    EXPECT_ERRNO("FUTEX_CMP_REQUEUE with a stale value", requeue(&word, FUTEX_CMP_REQUEUE, 1, 1, &target, 7), EAGAIN);
    printf("FUTEX_CMP_REQUEUE wake 1, move 1: %ld\n", requeue(&word, FUTEX_CMP_REQUEUE, 1, 1, &target, 0));
    printf("then FUTEX_WAKE on the target: %ld\n", futex(&target, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, 0));
    printf("FUTEX_REQUEUE wake 0, move all: %ld\n", requeue(&word, FUTEX_REQUEUE, 0, INT_MAX, &target, 0));
    printf("then FUTEX_WAKE on the original word: %ld\n", futex(&word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, 0));
    printf("and on the target: %ld\n", futex(&target, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, 0));
    for (int i = 0; i < 3; i++) join(&w[i], "requeued waiter");

    /* A plain FUTEX_WAIT matches any bitset. */
    start(&a, FUTEX_WAIT_PRIVATE, 0);
    printf("FUTEX_WAKE_BITSET 0x80 wakes a plain waiter: %ld\n",
           futex(&word, FUTEX_WAKE_BITSET_PRIVATE, 1, NULL, 0x80));
    join(&a, "plain waiter");
    ct_pass();
}
