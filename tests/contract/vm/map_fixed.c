/* Contract: MAP_FIXED replaces exactly the pages it covers (they read as the
 * new mapping's contents, the neighbours keep theirs); MAP_FIXED_NOREPLACE
 * over a mapping is EEXIST; an unaligned MAP_FIXED address is EINVAL; a hint
 * without MAP_FIXED never clobbers an existing mapping. */
#include "contract.h"
#include <sys/mman.h>

int main(void)
{
    char *p = OK(mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    memset(p, 'A', 4 * 4096);
    char *q = OK(mmap(p + 4096, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
    EXPECT("MAP_FIXED returns the requested address", q == p + 4096);
    EXPECT("replaced pages read zero", q[0] == 0 && q[2 * 4096 - 1] == 0);
    EXPECT("page before kept its data", p[0] == 'A' && p[4095] == 'A');
    EXPECT("page after kept its data", p[3 * 4096] == 'A' && p[4 * 4096 - 1] == 'A');

    /* A read-only MAP_FIXED page in the middle. */
    OK(mmap(p + 2 * 4096, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
    char w = 'w';
    EXPECT("the new page has the new protection", ct_probe(p + 2 * 4096, 1, &w) == SIGSEGV);
    EXPECT("its neighbour does not", ct_probe(p + 4096, 1, &w) == 0);

    EXPECT_ERRNO("MAP_FIXED_NOREPLACE over a mapping",
                 mmap(p, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0), EEXIST);
    EXPECT("and the mapping is untouched", p[0] == 'A');
    EXPECT_ERRNO("MAP_FIXED at an unaligned address",
                 mmap(p + 1, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), EINVAL);

    char *hinted = OK(mmap(p, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    EXPECT("a hint over a mapping goes elsewhere", hinted != p && p[0] == 'A');

    /* MAP_FIXED_NOREPLACE into a hole works. */
    OK(munmap(p + 3 * 4096, 4096));
    char *r = OK(mmap(p + 3 * 4096, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
                      -1, 0));
    EXPECT("MAP_FIXED_NOREPLACE into a hole", r == p + 3 * 4096 && r[0] == 0);
    ct_pass();
}
