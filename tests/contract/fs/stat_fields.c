/* Contract: stat reports the size, the file type bits and permission bits,
 * st_nlink (1 for a new file, +1 per hard link; 2 for an empty directory,
 * +1 per subdirectory), owner ids, st_blksize > 0, a symlink's length as its
 * size, and character devices' st_rdev. */
#include "contract.h"
#include <sys/sysmacros.h>

int main(void)
{
    ct_enter_tmpdir();
    umask(0);
    static char data[1234];
    memset(data, 'z', sizeof data);
    int fd = OK(open("f", O_WRONLY | O_CREAT, 0640));
    CHECK(write(fd, data, sizeof data) == (ssize_t)sizeof data, "write");
    struct stat st;
    OK(fstat(fd, &st));
    printf("file: size %ld, regular %s, mode %04o, nlink %lu, uid %u, gid %u\n", (long)st.st_size,
           S_ISREG(st.st_mode) ? "yes" : "no", st.st_mode & 07777, (unsigned long)st.st_nlink, st.st_uid, st.st_gid);
    CHECK(st.st_size == 1234 && S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0640 && st.st_nlink == 1, "file");
    CHECK(st.st_uid == getuid() && st.st_gid == getgid(), "owner");
    EXPECT("st_blksize > 0", st.st_blksize > 0);
    struct stat by_path;
    OK(stat("f", &by_path));
    EXPECT("stat and fstat agree", by_path.st_ino == st.st_ino && by_path.st_dev == st.st_dev &&
                                       by_path.st_size == st.st_size && by_path.st_mode == st.st_mode);

    OK(link("f", "g"));
    OK(link("f", "h"));
    OK(stat("g", &st));
    printf("after two hard links: nlink %lu\n", (unsigned long)st.st_nlink);
    CHECK(st.st_nlink == 3, "nlink 3");
    OK(fstat(fd, &st));
    EXPECT("the open fd sees the same nlink", st.st_nlink == 3);

    OK(mkdir("d", 0751));
    OK(stat("d", &st));
    printf("empty directory: directory %s, mode %04o, nlink %lu\n", S_ISDIR(st.st_mode) ? "yes" : "no",
           st.st_mode & 07777, (unsigned long)st.st_nlink);
    CHECK(S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0751 && st.st_nlink == 2, "directory");
    OK(mkdir("d/s1", 0755));
    OK(mkdir("d/s2", 0755));
    ct_write_file("d/file", "", 0644);
    OK(stat("d", &st));
    printf("with two subdirectories and a file: nlink %lu\n", (unsigned long)st.st_nlink);
    CHECK(st.st_nlink == 4, "nlink 4");
    OK(rmdir("d/s1"));
    OK(stat("d", &st));
    EXPECT("rmdir of a subdirectory decrements it", st.st_nlink == 3);

    OK(symlink("a/target/of/17b", "sl"));
    OK(lstat("sl", &st));
    printf("symlink: link %s, size %ld\n", S_ISLNK(st.st_mode) ? "yes" : "no", (long)st.st_size);
    CHECK(S_ISLNK(st.st_mode) && st.st_size == 15, "symlink size is the target length");

    OK(mkfifo("fifo", 0600));
    OK(stat("fifo", &st));
    EXPECT("mkfifo makes a FIFO", S_ISFIFO(st.st_mode) && st.st_size == 0);
    int p[2];
    OK(pipe(p));
    OK(fstat(p[0], &st));
    EXPECT("a pipe is S_ISFIFO", S_ISFIFO(st.st_mode));
    OK(stat("/dev/null", &st));
    printf("/dev/null: char device %s, major %u, minor %u\n", S_ISCHR(st.st_mode) ? "yes" : "no", major(st.st_rdev),
           minor(st.st_rdev));
    CHECK(S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && minor(st.st_rdev) == 3, "/dev/null is 1:3");
    OK(stat("/dev/zero", &st));
    CHECK(S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && minor(st.st_rdev) == 5, "/dev/zero is 1:5");
    printf("/dev/zero: 1:5\n");
    ct_pass();
}
