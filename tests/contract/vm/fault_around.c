/* Contract: a first touch of private anonymous memory changes only the page
 * touched as far as a program can see (aramid maps a window of neighbours
 * with it: fault-around). Untouched neighbours read zero and keep their
 * region's protection; neighbouring regions (PROT_NONE, read-only, shared,
 * unmapped) are unaffected; MADV_DONTNEED, mremap, partial munmap, mprotect
 * and fork copy-on-write behave as without it. */
#include "contract.h"
#include <stdint.h>
#include <sys/mman.h>

#define PAGE 4096

static char const *code_name(int code)
{
    return code == SEGV_ACCERR ? "SEGV_ACCERR" : code == SEGV_MAPERR ? "SEGV_MAPERR" : "other";
}

static int all_equal(char const *p, size_t length, char value)
{
    for (size_t i = 0; i < length; i++)
        if (p[i] != value) return 0;
    return 1;
}

/* 64 KiB-aligned space for `pages` pages, reserved PROT_NONE. */
static char *reserve(size_t pages)
{
    char *r = OK(mmap(NULL, (pages + 16) * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    return (char *)(((uintptr_t)r + 0xffff) & ~(uintptr_t)0xffff);
}

static void print_probe(char const *what, int sig)
{
    printf("%s: %s %s\n", what, sig ? signal_name(sig) : "ok", sig ? code_name(ct_probe_info.si_code) : "");
}

int main(void)
{
    char v = 1, w = 'x';

    /* Neighbouring regions inside one 64 KiB window: private RW pages 0-3,
     * PROT_NONE 4-5, read-only 6-7, shared 8-11, private RW 12-15. */
    char *base = reserve(16);
    OK(mmap(base, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
    OK(mmap(base + 6 * PAGE, 2 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
    OK(mmap(base + 8 * PAGE, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
    OK(mmap(base + 12 * PAGE, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
    base[0] = 'a';
    base[15 * PAGE] = 'z';
    EXPECT("untouched private neighbours read zero", all_equal(base + 1, 4 * PAGE - 1, 0)
           && all_equal(base + 12 * PAGE, 3 * PAGE, 0));
    print_probe("read of the PROT_NONE neighbour", ct_probe(base + 4 * PAGE, 0, &v));
    print_probe("write to the read-only neighbour", ct_probe(base + 6 * PAGE, 1, &w));
    EXPECT("read-only neighbour reads zero", ct_probe(base + 7 * PAGE, 0, &v) == 0 && v == 0);
    int to_parent[2];
    OK(pipe(to_parent));
    pid_t child = ct_fork();
    if (child == 0) {
        memset(base + 8 * PAGE, 's', 4 * PAGE);
        base[1] = 'c';
        ct_post(to_parent[1]);
        _exit(0);
    }
    ct_await(to_parent[0]);
    CHECK(WIFEXITED(ct_wait(child)), "child exited");
    EXPECT("the shared neighbour shows the child's write", all_equal(base + 8 * PAGE, 4 * PAGE, 's'));
    EXPECT("the private page does not", base[1] == 0 && base[0] == 'a');

    /* A read-only region: a read fault maps nothing writable. */
    char *ro = reserve(16);
    OK(mmap(ro, 16 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
    EXPECT("read-only page reads zero", ro[5 * PAGE] == 0);
    print_probe("write to its untouched neighbour", ct_probe(ro + 6 * PAGE + 9, 1, &w));
    OK(mprotect(ro, 16 * PAGE, PROT_READ | PROT_WRITE));
    EXPECT("writable after mprotect, still zero", ct_probe(ro + 6 * PAGE, 1, &w) == 0
           && all_equal(ro + 6 * PAGE + 1, PAGE - 1, 0));

    /* mprotect of untouched neighbours after a touch. */
    char *p = reserve(16);
    OK(mmap(p, 16 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
    p[0] = 'p';
    OK(mprotect(p + PAGE, 15 * PAGE, PROT_READ));
    print_probe("write to a neighbour made PROT_READ", ct_probe(p + 2 * PAGE, 1, &w));
    OK(mprotect(p + PAGE, 15 * PAGE, PROT_NONE));
    print_probe("read of a neighbour made PROT_NONE", ct_probe(p + 3 * PAGE, 0, &v));
    OK(mprotect(p + PAGE, 15 * PAGE, PROT_READ | PROT_WRITE));
    EXPECT("neighbours zero and writable again", all_equal(p + PAGE, 15 * PAGE, 0)
           && ct_probe(p + 3 * PAGE, 1, &w) == 0);

    /* MADV_DONTNEED then a fault in the middle: the others keep their data. */
    char *d = reserve(16);
    OK(mmap(d, 16 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
    memset(d, 'd', 16 * PAGE);
    OK(madvise(d + 3 * PAGE, 2 * PAGE, MADV_DONTNEED));
    d[3 * PAGE] = 'e';
    EXPECT("the refaulted page is zero but for the write", d[3 * PAGE] == 'e' && all_equal(d + 3 * PAGE + 1, 2 * PAGE - 1, 0));
    EXPECT("the other pages keep their data", all_equal(d, 3 * PAGE, 'd') && all_equal(d + 5 * PAGE, 11 * PAGE, 'd'));

    /* Partial munmap after a touch. */
    char *u = reserve(16);
    OK(mmap(u, 16 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
    u[0] = 'u';
    OK(munmap(u + 4 * PAGE, 4 * PAGE));
    print_probe("read of the unmapped middle", ct_probe(u + 5 * PAGE, 0, &v));
    EXPECT("the rest reads zero and takes writes", all_equal(u + 8 * PAGE, 8 * PAGE, 0)
           && ct_probe(u + 9 * PAGE, 1, &w) == 0 && u[0] == 'u');

    /* mremap after a touch: moved and grown. */
    char *m = reserve(16);
    OK(mmap(m, 16 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
    m[PAGE + 1] = 'm';
    char *moved = OK(mremap(m, 16 * PAGE, 64 * PAGE, MREMAP_MAYMOVE));
    EXPECT("after mremap the touched byte moved and the rest is zero", moved[PAGE + 1] == 'm'
           && all_equal(moved, PAGE + 1, 0) && all_equal(moved + PAGE + 2, 63 * PAGE - 2, 0));
    memset(moved, 'M', 64 * PAGE);
    char *shrunk = OK(mremap(moved, 64 * PAGE, 8 * PAGE, 0));
    EXPECT("shrunk in place keeps its data", shrunk == moved && all_equal(shrunk, 8 * PAGE, 'M'));
    print_probe("read past the shrunk end", ct_probe(moved + 9 * PAGE, 0, &v));

    /* fork of a large, sparsely touched region (shared copy-on-write). */
    size_t const big_pages = 512;
    char *big = OK(mmap(NULL, big_pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    for (size_t i = 0; i < big_pages; i += 16) big[i * PAGE] = 'b';
    child = ct_fork();
    if (child == 0) {
        int ok = 1;
        for (size_t i = 0; i < big_pages; i++) {
            ok &= big[i * PAGE] == (i % 16 ? 0 : 'b') && all_equal(big + i * PAGE + 1, PAGE - 1, 0);
            big[i * PAGE + 7] = 'c';
        }
        _exit(ok ? 0 : 1);
    }
    int status = ct_wait(child);
    EXPECT("the child saw the parent's bytes and zeros", WIFEXITED(status) && WEXITSTATUS(status) == 0);
    int intact = 1;
    for (size_t i = 0; i < big_pages; i++)
        intact &= big[i * PAGE] == (i % 16 ? 0 : 'b') && big[i * PAGE + 7] == 0;
    EXPECT("the parent does not see the child's writes", intact);
    for (size_t i = 0; i < big_pages; i++) big[i * PAGE + 8] = 'q';
    EXPECT("the parent writes its own pages", big[8] == 'q' && big[(big_pages - 1) * PAGE + 8] == 'q');
    ct_pass();
}
