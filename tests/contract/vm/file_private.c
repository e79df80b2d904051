/* Contract: writes through a MAP_PRIVATE file mapping stay private (the file
 * and other mappings are unchanged), while writes through MAP_SHARED reach
 * the file (read() sees them, no msync needed); the tail of the last page
 * past EOF reads as zeros. */
#include "contract.h"
#include <sys/mman.h>

int main(void)
{
    ct_enter_tmpdir();
    ct_write_file("data", "hello, mapped world", 0644);
    int fd = OK(open("data", O_RDWR));

    char *priv = OK(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
    char *shared = OK(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
    EXPECT("private mapping shows the file", memcmp(priv, "hello, mapped world", 19) == 0);
    int tail_zero = 1;
    for (int i = 19; i < 4096; i++) tail_zero &= priv[i] == 0;
    EXPECT("bytes past EOF read zero", tail_zero);

    memcpy(priv, "HELLO", 5);
    char buf[32] = { 0 };
    CHECK(pread(fd, buf, sizeof buf - 1, 0) == 19, "pread 19 bytes");
    printf("file after private write: %s\n", buf);
    CHECK(memcmp(buf, "hello", 5) == 0, "private write did not reach the file");
    EXPECT("shared mapping does not see the private write", memcmp(shared, "hello", 5) == 0);

    memcpy(shared + 7, "MAPPED", 6);
    memset(buf, 0, sizeof buf);
    CHECK(pread(fd, buf, sizeof buf - 1, 0) == 19, "pread 19 bytes");
    printf("file after shared write: %s\n", buf);
    CHECK(memcmp(buf + 7, "MAPPED", 6) == 0, "shared write reached the file");
    EXPECT("the private copy keeps its own page", memcmp(priv, "HELLO, mapped", 13) == 0);

    /* A write() to the file shows in the shared mapping. */
    CHECK(pwrite(fd, "J", 1, 0) == 1, "pwrite");
    EXPECT("write() visible through MAP_SHARED", shared[0] == 'J');
    EXPECT("but not in the private copy", priv[0] == 'H');

    /* The mapping outlives the fd, and the file outlives the mapping. */
    close(fd);
    memcpy(shared + 14, "WORLD", 5);
    OK(munmap(shared, 4096));
    OK(munmap(priv, 4096));
    fd = OK(open("data", O_RDONLY));
    memset(buf, 0, sizeof buf);
    CHECK(read(fd, buf, sizeof buf - 1) == 19, "read 19 bytes");
    printf("file at the end: %s\n", buf);
    CHECK(strcmp(buf, "Jello, MAPPED WORLD") == 0, "final contents");
    close(fd);
    ct_pass();
}
