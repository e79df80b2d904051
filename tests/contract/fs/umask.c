/* Contract: umask returns the previous mask and its bits are cleared from
 * the mode of files, directories and FIFOs created afterwards; explicit
 * chmod is not affected. */
#include "contract.h"

static unsigned mode_of(char const *path)
{
    struct stat st;
    OK(lstat(path, &st));
    return st.st_mode & 07777;
}

int main(void)
{
    ct_enter_tmpdir();
    umask(022);
    printf("umask(077) returned %04o\n", (unsigned)umask(077));
    printf("umask(022) returned %04o\n", (unsigned)umask(022));

    close(OK(open("f644", O_WRONLY | O_CREAT, 0666)));
    OK(mkdir("d755", 0777));
    OK(mkfifo("p644", 0666));
    printf("umask 022: file %04o, directory %04o, fifo %04o\n", mode_of("f644"), mode_of("d755"), mode_of("p644"));
    CHECK(mode_of("f644") == 0644 && mode_of("d755") == 0755 && mode_of("p644") == 0644, "022 applied");

    umask(077);
    close(OK(open("f600", O_WRONLY | O_CREAT, 0666)));
    OK(mkdir("d700", 0777));
    printf("umask 077: file %04o, directory %04o\n", mode_of("f600"), mode_of("d700"));
    CHECK(mode_of("f600") == 0600 && mode_of("d700") == 0700, "077 applied");

    umask(0);
    close(OK(open("f666", O_WRONLY | O_CREAT, 0666)));
    OK(mkdir("d1777", 01777));
    printf("umask 000: file %04o, directory %04o\n", mode_of("f666"), mode_of("d1777"));
    CHECK(mode_of("f666") == 0666 && mode_of("d1777") == 01777, "nothing cleared");

    umask(0777);
    close(OK(open("f000", O_WRONLY | O_CREAT, 0666)));
    unsigned created = mode_of("f000");
    OK(chmod("f000", 0754));
    printf("umask 777: new file %04o, chmod 0754 gives %04o\n", created, mode_of("f000"));
    CHECK(created == 0 && mode_of("f000") == 0754, "chmod ignores the umask");
    /* umask only takes the permission bits. */
    umask(0);
    EXPECT("umask keeps only 0777", umask(0) == 0);
    umask(07777);
    EXPECT("umask(07777) reads back as 0777", umask(022) == 0777);

    /* The mask is inherited by a child. */
    umask(027);
    pid_t child = ct_fork();
    if (child == 0) _exit(umask(0) == 027 ? 0 : 1);
    int status = ct_wait(child);
    EXPECT("a child inherits the umask", WIFEXITED(status) && WEXITSTATUS(status) == 0);
    ct_pass();
}
