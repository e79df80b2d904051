/* Contract: mprotect takes rights away at once whatever the page went
 * through since it was last written: rewritten with the rights it had,
 * only read, not touched at all since a previous mprotect, or written by
 * the kernel (read(2) into it) rather than by the program. (A kernel that
 * skips the TLB flush for entries whose accessed bit is clear must keep
 * that bit honest through all of these; one that clears it without a
 * flush fails here under QEMU.) */
#include "contract.h"

#include <sys/mman.h>

/* What an access did: "goes through", "faults" (SIGSEGV, SEGV_ACCERR), or
 * what else happened. */
static char const *result(volatile char *p, int write, char value)
{
    int const signal = ct_probe(p, write, &value);
    if (signal == 0) return !write || *p == value ? "goes through" : "is lost";
    return signal == SIGSEGV && ct_probe_info.si_code == SEGV_ACCERR ? "faults" : "faults oddly";
}

static char const *write_result(volatile char *p, char value) { return result(p, 1, value); }
static char const *read_result(volatile char *p) { return result(p, 0, 0); }

static char *fresh(void)
{
    char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED, "mmap");
    return p;
}

int main(void)
{
    char *p = fresh();
    p[0] = 1;
    OK(mprotect(p, 4096, PROT_READ | PROT_WRITE));
    OK(mprotect(p, 4096, PROT_READ | PROT_WRITE));
    OK(mprotect(p, 4096, PROT_READ));
    printf("written, made writable twice, then read-only: a write %s\n", write_result(p, 2));

    p = fresh();
    printf("a fresh page read: %s, its byte %d\n", read_result(p), p[0]);
    OK(mprotect(p, 4096, PROT_READ));
    printf("only read, then read-only: a write %s\n", write_result(p, 3));
    OK(mprotect(p, 4096, PROT_READ | PROT_WRITE));
    printf("made writable again: a write %s\n", write_result(p, 4));

    p = fresh();
    p[0] = 1;
    for (int round = 0; round < 3; round++) {
        OK(mprotect(p, 4096, PROT_READ));
        OK(mprotect(p, 4096, PROT_READ | PROT_WRITE));
        OK(mprotect(p, 4096, PROT_READ));
        printf("round %d: read-only, writable, read-only without a touch: a write %s\n", round,
               write_result(p, 5));
        OK(mprotect(p, 4096, PROT_READ | PROT_WRITE));
        printf("round %d: writable: a write %s\n", round, write_result(p, (char)(6 + round)));
    }

    p = fresh();
    p[0] = 1;
    OK(mprotect(p, 4096, PROT_READ));
    OK(mprotect(p, 4096, PROT_READ | PROT_WRITE));
    int fds[2];
    OK(pipe(fds));
    OK(write(fds[1], "k", 1));
    OK(read(fds[0], p, 1));
    printf("the kernel wrote '%c' into it\n", p[0]);
    OK(mprotect(p, 4096, PROT_READ));
    printf("then read-only: a write %s, the byte is still '%c'\n", write_result(p, 'u'), p[0]);

    p = fresh();
    p[0] = 1;
    OK(mprotect(p, 4096, PROT_NONE));
    printf("written, then PROT_NONE: a read %s\n", read_result(p));
    OK(mprotect(p, 4096, PROT_READ | PROT_WRITE));
    OK(mprotect(p, 4096, PROT_NONE));
    printf("writable and PROT_NONE again without a touch: a read %s\n", read_result(p));
    OK(mprotect(p, 4096, PROT_READ));
    printf("read-only: a read %s, the byte %d; a write %s\n", read_result(p), p[0], write_result(p, 9));
    ct_pass();
}
