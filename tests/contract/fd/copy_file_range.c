/* Contract: copy_file_range(2) copies between regular files of one file
 * system, from and to the given offsets (updated) or the files' positions
 * (advanced), short at the end of the input; its errors: flags EINVAL,
 * a descriptor not open for reading or writing (or O_APPEND) EBADF, a
 * directory EISDIR, a pipe or device EINVAL, another file system EXDEV,
 * overlapping ranges of one file EINVAL, a negative offset EOVERFLOW, a
 * bad offset pointer EFAULT. posix_fadvise
 * (fadvise64) is advice: 0 for a file, ESPIPE for a pipe, EINVAL for an
 * unknown advice or a negative length, EBADF for a bad descriptor. */
#include "contract.h"

#include <sys/syscall.h>

static long cfr(int in, long long *off_in, int out, long long *off_out, size_t len, unsigned flags)
{
    return syscall(SYS_copy_file_range, in, off_in, out, off_out, len, flags);
}

static long fadvise(int fd, long long offset, long long len, int advice)
{
    return syscall(SYS_fadvise64, fd, offset, len, advice);
}

static void show(char const *what, char const *path)
{
    char buffer[64] = { 0 };
    int fd = OK(open(path, O_RDONLY));
    ssize_t n = OK(read(fd, buffer, sizeof buffer - 1));
    close(fd);
    printf("%s: %zd bytes \"%s\"\n", what, n, buffer);
}

int main(void)
{
    ct_enter_tmpdir();
    ct_write_file("in", "0123456789abcdef", 0644);
    int in = OK(open("in", O_RDONLY));
    int out = OK(open("out", O_WRONLY | O_CREAT | O_TRUNC, 0644));

    printf("copy 4 at the positions: %ld\n", cfr(in, NULL, out, NULL, 4, 0));
    printf("positions after: in %ld, out %ld\n", (long)lseek(in, 0, SEEK_CUR), (long)lseek(out, 0, SEEK_CUR));
    long long off_in = 10, off_out = 20;
    printf("copy 100 from offset 10 to offset 20: %ld\n", cfr(in, &off_in, out, &off_out, 100, 0));
    printf("offsets after: in %lld, out %lld; positions unchanged: in %ld, out %ld\n", off_in, off_out,
           (long)lseek(in, 0, SEEK_CUR), (long)lseek(out, 0, SEEK_CUR));
    off_in = 100;
    printf("from past the end: %ld\n", cfr(in, &off_in, out, NULL, 10, 0));
    printf("length 0: %ld\n", cfr(in, NULL, out, NULL, 0, 0));
    show("out", "out");

    EXPECT_ERRNO("flags 1", cfr(in, NULL, out, NULL, 4, 1), EINVAL);
    EXPECT_ERRNO("input not readable", cfr(out, NULL, out, NULL, 4, 0), EBADF);
    EXPECT_ERRNO("output not writable", cfr(in, NULL, in, NULL, 4, 0), EBADF);
    EXPECT_ERRNO("a closed descriptor", cfr(99, NULL, out, NULL, 4, 0), EBADF);
    int append = OK(open("out", O_WRONLY | O_APPEND));
    EXPECT_ERRNO("output O_APPEND", cfr(in, NULL, append, NULL, 4, 0), EBADF);
    int dir = OK(open(".", O_RDONLY | O_DIRECTORY));
    EXPECT_ERRNO("input a directory", cfr(dir, NULL, out, NULL, 4, 0), EISDIR);
    int pipes[2];
    OK(pipe(pipes));
    EXPECT_ERRNO("output a pipe", cfr(in, NULL, pipes[1], NULL, 4, 0), EINVAL);
    EXPECT_ERRNO("input a pipe", cfr(pipes[0], NULL, out, NULL, 4, 0), EINVAL);
    int both = OK(open("in", O_RDWR));
    long long a = 0, b = 4;
    EXPECT_ERRNO("overlapping ranges of one file", cfr(both, &a, both, &b, 8, 0), EINVAL);
    a = 0, b = 8;
    printf("adjacent ranges of one file: %ld\n", cfr(both, &a, both, &b, 8, 0));
    show("in", "in");
    char shm[64];
    snprintf(shm, sizeof shm, "/dev/shm/ct-cfr-%d", (int)getpid());
    int other = OK(open(shm, O_RDWR | O_CREAT | O_TRUNC, 0600));
    unlink(shm);
    EXPECT_ERRNO("to another file system", cfr(in, NULL, other, NULL, 4, 0), EXDEV);
    int null = OK(open("/dev/null", O_WRONLY));
    EXPECT_ERRNO("to a device", cfr(in, NULL, null, NULL, 4, 0), EINVAL);
    a = -1;
    EXPECT_ERRNO("a negative input offset", cfr(in, &a, out, NULL, 4, 0), EOVERFLOW);
    EXPECT_ERRNO("a bad offset pointer", cfr(in, (long long *)16, out, NULL, 4, 0), EFAULT);

    printf("fadvise WILLNEED: %ld\n", fadvise(in, 0, 0, POSIX_FADV_WILLNEED));
    printf("fadvise SEQUENTIAL, negative offset: %ld\n", fadvise(in, -5, 10, POSIX_FADV_SEQUENTIAL));
    printf("fadvise DONTNEED on the output: %ld\n", fadvise(out, 0, 100, POSIX_FADV_DONTNEED));
    EXPECT_ERRNO("fadvise unknown advice", fadvise(in, 0, 0, 99), EINVAL);
    EXPECT_ERRNO("fadvise negative length", fadvise(in, 0, -1, POSIX_FADV_NORMAL), EINVAL);
    EXPECT_ERRNO("fadvise on a pipe", fadvise(pipes[0], 0, 0, POSIX_FADV_NORMAL), ESPIPE);
    EXPECT_ERRNO("fadvise on a closed descriptor", fadvise(99, 0, 0, POSIX_FADV_NORMAL), EBADF);
    printf("fadvise on a directory: %ld\n", fadvise(dir, 0, 0, POSIX_FADV_NORMAL));
    ct_pass();
}
