/* Contract: ITIMER_VIRTUAL counts user CPU time and sends SIGVTALRM,
 * ITIMER_PROF counts user and system CPU time and sends SIGPROF -- never
 * before that much CPU time was used, and not while the process sleeps;
 * getitimer reports the time left and the interval, a periodic timer keeps
 * firing, a zero value disarms, and an unknown timer is EINVAL. */
#include "contract.h"

#include <sys/time.h>
#include <time.h>

static volatile sig_atomic_t g_vtalrm, g_prof;
static void on_vtalrm(int sig) { (void)sig; g_vtalrm++; }
static void on_prof(int sig) { (void)sig; g_prof++; }

static long long ns(clockid_t clock)
{
    struct timespec t;
    clock_gettime(clock, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static long long tv_ns(struct timeval t) { return t.tv_sec * 1000000000LL + t.tv_usec * 1000LL; }

/* Spins in user mode until `*counter` reaches `target` (5 s of wall time at
 * most); returns the process CPU time then. */
static long long spin_until(volatile sig_atomic_t *counter, int target)
{
    long long const deadline = ns(CLOCK_MONOTONIC) + 5000000000LL;
    volatile unsigned long sink = 0;
    while (*counter < target && ns(CLOCK_MONOTONIC) < deadline)
        for (int i = 0; i < 10000; i++) sink += i;
    return ns(CLOCK_PROCESS_CPUTIME_ID);
}

static void set(int which, long long value_us, long long interval_us)
{
    struct itimerval v = { { interval_us / 1000000, interval_us % 1000000 }, { value_us / 1000000, value_us % 1000000 } };
    OK(setitimer(which, &v, NULL));
}

int main(void)
{
    struct sigaction sa = { 0 };
    sa.sa_handler = on_vtalrm;
    OK(sigaction(SIGVTALRM, &sa, NULL));
    sa.sa_handler = on_prof;
    OK(sigaction(SIGPROF, &sa, NULL));

    struct itimerval v;
    EXPECT_ERRNO("getitimer of an unknown timer", getitimer(3, &v), EINVAL);
    EXPECT_ERRNO("setitimer of an unknown timer", setitimer(-1, &v, NULL), EINVAL);
    OK(getitimer(ITIMER_VIRTUAL, &v));
    EXPECT("ITIMER_VIRTUAL starts disarmed", tv_ns(v.it_value) == 0 && tv_ns(v.it_interval) == 0);

    /* Sleeping uses no CPU time: nothing fires. */
    set(ITIMER_VIRTUAL, 20000, 0);
    set(ITIMER_PROF, 20000, 0);
    struct timespec pause = { 0, 100000000 };
    nanosleep(&pause, NULL);
    EXPECT("no SIGVTALRM or SIGPROF while sleeping", g_vtalrm == 0 && g_prof == 0);
    OK(getitimer(ITIMER_PROF, &v));
    /* Linux adds a tick (1-10 ms) to the first expiry of a CPU timer. */
    EXPECT("getitimer: the CPU time left, the value and at most a tick", tv_ns(v.it_value) > 0 && tv_ns(v.it_value) <= 30000000);

    /* CPU time is sampled at ticks (a tick that finds the process running
     * may count whole), so on a loaded host neither signal has an exact
     * lower bound: SIGPROF is only checked not to come at once. */
    long long start = ns(CLOCK_PROCESS_CPUTIME_ID);
    spin_until(&g_vtalrm, 1);
    EXPECT("SIGVTALRM after 20 ms of user time", g_vtalrm == 1);
    long long used = spin_until(&g_prof, 1) - start;
    EXPECT("SIGPROF after 20 ms of CPU time", g_prof == 1);
    EXPECT("not at once", used >= 10000000);
    OK(getitimer(ITIMER_VIRTUAL, &v));
    EXPECT("a fired one-shot timer reads as disarmed", tv_ns(v.it_value) == 0);

    /* Periodic. */
    set(ITIMER_PROF, 10000, 10000);
    OK(getitimer(ITIMER_PROF, &v));
    EXPECT("getitimer: the interval", tv_ns(v.it_interval) == 10000000);
    start = ns(CLOCK_PROCESS_CPUTIME_ID);
    used = spin_until(&g_prof, 4) - start;
    EXPECT("a 10 ms ITIMER_PROF fires again and again", g_prof == 4);
    EXPECT("not all at once", used >= 10000000); /* tick sampling: see above */
    struct itimerval zero = { { 0, 0 }, { 0, 0 } }, old;
    OK(setitimer(ITIMER_PROF, &zero, &old));
    EXPECT("setitimer returns the old interval", tv_ns(old.it_interval) == 10000000);
    int const fired = g_prof;
    long long const until = ns(CLOCK_PROCESS_CPUTIME_ID) + 40000000LL;
    volatile unsigned long sink = 0;
    while (ns(CLOCK_PROCESS_CPUTIME_ID) < until)
        for (int i = 0; i < 10000; i++) sink += i;
    EXPECT("a zero value disarms", g_prof == fired);
    ct_pass();
}
