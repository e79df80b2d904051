/* Contract: gettimeofday, time and CLOCK_REALTIME read one wall clock --
 * through the vDSO and the raw system calls alike -- so readings taken in
 * sequence are ordered (time() may trail by one tick), and the wall clock
 * advances with CLOCK_MONOTONIC. */
#include "contract.h"

#include <stdint.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>

static int64_t realtime_ns(int raw)
{
    struct timespec t;
    if (raw) OK(syscall(SYS_clock_gettime, CLOCK_REALTIME, &t));
    else OK(clock_gettime(CLOCK_REALTIME, &t));
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static int64_t timeofday_us(int raw)
{
    struct timeval tv;
    if (raw) OK(syscall(SYS_gettimeofday, &tv, NULL));
    else OK(gettimeofday(&tv, NULL));
    CHECK(tv.tv_usec >= 0 && tv.tv_usec < 1000000, "tv_usec in range");
    return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

int main(void)
{
    /* A sane wall clock: after 2020-01-01. */
    EXPECT("CLOCK_REALTIME is after 2020", realtime_ns(0) / 1000000000 > 1577836800);

    int ordered = 1, raw_ordered = 1, time_ok = 1, time_stored = 1;
    for (int i = 0; i < 2000; i++) {
        int const raw = i & 1;
        int64_t const a = realtime_ns(raw);
        int64_t const us = timeofday_us(raw);
        int64_t const b = realtime_ns(!raw);
        *(raw ? &raw_ordered : &ordered) &= a / 1000 <= us && us <= b / 1000 && a <= b;

        /* time() may lag CLOCK_REALTIME by a tick (Linux: the coarse clock). */
        time_t stored = 0;
        time_t const seconds = raw ? (time_t)syscall(SYS_time, &stored) : time(&stored);
        int64_t const c = realtime_ns(raw);
        time_ok &= seconds >= b / 1000000000 - 1 && seconds <= c / 1000000000;
        time_stored &= stored == seconds;
    }
    EXPECT("CLOCK_REALTIME <= gettimeofday <= CLOCK_REALTIME (vDSO)", ordered);
    EXPECT("the same with the raw system calls", raw_ordered);
    EXPECT("time() is within a tick of CLOCK_REALTIME", time_ok);
    EXPECT("time(&t) stores what it returns", time_stored);
    EXPECT("time(NULL) works", time(NULL) > 1577836800 && syscall(SYS_time, NULL) > 1577836800);

    /* A NULL tv with a timezone is allowed; both NULL too. */
    OK(syscall(SYS_gettimeofday, NULL, NULL));
    OK(gettimeofday(NULL, NULL));
    printf("gettimeofday(NULL, NULL): 0\n");

    /* The wall clock advances with the monotonic clock across a sleep
     * (within 50 ms: nothing sets the clock during the test). */
    struct timespec m0, m1;
    OK(clock_gettime(CLOCK_MONOTONIC, &m0));
    int64_t const r0 = realtime_ns(0);
    struct timespec sleep_for = { 0, 100 * 1000 * 1000 };
    OK(nanosleep(&sleep_for, NULL));
    int64_t const r1 = realtime_ns(1);
    OK(clock_gettime(CLOCK_MONOTONIC, &m1));
    int64_t const mono = (int64_t)(m1.tv_sec - m0.tv_sec) * 1000000000 + (m1.tv_nsec - m0.tv_nsec);
    int64_t const real = r1 - r0;
    EXPECT("CLOCK_REALTIME advanced by >= 100 ms and within 50 ms of CLOCK_MONOTONIC",
           real >= 100 * 1000 * 1000 && real <= mono + 50 * 1000 * 1000 && real >= mono - 50 * 1000 * 1000);
    ct_pass();
}
