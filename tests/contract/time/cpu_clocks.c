/* Contract: the CPU-time clocks -- CLOCK_PROCESS_CPUTIME_ID,
 * CLOCK_THREAD_CPUTIME_ID and the ids clock_getcpuclockid and
 * pthread_getcpuclockid return -- advance while the caller computes, never
 * go backwards, and never exceed the elapsed time; a clock of a pid that
 * does not exist is EINVAL. */
#include "contract.h"

#include <pthread.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>

static int64_t read_ns(clockid_t id)
{
    struct timespec t;
    if (clock_gettime(id, &t) != 0) ct_fail_errno("clock_gettime", errno, __LINE__);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static int64_t read_raw_ns(clockid_t id)
{
    struct timespec t;
    if (syscall(SYS_clock_gettime, id, &t) != 0) ct_fail_errno("SYS_clock_gettime", errno, __LINE__);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* Spins until `id` has advanced by `ns`. */
static void burn(clockid_t id, int64_t ns)
{
    int64_t const start = read_ns(id);
    volatile uint64_t x = 0;
    while (read_ns(id) - start < ns)
        for (int i = 0; i < 10000; i++) x += i;
}

int main(void)
{
    int64_t const ms = 1000 * 1000;
    int64_t const wall0 = read_ns(CLOCK_MONOTONIC);
    int64_t const process0 = read_ns(CLOCK_PROCESS_CPUTIME_ID);
    int64_t const thread0 = read_ns(CLOCK_THREAD_CPUTIME_ID);
    burn(CLOCK_PROCESS_CPUTIME_ID, 30 * ms);
    int64_t const thread1 = read_ns(CLOCK_THREAD_CPUTIME_ID);
    int64_t const process1 = read_ns(CLOCK_PROCESS_CPUTIME_ID);
    int64_t const wall1 = read_ns(CLOCK_MONOTONIC);
    EXPECT("CLOCK_PROCESS_CPUTIME_ID advanced by >= 30 ms while spinning", process1 - process0 >= 30 * ms);
    EXPECT("CLOCK_THREAD_CPUTIME_ID advanced too", thread1 > thread0);
    EXPECT("single thread: thread CPU time <= process CPU time", thread1 <= process1);
    EXPECT("CPU time advanced no more than CLOCK_MONOTONIC (+1 ms)", process1 - process0 <= wall1 - wall0 + ms);

    int backwards = 0;
    int64_t last = read_ns(CLOCK_PROCESS_CPUTIME_ID);
    for (int i = 0; i < 20000; i++) {
        int64_t const now = (i & 1) ? read_raw_ns(CLOCK_PROCESS_CPUTIME_ID) : read_ns(CLOCK_PROCESS_CPUTIME_ID);
        backwards += now < last;
        last = now;
    }
    printf("CLOCK_PROCESS_CPUTIME_ID backwards steps over 20000 reads: %d\n", backwards);

    /* clock_getcpuclockid: our own process, by pid 0 and by our pid. */
    clockid_t self_clock, zero_clock;
    printf("clock_getcpuclockid(getpid()): %s\n", errno_name(clock_getcpuclockid(getpid(), &self_clock)));
    printf("clock_getcpuclockid(0): %s\n", errno_name(clock_getcpuclockid(0, &zero_clock)));
    int64_t const before = read_ns(CLOCK_PROCESS_CPUTIME_ID);
    int64_t const mine = read_ns(self_clock);
    int64_t const after = read_ns(CLOCK_PROCESS_CPUTIME_ID);
    EXPECT("our process clock by pid reads between two CLOCK_PROCESS_CPUTIME_ID readings", before <= mine && mine <= after);
    struct timespec res;
    OK(clock_getres(self_clock, &res));
    EXPECT("its resolution is > 0 and <= 1 ms", res.tv_sec == 0 && res.tv_nsec > 0 && res.tv_nsec <= ms);

    /* Another process's clock: a child that spins 20 ms of CPU, then waits. */
    int done[2], go[2];
    OK(pipe(done));
    OK(pipe(go));
    pid_t child = ct_fork();
    if (child == 0) {
        burn(CLOCK_PROCESS_CPUTIME_ID, 20 * ms);
        ct_post(done[1]);
        ct_await(go[0]);
        _exit(0);
    }
    ct_await(done[0]);
    clockid_t child_clock;
    printf("clock_getcpuclockid(child): %s\n", errno_name(clock_getcpuclockid(child, &child_clock)));
    EXPECT("the child's clock shows its >= 20 ms of CPU time", read_ns(child_clock) >= 20 * ms);
    ct_post(go[1]);
    ct_wait(child);
    printf("clock_getcpuclockid(reaped child): %s\n", errno_name(clock_getcpuclockid(child, &child_clock)));
    struct timespec t;
    EXPECT_ERRNO("clock_gettime on a reaped child's clock", clock_gettime(child_clock, &t), EINVAL);

    /* pthread_getcpuclockid: a thread's own clock, and another thread's. */
    clockid_t thread_clock;
    CHECK(pthread_getcpuclockid(pthread_self(), &thread_clock) == 0, "pthread_getcpuclockid");
    int64_t const t0 = read_ns(CLOCK_THREAD_CPUTIME_ID);
    int64_t const t1 = read_ns(thread_clock);
    int64_t const t2 = read_ns(CLOCK_THREAD_CPUTIME_ID);
    EXPECT("pthread_getcpuclockid(self) reads between two CLOCK_THREAD_CPUTIME_ID readings", t0 <= t1 && t1 <= t2);
    burn(thread_clock, 10 * ms);
    EXPECT("and advances with the thread's CPU time", read_ns(CLOCK_THREAD_CPUTIME_ID) - t2 >= 10 * ms);
    ct_pass();
}
