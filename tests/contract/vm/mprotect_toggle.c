/* Contract: every mprotect takes effect at once in the calling process:
 * after PROT_READ a write faults (SIGSEGV, SEGV_ACCERR) even right after
 * the page was written, and after PROT_READ|PROT_WRITE the write succeeds
 * -- for one page, a few pages and a region of many pages. */
#include "contract.h"

#include <setjmp.h>
#include <sys/mman.h>

static sigjmp_buf ct_jump;
static volatile int last_code;

static void on_segv(int sig, siginfo_t *info, void *context)
{
    (void)sig, (void)context;
    last_code = info->si_code;
    siglongjmp(ct_jump, 1);
}

/* 1 if the write faulted with SEGV_ACCERR, 0 if it went through. */
static int write_faults(volatile char *p, char value)
{
    last_code = 0;
    if (sigsetjmp(ct_jump, 1)) return last_code == SEGV_ACCERR ? 1 : -1;
    *p = value;
    return 0;
}

static void toggle(size_t pages, int rounds)
{
    size_t const length = pages * 4096;
    char *p = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED, "mmap");
    for (size_t i = 0; i < length; i += 4096) p[i] = 1;
    int faulted = 0, written = 0;
    for (int round = 0; round < rounds; round++) {
        char *page = p + (size_t)(round % (int)pages) * 4096;
        OK(mprotect(p, length, PROT_READ));
        faulted += write_faults(page, 2) == 1;
        OK(mprotect(p, length, PROT_READ | PROT_WRITE));
        if (write_faults(page, (char)round) == 0 && *page == (char)round) written++;
    }
    printf("%zu pages, %d rounds: %d writes faulted while read-only, %d went through while writable\n", pages,
           rounds, faulted, written);
    OK(munmap(p, length));
}

int main(void)
{
    struct sigaction sa = { 0 };
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    OK(sigaction(SIGSEGV, &sa, NULL));
    toggle(1, 100);
    toggle(4, 100);
    toggle(64, 100);
    ct_pass();
}
