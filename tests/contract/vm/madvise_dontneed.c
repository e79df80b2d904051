/* Contract: MADV_DONTNEED discards private pages: anonymous ones read zero
 * afterwards and file-backed ones read the file again; shared pages keep
 * their data. */
#include "contract.h"
#include <sys/mman.h>

int main(void)
{
    ct_enter_tmpdir();
    char *anon = OK(mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    memset(anon, 'a', 4 * 4096);
    OK(madvise(anon + 4096, 2 * 4096, MADV_DONTNEED));
    EXPECT("private anonymous pages read zero after MADV_DONTNEED", anon[4096] == 0 && anon[3 * 4096 - 1] == 0);
    EXPECT("pages outside the range keep their data", anon[4095] == 'a' && anon[3 * 4096] == 'a');

    ct_write_file("f", "file contents", 0644);
    int fd = OK(open("f", O_RDONLY));
    char *file = OK(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
    memcpy(file, "FILE", 4);
    OK(madvise(file, 4096, MADV_DONTNEED));
    printf("private file page after MADV_DONTNEED: %.13s\n", file);
    CHECK(memcmp(file, "file contents", 13) == 0, "private file page reverts to the file");

    char *shared = OK(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
    memset(shared, 's', 4096);
    OK(madvise(shared, 4096, MADV_DONTNEED));
    EXPECT("shared anonymous page keeps its data", shared[0] == 's' && shared[4095] == 's');

    EXPECT_ERRNO("madvise unaligned", madvise(anon + 1, 4096, MADV_DONTNEED), EINVAL);
    EXPECT_ERRNO("madvise bad advice", madvise(anon, 4096, 12345), EINVAL);
    ct_pass();
}
