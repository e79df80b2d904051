/* Contract: CLOCK_MONOTONIC, CLOCK_MONOTONIC_COARSE, CLOCK_MONOTONIC_RAW and
 * CLOCK_BOOTTIME never go backwards, whether read through the C library
 * (the vDSO) or the raw system call, and BOOTTIME is never behind MONOTONIC. */
#include "contract.h"

#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>

static int64_t ns_of(struct timespec const *t) { return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec; }

static int64_t read_libc(clockid_t id)
{
    struct timespec t;
    if (clock_gettime(id, &t) != 0) ct_fail_errno("clock_gettime", errno, __LINE__);
    if (t.tv_nsec < 0 || t.tv_nsec >= 1000000000) ct_fail("tv_nsec out of range", __LINE__);
    return ns_of(&t);
}

static int64_t read_raw(clockid_t id)
{
    struct timespec t;
    if (syscall(SYS_clock_gettime, id, &t) != 0) ct_fail_errno("SYS_clock_gettime", errno, __LINE__);
    if (t.tv_nsec < 0 || t.tv_nsec >= 1000000000) ct_fail("tv_nsec out of range", __LINE__);
    return ns_of(&t);
}

static void never_backwards(char const *name, clockid_t id)
{
    enum { kReads = 200000 };
    int64_t last = read_libc(id);
    int backwards = 0;
    for (int i = 0; i < kReads; i++) {
        /* Mostly the vDSO; every 64th read the system call. */
        int64_t now = (i & 63) == 0 ? read_raw(id) : read_libc(id);
        if (now < last) backwards++;
        last = now;
    }
    printf("%s: %d reads (vDSO and syscall interleaved), backwards steps: %d\n", name, kReads, backwards);
    CHECK(backwards == 0, "clock went backwards");
}

int main(void)
{
    never_backwards("CLOCK_MONOTONIC", CLOCK_MONOTONIC);
    never_backwards("CLOCK_MONOTONIC_COARSE", CLOCK_MONOTONIC_COARSE);
    never_backwards("CLOCK_MONOTONIC_RAW", CLOCK_MONOTONIC_RAW);
    never_backwards("CLOCK_BOOTTIME", CLOCK_BOOTTIME);

    int ok = 1;
    for (int i = 0; i < 1000; i++) {
        int64_t const mono = read_libc(CLOCK_MONOTONIC);
        int64_t const boot = read_libc(CLOCK_BOOTTIME);
        int64_t const raw_boot = read_raw(CLOCK_BOOTTIME);
        ok &= boot >= mono && raw_boot >= mono;
    }
    EXPECT("CLOCK_BOOTTIME read after CLOCK_MONOTONIC is never behind it", ok);

    /* The clock advances: a 10 ms sleep shows on every monotonic clock. */
    int64_t const before = read_libc(CLOCK_MONOTONIC), before_raw = read_raw(CLOCK_MONOTONIC);
    int64_t const before_boot = read_libc(CLOCK_BOOTTIME);
    struct timespec ten_ms = { 0, 10 * 1000 * 1000 };
    OK(nanosleep(&ten_ms, NULL));
    EXPECT("CLOCK_MONOTONIC advanced by at least 10 ms across the sleep",
           read_libc(CLOCK_MONOTONIC) - before >= 10 * 1000 * 1000);
    EXPECT("SYS_clock_gettime(CLOCK_MONOTONIC) advanced by at least 10 ms",
           read_raw(CLOCK_MONOTONIC) - before_raw >= 10 * 1000 * 1000);
    EXPECT("CLOCK_BOOTTIME advanced by at least 10 ms", read_libc(CLOCK_BOOTTIME) - before_boot >= 10 * 1000 * 1000);

    /* The raw system call and the vDSO read the same clock. */
    ok = 1;
    for (int i = 0; i < 1000; i++) {
        int64_t const a = read_libc(CLOCK_MONOTONIC);
        int64_t const b = read_raw(CLOCK_MONOTONIC);
        int64_t const c = read_libc(CLOCK_MONOTONIC);
        ok &= a <= b && b <= c;
    }
    EXPECT("vDSO <= syscall <= vDSO for CLOCK_MONOTONIC read in that order", ok);
    ct_pass();
}
