/* Contract: the brk syscall grows the heap with zero-filled writable memory
 * and returns the new break; shrinking unmaps the pages above it (SIGSEGV)
 * and regrowing gives fresh zero pages; a failed request returns the
 * unchanged break. No malloc may run here: it could own part of the heap. */
#include "contract.h"
#include <stdint.h>
#include <sys/syscall.h>

static char *set_break(char *to) { return (char *)syscall(SYS_brk, to); }

int main(void)
{
    /* A static stdout buffer: glibc's printf would malloc one from the heap. */
    static char out[4096];
    setvbuf(stdout, out, _IOFBF, sizeof out);
    char *const start = set_break(0);
    CHECK(start != NULL && start != (char *)-1, "brk(0) returns the break");
    EXPECT("brk(0) twice is stable", set_break(0) == start);
    char *const base = (char *)(((uintptr_t)start + 4095) & ~(uintptr_t)4095);

    char *grown = set_break(base + 16 * 4096);
    EXPECT("growing returns the new break", grown == base + 16 * 4096);
    int zero = 1;
    for (char *p = start; p < grown; p++) zero &= *p == 0;
    EXPECT("new heap reads zero", zero);
    memset(start, 'h', (size_t)(grown - start));
    EXPECT("new heap is writable", grown[-1] == 'h');

    char *shrunk = set_break(base + 4 * 4096);
    EXPECT("shrinking returns the new break", shrunk == base + 4 * 4096);
    char v;
    int sig = ct_probe(base + 8 * 4096, 0, &v);
    printf("read above the shrunk break: %s\n", sig ? signal_name(sig) : "no fault");
    CHECK(sig == SIGSEGV && ct_probe_info.si_code == SEGV_MAPERR, "pages above the break are unmapped");
    EXPECT("pages below the break keep their data", base[4 * 4096 - 1] == 'h' && start[0] == 'h');

    char *regrown = set_break(base + 16 * 4096);
    EXPECT("regrowing works", regrown == base + 16 * 4096);
    zero = 1;
    for (char *p = base + 4 * 4096; p < regrown; p++) zero &= *p == 0;
    EXPECT("regrown pages are zero again", zero);

    char *refused = set_break(start - (64 << 20));
    EXPECT("a break below the heap's start is refused (old break returned)", refused == regrown);
    EXPECT("and the break is unchanged", set_break(0) == regrown);

    EXPECT("shrinking back to the start works", set_break(start) == start);
    ct_pass();
}
