/* Contract: mmap, munmap and mprotect reject bad arguments with the
 * documented errors: EINVAL (flags, length, offset, alignment), EBADF,
 * EACCES (writable shared map of a read-only fd), ENODEV (a directory),
 * ENOMEM (mprotect of unmapped memory). */
#include "contract.h"
#include <sys/mman.h>
#include <sys/syscall.h>

/* musl rounds mprotect's address down to a page: call the kernel directly. */
static long raw_mprotect(void *addr, size_t len, int prot) { return syscall(SYS_mprotect, addr, len, prot); }

int main(void)
{
    ct_enter_tmpdir();
    ct_write_file("f", "0123456789", 0644);
    int ro = OK(open("f", O_RDONLY));
    int dir = OK(open(".", O_RDONLY | O_DIRECTORY));

    EXPECT_ERRNO("neither MAP_SHARED nor MAP_PRIVATE", mmap(NULL, 4096, PROT_READ, MAP_ANONYMOUS, -1, 0), EINVAL);
    EXPECT_ERRNO("length 0", mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), EINVAL);
    EXPECT_ERRNO("unaligned offset", mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, ro, 100), EINVAL);
    EXPECT_ERRNO("closed fd", mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 999, 0), EBADF);
    EXPECT_ERRNO("MAP_SHARED PROT_WRITE of an O_RDONLY fd", mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0),
                 EACCES);
    EXPECT("MAP_PRIVATE PROT_WRITE of an O_RDONLY fd works",
           mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0) != MAP_FAILED);
    EXPECT_ERRNO("a directory", mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, dir, 0), ENODEV);
    EXPECT_ERRNO("huge length", mmap(NULL, (size_t)-4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), ENOMEM);

    char *p = OK(mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    EXPECT_ERRNO("munmap unaligned", munmap(p + 8, 4096), EINVAL);
    EXPECT_ERRNO("mprotect unaligned", raw_mprotect(p + 8, 4096, PROT_READ), EINVAL);
    EXPECT_ERRNO("mprotect bad prot bits", mprotect(p, 4096, 0x100), EINVAL);
    OK(munmap(p, 2 * 4096));
    EXPECT_ERRNO("mprotect of unmapped memory", mprotect(p, 4096, PROT_READ), ENOMEM);
    ct_pass();
}
