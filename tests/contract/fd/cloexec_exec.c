/* Contract: across execve, fds with FD_CLOEXEC (O_CLOEXEC, pipe2, F_SETFD)
 * are closed (EBADF in the new image) and the others stay open with their
 * offset. The test re-executes itself with the fd numbers as arguments. */
#include "contract.h"

static int child_main(int argc, char **argv)
{
    CHECK(argc == 7, "argument count");
    static char const *const names[] = { "O_CLOEXEC open", "plain open", "pipe2 O_CLOEXEC read end",
                                         "plain pipe write end", "F_SETFD FD_CLOEXEC" };
    for (int i = 0; i < 5; i++) {
        int fd = atoi(argv[2 + i]);
        errno = 0;
        int flags = fcntl(fd, F_GETFD);
        printf("in the new image, %s: %s\n", names[i], flags < 0 ? errno_name(errno) : "open");
    }
    /* The plain file was read up to offset 3 before exec. */
    char c;
    CHECK(read(atoi(argv[3]), &c, 1) == 1, "read the inherited fd");
    printf("inherited fd continues at the old offset: '%c'\n", c);
    fflush(stdout);
    int expected = fcntl(atoi(argv[2]), F_GETFD) == -1 && fcntl(atoi(argv[3]), F_GETFD) == 0
        && fcntl(atoi(argv[4]), F_GETFD) == -1 && fcntl(atoi(argv[5]), F_GETFD) == 0
        && fcntl(atoi(argv[6]), F_GETFD) == -1 && c == 'd';
    _exit(expected ? 0 : 1);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--ct-child") == 0) return child_main(argc, argv);
    ct_enter_tmpdir();
    ct_write_file("f", "abcdef", 0644);
    int cloexec = OK(open("f", O_RDONLY | O_CLOEXEC));
    int plain = OK(open("f", O_RDONLY));
    char buf[3];
    CHECK(read(plain, buf, 3) == 3, "read 3 bytes");
    int p[2], q[2];
    OK(pipe2(p, O_CLOEXEC));
    OK(pipe(q));
    int later = OK(open("f", O_RDONLY));
    EXPECT("O_CLOEXEC sets FD_CLOEXEC", fcntl(cloexec, F_GETFD) == FD_CLOEXEC);
    EXPECT("pipe2 O_CLOEXEC sets it on both ends", fcntl(p[0], F_GETFD) == FD_CLOEXEC && fcntl(p[1], F_GETFD) == FD_CLOEXEC);
    EXPECT("plain open leaves it clear", fcntl(plain, F_GETFD) == 0);
    OK(fcntl(later, F_SETFD, FD_CLOEXEC));
    EXPECT("F_SETFD sets it", fcntl(later, F_GETFD) == FD_CLOEXEC);

    pid_t child = ct_fork();
    if (child == 0) {
        char a[5][16];
        int fds[5] = { cloexec, plain, p[0], q[1], later };
        for (int i = 0; i < 5; i++) snprintf(a[i], sizeof a[i], "%d", fds[i]);
        char *args[] = { argv[0], "--ct-child", a[0], a[1], a[2], a[3], a[4], NULL };
        execv(argv[0], args);
        _exit(2);
    }
    int status = ct_wait(child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the new image saw the expected fds");
    printf("child %s\n", status_text(status));
    EXPECT("the parent's fds are unaffected", fcntl(cloexec, F_GETFD) == FD_CLOEXEC && fcntl(p[0], F_GETFD) == FD_CLOEXEC);
    ct_pass();
}
