/* Contract: getdents64 returns every entry of a directory exactly once
 * ("." and ".." included, with the right d_type), across many calls with a
 * small buffer; lseek to 0 restarts the listing; a buffer too small for an
 * entry is EINVAL; a file is ENOTDIR. */
#include "contract.h"
#include <stdint.h>
#include <sys/syscall.h>

struct entry64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

static char names[200][32];
static int count, calls, regular, directories, dots;

static int by_name(void const *a, void const *b) { return strcmp(a, b); }

static void list(int fd)
{
    count = calls = regular = directories = dots = 0;
    char buf[256] __attribute__((aligned(8)));
    for (;;) {
        long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
        CHECK(n >= 0, "getdents64");
        if (n == 0) break;
        calls++;
        for (long off = 0; off < n;) {
            struct entry64 *e = (struct entry64 *)(buf + off);
            CHECK(e->d_reclen > 0 && off + e->d_reclen <= n, "d_reclen within the buffer");
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
                dots++;
                CHECK(e->d_type == DT_DIR, ". and .. are DT_DIR");
            } else {
                CHECK(count < 200, "not too many entries");
                CHECK(strlen(e->d_name) < 32, "name length");
                strcpy(names[count++], e->d_name);
                if (e->d_type == DT_REG) regular++;
                if (e->d_type == DT_DIR) directories++;
            }
            off += e->d_reclen;
        }
    }
}

static void check_listing(char const *what)
{
    qsort(names, (size_t)count, sizeof names[0], by_name);
    int ok = count == 101 && dots == 2 && regular == 100 && directories == 1;
    for (int i = 0; ok && i < 100; i++) {
        char want[32];
        snprintf(want, sizeof want, "file%03d", i);
        ok = strcmp(names[i], want) == 0;
    }
    ok = ok && strcmp(names[100], "subdir") == 0;
    printf("%s: %d entries plus . and .., %d regular, %d directory, names match: %s\n", what, count, regular,
           directories, ok ? "yes" : "no");
    CHECK(ok, "complete listing");
}

int main(void)
{
    ct_enter_tmpdir();
    OK(mkdir("dir", 0755));
    for (int i = 0; i < 100; i++) {
        char name[32];
        snprintf(name, sizeof name, "dir/file%03d", i);
        ct_write_file(name, "", 0644);
    }
    OK(mkdir("dir/subdir", 0755));
    int fd = OK(open("dir", O_RDONLY | O_DIRECTORY));
    list(fd);
    check_listing("first listing");
    EXPECT("it took several calls with a 256-byte buffer", calls > 1);

    OK(lseek(fd, 0, SEEK_SET));
    list(fd);
    check_listing("after lseek 0");

    /* Remove half the files and list again. */
    for (int i = 0; i < 100; i += 2) {
        char name[32];
        snprintf(name, sizeof name, "dir/file%03d", i);
        OK(unlink(name));
    }
    OK(lseek(fd, 0, SEEK_SET));
    list(fd);
    printf("after removing 50: %d entries plus . and ..\n", count);
    CHECK(count == 51 && dots == 2, "51 entries");

    char tiny[8];
    OK(lseek(fd, 0, SEEK_SET));
    EXPECT_ERRNO("getdents64 with an 8-byte buffer", syscall(SYS_getdents64, fd, tiny, sizeof tiny), EINVAL);
    int file = OK(open("dir/file001", O_RDONLY));
    char buf[256];
    EXPECT_ERRNO("getdents64 on a file", syscall(SYS_getdents64, file, buf, sizeof buf), ENOTDIR);

    /* An empty directory lists only . and .. */
    OK(mkdir("empty", 0755));
    int e = OK(open("empty", O_RDONLY | O_DIRECTORY));
    list(e);
    printf("empty directory: %d entries plus %d dots\n", count, dots);
    CHECK(count == 0 && dots == 2, "empty");
    ct_pass();
}
