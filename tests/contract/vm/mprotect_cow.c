/* Contract: a private page stays private when mprotect makes it writable
 * later: a MAP_PRIVATE file mapping created read-only never writes the file,
 * and pages that were read-only or PROT_NONE at fork are copied on the
 * first write after fork, not shared. */
#include "contract.h"
#include <sys/mman.h>

int main(void)
{
    ct_enter_tmpdir();
    /* A whole page, so that the file's own page can be mapped. */
    static char page[4096];
    memset(page, '.', sizeof page);
    memcpy(page, "original", 8);
    int fd = OK(open("f", O_RDWR | O_CREAT | O_TRUNC, 0644));
    CHECK(write(fd, page, sizeof page) == sizeof page, "write a page");
    close(fd);
    fd = OK(open("f", O_RDONLY));
    char *file = OK(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0));
    EXPECT("read-only private mapping shows the file", memcmp(file, "original", 8) == 0);
    OK(mprotect(file, 4096, PROT_READ | PROT_WRITE));
    memcpy(file, "CHANGED", 7);
    char buf[16] = { 0 };
    CHECK(pread(fd, buf, 8, 0) == 8, "pread");
    printf("file after writing the mprotected private mapping: %s\n", buf);
    CHECK(memcmp(buf, "original", 8) == 0, "the file is unchanged");
    close(fd);

    char *ro = OK(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    char *none = OK(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    ro[0] = 'r';
    none[0] = 'n';
    OK(mprotect(ro, 4096, PROT_READ));
    OK(mprotect(none, 4096, PROT_NONE));
    pid_t child = ct_fork();
    if (child == 0) {
        if (mprotect(ro, 4096, PROT_READ | PROT_WRITE) || mprotect(none, 4096, PROT_READ | PROT_WRITE)) _exit(2);
        int saw = ro[0] == 'r' && none[0] == 'n';
        ro[0] = 'R';
        none[0] = 'N';
        _exit(saw ? 0 : 3);
    }
    int status = ct_wait(child);
    printf("child: %s\n", status_text(status));
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child saw the data");
    OK(mprotect(none, 4096, PROT_READ));
    EXPECT("the parent's read-only page kept its data", ro[0] == 'r');
    EXPECT("the parent's PROT_NONE page kept its data", none[0] == 'n');
    ct_pass();
}
