/* Contract: POSIX timers. timer_create's default event is SIGALRM carrying
 * the timer's id; a signal carries si_code SI_TIMER, the timer id and the
 * sigev_value; expiries while the signal is pending are its si_overrun and
 * timer_getoverrun's; SIGEV_NONE only counts down; SIGEV_THREAD runs the
 * function on a thread (the C library's, through SIGEV_THREAD_ID); ids
 * count up and are not reused at once; a child has none of its parent's
 * timers; CPU-time clocks count only CPU time; bad arguments give Linux's
 * errnos. */
#include "contract.h"

#include <pthread.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>

static int64_t const ms = 1000000;

/* The system calls themselves: musl's wrappers read the sigevent in user
 * space and keep their own timer ids for SIGEV_THREAD. */
static long sys_timer_create(clockid_t clock, void *event, int *id) { return syscall(SYS_timer_create, clock, event, id); }
static long sys_timer_settime(int id, int flags, void const *in, void *out)
{
    return syscall(SYS_timer_settime, id, flags, in, out);
}
static long sys_timer_gettime(int id, void *out) { return syscall(SYS_timer_gettime, id, out); }
static long sys_timer_getoverrun(int id) { return syscall(SYS_timer_getoverrun, id); }
static long sys_timer_delete(int id) { return syscall(SYS_timer_delete, id); }

/* The kernel's sigevent: value, signo, notify, thread id. */
struct kevent {
    union sigval value;
    int signo;
    int notify;
    int tid;
    int pad[11];
};

static struct timespec ts(int64_t ns) { return (struct timespec) { ns / 1000000000, ns % 1000000000 }; }
static int64_t ns_of(struct timespec t) { return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec; }

static void arm(int id, int64_t value, int64_t interval)
{
    struct itimerspec spec = { ts(interval), ts(value) };
    OK(sys_timer_settime(id, 0, &spec, NULL));
}

static int wait_for(int signo, siginfo_t *info)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, signo);
    struct timespec limit = { 5, 0 };
    return sigtimedwait(&set, info, &limit);
}

static volatile int g_thread_calls;
static void on_thread(union sigval value) { __atomic_add_fetch(&g_thread_calls, value.sival_int, __ATOMIC_SEQ_CST); }

int main(void)
{
    sigset_t blocked;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGALRM);
    sigaddset(&blocked, SIGRTMIN + 1);
    OK(sigprocmask(SIG_BLOCK, &blocked, NULL));

    int id = -1, id2 = -1;
    struct kevent event = { 0 };
    event.notify = SIGEV_SIGNAL;
    event.signo = SIGALRM;
    EXPECT_ERRNO("timer_create with an unknown clock", sys_timer_create(12345, &event, &id), EINVAL);
    event.notify = 99;
    EXPECT_ERRNO("timer_create with an unknown notification", sys_timer_create(CLOCK_MONOTONIC, &event, &id), EINVAL);
    event.notify = SIGEV_SIGNAL;
    event.signo = 0;
    EXPECT_ERRNO("timer_create with signal 0", sys_timer_create(CLOCK_MONOTONIC, &event, &id), EINVAL);
    event.signo = 65;
    EXPECT_ERRNO("timer_create with signal 65", sys_timer_create(CLOCK_MONOTONIC, &event, &id), EINVAL);
    event.signo = SIGALRM;
    event.notify = 4; /* SIGEV_THREAD_ID */
    event.tid = 1 << 30;
    EXPECT_ERRNO("timer_create for a thread that does not exist", sys_timer_create(CLOCK_MONOTONIC, &event, &id), EINVAL);
    EXPECT_ERRNO("timer_create with a bad event pointer", sys_timer_create(CLOCK_MONOTONIC, (void *)16, &id), EFAULT);
    event.notify = SIGEV_SIGNAL;
    EXPECT_ERRNO("timer_create with a bad id pointer", sys_timer_create(CLOCK_MONOTONIC, &event, (void *)16), EFAULT);

    /* The default event: SIGALRM with the id as its value. */
    OK(sys_timer_create(CLOCK_MONOTONIC, NULL, &id));
    struct itimerspec now;
    OK(sys_timer_gettime(id, &now));
    EXPECT("a new timer is disarmed", ns_of(now.it_value) == 0 && ns_of(now.it_interval) == 0);
    struct itimerspec bad = { ts(0), { 0, 1000000000 } };
    EXPECT_ERRNO("timer_settime with tv_nsec of a whole second", sys_timer_settime(id, 0, &bad, NULL), EINVAL);
    EXPECT_ERRNO("timer_settime without a value", sys_timer_settime(id, 0, NULL, NULL), EINVAL);
    EXPECT_ERRNO("timer_settime of an unknown id", sys_timer_settime(id + 1000, 0, &bad, NULL), EINVAL);
    EXPECT_ERRNO("timer_gettime of an unknown id", sys_timer_gettime(id + 1000, &now), EINVAL);
    EXPECT_ERRNO("timer_getoverrun of an unknown id", sys_timer_getoverrun(id + 1000), EINVAL);
    EXPECT_ERRNO("timer_delete of an unknown id", sys_timer_delete(id + 1000), EINVAL);
    arm(id, 10 * ms, 0);
    siginfo_t info;
    EXPECT("the default event is SIGALRM", wait_for(SIGALRM, &info) == SIGALRM);
    EXPECT("si_code is SI_TIMER", info.si_code == SI_TIMER);
    EXPECT("its value is the timer id", info.si_value.sival_int == id);
    EXPECT("no overrun", info.si_overrun == 0 && sys_timer_getoverrun(id) == 0);
    OK(sys_timer_gettime(id, &now));
    EXPECT("an expired one-shot timer reads as disarmed", ns_of(now.it_value) == 0);

    /* Our own signal and value; overruns while the signal is pending. */
    event.notify = SIGEV_SIGNAL;
    event.signo = SIGRTMIN + 1;
    event.value.sival_ptr = (void *)0x1234;
    OK(sys_timer_create(CLOCK_MONOTONIC, &event, &id2));
    EXPECT("ids count up", id2 == id + 1);
    arm(id2, 5 * ms, 5 * ms);
    struct timespec pause = ts(53 * ms);
    nanosleep(&pause, NULL);
    EXPECT("the signal is ours", wait_for(SIGRTMIN + 1, &info) == SIGRTMIN + 1);
    EXPECT("with our value", info.si_value.sival_ptr == (void *)0x1234);
    EXPECT("ten expiries are one signal and nine overruns or more", info.si_overrun >= 9);
    EXPECT("timer_getoverrun reports the same", sys_timer_getoverrun(id2) == info.si_overrun);
    OK(sys_timer_gettime(id2, &now));
    EXPECT("timer_gettime: the interval", ns_of(now.it_interval) == 5 * ms);
    EXPECT("timer_gettime: at most a period left", ns_of(now.it_value) > 0 && ns_of(now.it_value) <= 5 * ms);
    struct itimerspec zero = { ts(0), ts(0) }, old;
    OK(sys_timer_settime(id2, 0, &zero, &old));
    EXPECT("timer_settime returns the old interval", ns_of(old.it_interval) == 5 * ms);

    /* SIGEV_NONE counts down and signals nothing. */
    int quiet;
    event.notify = SIGEV_NONE;
    OK(sys_timer_create(CLOCK_MONOTONIC, &event, &quiet));
    arm(quiet, 1000 * ms, 0);
    OK(sys_timer_gettime(quiet, &now));
    EXPECT("SIGEV_NONE: the time counts down", ns_of(now.it_value) > 900 * ms && ns_of(now.it_value) <= 1000 * ms);

    /* Absolute times. */
    struct timespec mono;
    clock_gettime(CLOCK_MONOTONIC, &mono);
    struct itimerspec at = { ts(0), ts(ns_of(mono) + 20 * ms) };
    OK(sys_timer_settime(id, TIMER_ABSTIME, &at, NULL));
    EXPECT("an absolute time fires", wait_for(SIGALRM, &info) == SIGALRM);
    clock_gettime(CLOCK_MONOTONIC, &now.it_value);
    EXPECT("not before it", ns_of(now.it_value) >= ns_of(mono) + 20 * ms);

    /* Deleted ids are gone and not handed out again at once. */
    OK(sys_timer_delete(id));
    EXPECT_ERRNO("a deleted timer is gone", sys_timer_gettime(id, &now), EINVAL);
    int id3;
    event.notify = SIGEV_NONE;
    OK(sys_timer_create(CLOCK_MONOTONIC, &event, &id3));
    EXPECT("a deleted id is not the next one", id3 != id);

    /* A child has none of its parent's timers. */
    pid_t pid = ct_fork();
    if (pid == 0) _exit(sys_timer_gettime(id2, &now) == -1 && errno == EINVAL ? 0 : 1);
    EXPECT("a child has none of its parent's timers", WEXITSTATUS(ct_wait(pid)) == 0);

    /* CPU-time clocks: they count only while the process (or thread) runs. */
    static const struct { clockid_t clock; char const *name; } cpu_clocks[] = {
        { CLOCK_PROCESS_CPUTIME_ID, "CLOCK_PROCESS_CPUTIME_ID" },
        { CLOCK_THREAD_CPUTIME_ID, "CLOCK_THREAD_CPUTIME_ID" },
    };
    for (int c = 0; c < 2; c++) {
        int cpu;
        event.notify = SIGEV_SIGNAL;
        event.signo = SIGRTMIN + 1;
        OK(sys_timer_create(cpu_clocks[c].clock, &event, &cpu));
        arm(cpu, 20 * ms, 0);
        struct timespec nap = ts(30 * ms);
        nanosleep(&nap, NULL);
        sigset_t pending;
        sigpending(&pending);
        printf("%s: no expiry while sleeping: %s\n", cpu_clocks[c].name,
            sigismember(&pending, SIGRTMIN + 1) ? "no" : "yes");
        struct timespec start, now_cpu;
        clock_gettime(cpu_clocks[c].clock, &start);
        volatile unsigned long sink = 0;
        int got = 0;
        for (int spins = 0; spins < 5000 && !got; spins++) { /* about 5 s of CPU at most */
            for (int i = 0; i < 100000; i++) sink += i;
            sigpending(&pending);
            got = sigismember(&pending, SIGRTMIN + 1);
        }
        clock_gettime(cpu_clocks[c].clock, &now_cpu);
        printf("%s: fires after 20 ms of CPU time: %s\n", cpu_clocks[c].name, got ? "yes" : "no");
        /* Tick-sampled on a loaded host: only "not at once". */
        printf("%s: not at once: %s\n", cpu_clocks[c].name, ns_of(now_cpu) - ns_of(start) >= 10 * ms ? "yes" : "no");
        CHECK(wait_for(SIGRTMIN + 1, &info) == SIGRTMIN + 1, "take the signal");
        OK(sys_timer_delete(cpu));
    }
    /* SIGEV_THREAD, through the C library. */
    timer_t threaded;
    struct sigevent sev = { 0 };
    sev.sigev_notify = SIGEV_THREAD;
    sev.sigev_notify_function = on_thread;
    sev.sigev_value.sival_int = 1;
    OK(timer_create(CLOCK_MONOTONIC, &sev, &threaded));
    struct itimerspec once = { ts(0), ts(10 * ms) };
    OK(timer_settime(threaded, 0, &once, NULL));
    for (int i = 0; i < 500 && !__atomic_load_n(&g_thread_calls, __ATOMIC_SEQ_CST); i++) {
        struct timespec tick = ts(2 * ms);
        nanosleep(&tick, NULL);
    }
    EXPECT("SIGEV_THREAD runs the function", __atomic_load_n(&g_thread_calls, __ATOMIC_SEQ_CST) == 1);
    OK(timer_delete(threaded));
    ct_pass();
}
