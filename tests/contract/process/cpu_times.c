/* Contract: CPU time spent in user mode shows up in CLOCK_PROCESS_CPUTIME_ID,
 * getrusage(RUSAGE_SELF) and times() of the process, and once the child is
 * waited for, in wait4's rusage, getrusage(RUSAGE_CHILDREN) and tms_cutime --
 * never more than the wall time that passed. */
#include "contract.h"
#include <sys/resource.h>
#include <sys/times.h>
#include <time.h>

static long long ns_of(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }
static long long now(clockid_t clock)
{
    struct timespec t;
    clock_gettime(clock, &t);
    return ns_of(t);
}
static long long tv_ns(struct timeval t) { return t.tv_sec * 1000000000LL + t.tv_usec * 1000LL; }

/* Spins until this thread has used `ns` of CPU (5 s of wall time at most, so
 * a kernel that never counts cannot hang the test). */
static void burn(long long ns)
{
    long long const start = now(CLOCK_THREAD_CPUTIME_ID), deadline = now(CLOCK_MONOTONIC) + 5000000000LL;
    volatile unsigned long sink = 0;
    while (now(CLOCK_THREAD_CPUTIME_ID) - start < ns && now(CLOCK_MONOTONIC) < deadline)
        for (int i = 0; i < 10000; i++) sink += i;
}

int main(void)
{
    long const hz = sysconf(_SC_CLK_TCK);
    long long const wall0 = now(CLOCK_MONOTONIC);
    burn(100000000LL); /* 100 ms */
    long long const wall = now(CLOCK_MONOTONIC) - wall0;

    long long const process = now(CLOCK_PROCESS_CPUTIME_ID);
    EXPECT("CLOCK_PROCESS_CPUTIME_ID counts the burn", process >= 100000000LL);
    EXPECT("CLOCK_PROCESS_CPUTIME_ID is within the wall time", process <= wall + 20000000LL);

    struct rusage self;
    CHECK(getrusage(RUSAGE_SELF, &self) == 0, "getrusage(RUSAGE_SELF)");
    long long const self_ns = tv_ns(self.ru_utime) + tv_ns(self.ru_stime);
    EXPECT("RUSAGE_SELF counts the burn", self_ns >= 90000000LL);
    EXPECT("RUSAGE_SELF is within the wall time", self_ns <= wall + 20000000LL);
    EXPECT("a user-mode loop is mostly user time", tv_ns(self.ru_utime) > tv_ns(self.ru_stime));

    struct tms t;
    CHECK(times(&t) != (clock_t)-1, "times");
    EXPECT("tms_utime + tms_stime counts the burn", (t.tms_utime + t.tms_stime) * 1000 / hz >= 80);
    EXPECT("no children counted yet", t.tms_cutime == 0 && t.tms_cstime == 0);

    struct rusage children;
    CHECK(getrusage(RUSAGE_CHILDREN, &children) == 0, "getrusage(RUSAGE_CHILDREN)");
    EXPECT("RUSAGE_CHILDREN is zero before any wait",
        tv_ns(children.ru_utime) + tv_ns(children.ru_stime) == 0);

    pid_t pid = ct_fork();
    if (pid == 0) {
        burn(100000000LL);
        _exit(0);
    }
    struct rusage child;
    int status;
    CHECK(wait4(pid, &status, 0, &child) == pid, "wait4");
    printf("child: %s\n", status_text(status));
    EXPECT("wait4's rusage counts the child's burn", tv_ns(child.ru_utime) + tv_ns(child.ru_stime) >= 90000000LL);
    CHECK(getrusage(RUSAGE_CHILDREN, &children) == 0, "getrusage(RUSAGE_CHILDREN)");
    EXPECT("RUSAGE_CHILDREN counts the waited child",
        tv_ns(children.ru_utime) + tv_ns(children.ru_stime) >= 90000000LL);
    CHECK(times(&t) != (clock_t)-1, "times");
    EXPECT("tms_cutime + tms_cstime counts the waited child", (t.tms_cutime + t.tms_cstime) * 1000 / hz >= 80);

    struct rusage thread;
    CHECK(getrusage(RUSAGE_THREAD, &thread) == 0, "getrusage(RUSAGE_THREAD)");
    EXPECT("RUSAGE_THREAD counts this thread's burn", tv_ns(thread.ru_utime) + tv_ns(thread.ru_stime) >= 90000000LL);
    ct_pass();
}
