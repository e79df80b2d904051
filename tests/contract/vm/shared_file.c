/* Contract: a MAP_SHARED file mapping stays shared across fork (writes on
 * either side reach the other and the file, and outlive the writer); when
 * another process shrinks the file the dropped pages raise SIGBUS in every
 * mapping, and growing it again reads zeros; a shared mapping of a
 * read-only descriptor cannot be or become writable (EACCES). */
#include "contract.h"
#include <sys/mman.h>

int main(void)
{
    ct_enter_tmpdir();
    int fd = OK(open("f", O_RDWR | O_CREAT | O_TRUNC, 0644));
    OK(ftruncate(fd, 3 * 4096));
    char *p = OK(mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
    p[0] = 'p';
    p[2 * 4096] = 'q';

    pid_t child = ct_fork();
    if (child == 0) {
        int saw = p[0] == 'p' && p[2 * 4096] == 'q';
        p[1] = 'c';
        p[4096] = 'd';
        _exit(saw ? 0 : 3);
    }
    int status = ct_wait(child);
    printf("child: %s\n", status_text(status));
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child saw the parent's writes");
    EXPECT("the parent sees the child's writes", p[1] == 'c' && p[4096] == 'd');
    char v = 0;
    CHECK(pread(fd, &v, 1, 4096) == 1, "pread");
    EXPECT("and so does the file", v == 'd');

    child = ct_fork();
    if (child == 0) _exit(ftruncate(fd, 4096) == 0 ? 0 : 1);
    status = ct_wait(child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "ftruncate in the child");
    int sig = ct_probe(p + 4096 + 1, 0, &v);
    printf("read past the new EOF: %s\n", signal_name(sig));
    CHECK(sig == SIGBUS, "SIGBUS after another process shrank the file");
    sig = ct_probe(p + 2 * 4096, 1, &v);
    printf("write past the new EOF: %s\n", signal_name(sig));
    CHECK(sig == SIGBUS, "SIGBUS on write too");
    EXPECT("the page before EOF keeps its data", p[0] == 'p' && p[4096 - 1] == 0);
    OK(ftruncate(fd, 3 * 4096));
    EXPECT("grown again, the pages read zero", ct_probe(p + 2 * 4096, 0, &v) == 0 && v == 0 && p[4096] == 0);

    int ro = OK(open("f", O_RDONLY));
    char *r = OK(mmap(NULL, 4096, PROT_READ, MAP_SHARED, ro, 0));
    EXPECT("a read-only shared mapping shows the file", r[0] == 'p' && r[1] == 'c');
    EXPECT_ERRNO("mprotect PROT_WRITE of it", mprotect(r, 4096, PROT_READ | PROT_WRITE), EACCES);
    EXPECT_ERRNO("writable MAP_SHARED of a read-only fd",
                 (long)mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0), EACCES);
    char *priv = OK(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, ro, 0));
    EXPECT("a private one may become writable", mprotect(priv, 4096, PROT_READ | PROT_WRITE) == 0);
    int ap = OK(open("f", O_RDWR | O_APPEND));
    /* O_APPEND does not stop writes through a mapping (only chattr +a does). */
    char *a = OK(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, ap, 0));
    a[3] = 'a';
    EXPECT("a writable MAP_SHARED of an O_APPEND fd works", p[3] == 'a');

    /* The file outlives its name and every descriptor while mapped. */
    close(ro);
    close(ap);
    close(fd);
    OK(unlink("f"));
    p[2] = 'u';
    EXPECT("the mapping of an unlinked file still works", r[2] == 'u' && p[1] == 'c');
    EXPECT("msync MS_SYNC", msync(p, 3 * 4096, MS_SYNC) == 0);
    EXPECT_ERRNO("msync MS_ASYNC|MS_SYNC", msync(p, 4096, MS_ASYNC | MS_SYNC), EINVAL);
    OK(munmap(p, 3 * 4096));
    EXPECT_ERRNO("msync of an unmapped range", msync(p, 4096, MS_SYNC), ENOMEM);
    EXPECT("and the other mapping keeps it", r[0] == 'p' && r[2] == 'u');
    ct_pass();
}
