/* Contract: a new address space (after fork or execve) maps nothing of an
 * exited process's: memory another process mapped and never unmapped is
 * not readable at the same address afterwards (SIGSEGV), and fresh
 * anonymous memory reads as zero. */
#include "contract.h"

#include <setjmp.h>
#include <stdint.h>
#include <sys/mman.h>

#define PROBE ((volatile uint64_t *)0x5a5000000000ull) /* an address nothing maps by default */

static sigjmp_buf jump;
static void on_segv(int sig) { (void)sig; siglongjmp(jump, 1); }

/* What a read of PROBE sees in this process: 0 "faults", 1 "reads". */
static int probe(void)
{
    signal(SIGSEGV, on_segv);
    if (sigsetjmp(jump, 1)) return 0;
    (void)*PROBE;
    return 1;
}

static int fresh_memory_is_zero(void)
{
    size_t const length = 64 * 4096;
    unsigned char *p = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return 0;
    for (size_t i = 0; i < length; i++)
        if (p[i]) return 0;
    return 1;
}

/* A child that maps PROBE and other memory, fills it, and exits without
 * unmapping anything. */
static void leave_mappings_behind(void)
{
    pid_t child = ct_fork();
    if (child == 0) {
        void *p = mmap((void *)PROBE, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        if (p != (void *)PROBE) _exit(2);
        *PROBE = 0x1122334455667788ull;
        for (int i = 0; i < 4; i++) {
            unsigned char *q = mmap(NULL, 64 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (q == MAP_FAILED) _exit(3);
            memset(q, 0xa5, 64 * 4096);
        }
        _exit(0);
    }
    CHECK(ct_wait(child) == 0, "the child that maps memory exits 0");
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "probe") == 0) {
        printf("after execve: probe %s, fresh memory %s\n", probe() ? "reads" : "faults",
               fresh_memory_is_zero() ? "zero" : "NOT ZERO");
        return 0;
    }
    for (int round = 0; round < 3; round++) {
        leave_mappings_behind();
        pid_t child = ct_fork();
        if (child == 0) {
            printf("after fork: probe %s, fresh memory %s\n", probe() ? "reads" : "faults",
                   fresh_memory_is_zero() ? "zero" : "NOT ZERO");
            fflush(stdout);
            _exit(0);
        }
        ct_wait(child);
        leave_mappings_behind();
        child = ct_fork();
        if (child == 0) {
            execl(argv[0], argv[0], "probe", (char *)NULL);
            _exit(127);
        }
        printf("exec child: %s\n", status_text(ct_wait(child)));
    }
    ct_pass();
}
