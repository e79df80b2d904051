/* Contract: anonymous mmap returns page-aligned, zero-filled, writable
 * memory, including large lazily-populated regions; each new mapping is zero
 * even where an old one was freed. */
#include "contract.h"
#include <stdint.h>
#include <sys/mman.h>

static int all_zero(char const *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i]) return 0;
    return 1;
}

int main(void)
{
    size_t const size = 16 * 4096;
    char *p = OK(mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    EXPECT("page aligned", ((uintptr_t)p & 4095) == 0);
    EXPECT("16 pages zero", all_zero(p, size));
    memset(p, 0xa5, size);
    EXPECT("writable", (unsigned char)p[size - 1] == 0xa5);
    OK(munmap(p, size));

    /* The same range again (likely reused) comes back zeroed. */
    char *q = OK(mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    EXPECT("a new mapping is zero again", all_zero(q, size));
    OK(munmap(q, size));

    /* An unaligned length covers whole pages. */
    char *r = OK(mmap(NULL, 100, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    char v = 1;
    EXPECT("length 100 maps the whole page", ct_probe(r + 4095, 1, &v) == 0 && all_zero(r, 4095));
    OK(munmap(r, 100));

    /* 256 MiB of address space; touch a byte in a few pages only. */
    size_t const big = (size_t)256 << 20;
    char *b = OK(mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0));
    int zero = 1;
    for (size_t off = 0; off < big; off += big / 16) zero &= b[off] == 0;
    zero &= b[big - 1] == 0;
    EXPECT("256 MiB mapping reads zero", zero);
    b[big / 2] = 7;
    EXPECT("and is writable", b[big / 2] == 7);
    OK(munmap(b, big));

    /* MAP_SHARED anonymous is zero-filled too. */
    char *s = OK(mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
    EXPECT("shared anonymous is zero", all_zero(s, size));
    ct_pass();
}
