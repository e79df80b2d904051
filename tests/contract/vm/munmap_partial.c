/* Contract: munmap of the middle page of a mapping splits it: the middle
 * faults with SEGV_MAPERR at its address, the neighbours keep their data and
 * protection; unmapping an unmapped range succeeds; bad arguments are EINVAL. */
#include "contract.h"
#include <sys/mman.h>

int main(void)
{
    char *p = OK(mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    memset(p, 'a', 4096);
    memset(p + 4096, 'b', 4096);
    memset(p + 2 * 4096, 'c', 4096);
    OK(munmap(p + 4096, 4096));

    char v;
    int sig = ct_probe(p + 4096 + 17, 0, &v);
    printf("read of the unmapped middle: %s %s\n", signal_name(sig),
           ct_probe_info.si_code == SEGV_MAPERR ? "SEGV_MAPERR" : "other");
    CHECK(sig == SIGSEGV && ct_probe_info.si_code == SEGV_MAPERR, "SIGSEGV SEGV_MAPERR");
    EXPECT("fault at expected address", ct_probe_info.si_addr == p + 4096 + 17);
    char w = 'A';
    EXPECT("first page intact and writable", p[4095] == 'a' && ct_probe(p, 1, &w) == 0);
    EXPECT("last page intact and writable", p[2 * 4096] == 'c' && ct_probe(p + 3 * 4096 - 1, 1, &w) == 0);

    EXPECT("munmap of the already unmapped page succeeds", munmap(p + 4096, 4096) == 0);
    EXPECT_ERRNO("mprotect over the hole", mprotect(p, 3 * 4096, PROT_READ), ENOMEM);
    EXPECT_ERRNO("munmap at an unaligned address", munmap(p + 1, 4096), EINVAL);
    EXPECT_ERRNO("munmap of length 0", munmap(p, 0), EINVAL);
    EXPECT("an unaligned length is rounded up", munmap(p, 100) == 0 && ct_probe(p + 4000, 0, &v) == SIGSEGV);

    /* One munmap over several mappings and holes removes all of them. */
    OK(munmap(p, 3 * 4096));
    EXPECT("the last page is gone too", ct_probe(p + 2 * 4096, 0, &v) == SIGSEGV);
    ct_pass();
}
