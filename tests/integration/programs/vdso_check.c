/* The vDSO: present in the auxv and in /proc/self/maps, its clocks agree
 * with the syscalls' and never run backwards between the two, gettimeofday
 * and time agree with CLOCK_REALTIME, and a mapping cannot replace it. */
#include "guest_check.h"

#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>


static long long ns(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }

int main(void)
{
    unsigned long const base = getauxval(AT_SYSINFO_EHDR);
    CHECK(base != 0, "AT_SYSINFO_EHDR is set");
    if (base) CHECK(memcmp((void *)base, "\177ELF", 4) == 0, "an ELF image at AT_SYSINFO_EHDR");

    FILE *maps = fopen("/proc/self/maps", "r");
    char line[256];
    int vdso = 0, vvar = 0;
    while (maps && fgets(line, sizeof line, maps)) {
        unsigned long start = 0;
        sscanf(line, "%lx", &start);
        if (strstr(line, "[vdso]") && start == base && strstr(line, "r-xp")) vdso = 1;
        if (strstr(line, "[vvar]") && start == base - 4096 && strstr(line, "r--p")) vvar = 1;
    }
    CHECK(vdso && vvar, "[vdso] and [vvar] in /proc/self/maps");

    /* Interleave the two paths: each reading is at or after the one before. */
    static clockid_t const clocks[] = { CLOCK_MONOTONIC, CLOCK_REALTIME, CLOCK_BOOTTIME, CLOCK_MONOTONIC_COARSE };
    for (unsigned c = 0; c < sizeof clocks / sizeof clocks[0]; c++) {
        long long last = 0;
        int backwards = 0;
        for (int i = 0; i < 2000; i++) {
            struct timespec t;
            if (i & 1) syscall(SYS_clock_gettime, clocks[c], &t);
            else clock_gettime(clocks[c], &t);
            if (ns(t) < last) backwards++;
            last = ns(t);
        }
        CHECK(backwards == 0, "vDSO and syscall clocks never run backwards between each other");
    }

    struct timespec rt;
    struct timeval tv;
    clock_gettime(CLOCK_REALTIME, &rt);
    gettimeofday(&tv, NULL);
    time_t const seconds = time(NULL);
    CHECK(tv.tv_sec - rt.tv_sec <= 1 && tv.tv_sec >= rt.tv_sec, "gettimeofday agrees with CLOCK_REALTIME");
    CHECK(seconds - rt.tv_sec <= 1 && seconds >= rt.tv_sec, "time agrees with CLOCK_REALTIME");

    struct timespec res;
    CHECK(clock_getres(CLOCK_MONOTONIC, &res) == 0 && res.tv_sec == 0 && res.tv_nsec == 1, "MONOTONIC resolution 1 ns");
    CHECK(clock_gettime(12345, &rt) == -1, "an unknown clock fails (through the syscall)");

    struct timespec before, after, pause = { 0, 20 * 1000 * 1000 };
    clock_gettime(CLOCK_MONOTONIC, &before);
    nanosleep(&pause, NULL);
    clock_gettime(CLOCK_MONOTONIC, &after);
    CHECK(ns(after) - ns(before) >= 20 * 1000 * 1000, "the vDSO clock advances across a 20 ms sleep");

    void *over = mmap((void *)(base - 4096), 8192, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    CHECK(over == MAP_FAILED, "MAP_FIXED cannot replace the vDSO's pages");
    clock_gettime(CLOCK_MONOTONIC, &after);
    CHECK(ns(after) > ns(before), "and the vDSO still works");

    printf(failures ? "VDSO_FAIL\n" : "VDSO_OK\n");
    return failures != 0;
}
