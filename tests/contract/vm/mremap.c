/* Contract: mremap with MREMAP_MAYMOVE grows a mapping keeping its contents
 * (the new part reads zero); shrinking stays in place; growing in place into
 * an occupied range without MREMAP_MAYMOVE is ENOMEM. */
#include "contract.h"
#include <sys/mman.h>

int main(void)
{
    char *p = OK(mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    for (int i = 0; i < 2 * 4096; i++) p[i] = (char)(i * 7);

    char *q = OK(mremap(p, 2 * 4096, 64 * 4096, MREMAP_MAYMOVE));
    int same = 1;
    for (int i = 0; i < 2 * 4096; i++) same &= q[i] == (char)(i * 7);
    EXPECT("grown mapping keeps its contents", same);
    int zero = 1;
    for (int i = 2 * 4096; i < 64 * 4096; i++) zero &= q[i] == 0;
    EXPECT("grown part reads zero", zero);
    q[64 * 4096 - 1] = 1;

    char *r = OK(mremap(q, 64 * 4096, 4096, 0));
    EXPECT("shrinking stays in place", r == q);
    char v;
    EXPECT("the cut-off part is unmapped", ct_probe(q + 4096, 0, &v) == SIGSEGV);
    EXPECT("the kept page is intact", q[100] == (char)(100 * 7));

    /* Put a blocker right after a one-page mapping. */
    char *a = OK(mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    OK(mmap(a + 4096, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
    OK(mprotect(a, 4096, PROT_READ | PROT_WRITE));
    a[0] = 'z';
    EXPECT_ERRNO("growing in place into a mapped page", mremap(a, 4096, 2 * 4096, 0), ENOMEM);
    char *moved = OK(mremap(a, 4096, 2 * 4096, MREMAP_MAYMOVE));
    EXPECT("MREMAP_MAYMOVE moves it", moved != a && moved[0] == 'z');
    EXPECT("the old address is unmapped", ct_probe(a, 0, &v) == SIGSEGV);

    EXPECT_ERRNO("mremap with an unaligned address", mremap(moved + 1, 4096, 8192, MREMAP_MAYMOVE), EINVAL);
    EXPECT_ERRNO("mremap with bad flags", mremap(moved, 4096, 8192, 0x100), EINVAL);
    ct_pass();
}
