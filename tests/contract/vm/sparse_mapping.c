/* Contract: a shared mapping of pages far into a big sparse file works --
 * the written bytes reach the file, read() sees them, the holes around
 * read zero -- and shrinking the file takes the far pages away (SIGBUS). */
#include "contract.h"
#include <sys/mman.h>

int main(void)
{
    ct_enter_tmpdir();
    int fd = OK(open("sparse", O_RDWR | O_CREAT | O_TRUNC, 0644));
    off_t const size = (off_t)1 << 36; /* 64 GiB, all hole */
    OK(ftruncate(fd, size));
    off_t const far = size - 2 * 4096;
    char *p = OK(mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, far));
    EXPECT("a far page of the hole reads zero", p[100] == 0 && p[4096 + 4095] == 0);
    memcpy(p + 10, "far away", 8);
    p[4096 + 4095] = 'z';
    char buffer[8];
    CHECK(pread(fd, buffer, 8, far + 10) == 8, "pread");
    EXPECT("read() sees the mapping's write", memcmp(buffer, "far away", 8) == 0);
    CHECK(pread(fd, buffer, 1, size - 1) == 1, "pread last byte");
    EXPECT("up to the file's last byte", buffer[0] == 'z');
    CHECK(pread(fd, buffer, 8, far - 8) == 8, "pread before");
    EXPECT("the page before is still a hole", memcmp(buffer, "\0\0\0\0\0\0\0\0", 8) == 0);
    char *q = OK(mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 4096));
    EXPECT("and so is a page near the start", q[0] == 0 && q[4095] == 0);
    OK(munmap(q, 4096));
    OK(ftruncate(fd, 4096));
    char v;
    EXPECT("after shrinking, the far page is SIGBUS", ct_probe(p + 10, 0, &v) == SIGBUS);
    OK(munmap(p, 2 * 4096));
    OK(close(fd));
    ct_pass();
}
