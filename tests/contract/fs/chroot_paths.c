/* Contract: after chroot(2), paths are what the process sees from its new
 * root: getcwd gives "(unreachable)" for a working directory left outside,
 * then paths below the new root; "/.." stays at the root; /proc (opened
 * before the chroot) shows the working directory and root from the new
 * root and leaves out the mounts the process cannot reach. chroot itself
 * needs a directory (ENOTDIR, ENOENT) and root (EPERM). */
#include "contract.h"

#include <sys/syscall.h>

static void show_cwd(char const *what)
{
    char buffer[4096];
    CHECK(getcwd(buffer, sizeof buffer), "getcwd");
    printf("%s: %s\n", what, buffer);
}

static void show_link(int proc, char const *name)
{
    char buffer[4096];
    ssize_t n = readlinkat(proc, name, buffer, sizeof buffer - 1);
    CHECK(n >= 0, "readlinkat");
    buffer[n] = 0;
    printf("/proc/%s -> %s\n", name, buffer);
}

static int chroot_as_user(void) { return chroot(".") == 0 ? 0 : errno; }

int main(void)
{
    ct_enter_tmpdir();
    OK(mkdir("jail", 0755));
    OK(mkdir("jail/sub", 0755));
    ct_write_file("jail/file", "inside\n", 0644);

    EXPECT_ERRNO("chroot to a file", chroot("jail/file"), ENOTDIR);
    EXPECT_ERRNO("chroot to a missing name", chroot("jail/missing"), ENOENT);
    ct_as_user("chroot as a user", chroot_as_user);

    fflush(stdout);
    pid_t child = ct_fork();
    if (child == 0) {
        int proc = OK(open("/proc", O_RDONLY | O_DIRECTORY));
        OK(chroot("jail"));
        /* The system call: libc's getcwd turns a path not starting with '/'
         * into ENOENT. */
        char buffer[4096];
        CHECK(syscall(SYS_getcwd, buffer, sizeof buffer) > 0, "getcwd system call");
        printf("getcwd outside the new root starts with (unreachable): %s\n",
               strncmp(buffer, "(unreachable)/", 14) == 0 ? "yes" : "no");
        OK(chdir("/"));
        show_cwd("after chdir /");
        OK(chdir("sub"));
        show_cwd("after chdir sub");
        show_link(proc, "self/cwd");
        show_link(proc, "self/root");
        OK(chdir("/.."));
        show_cwd("after chdir /..");
        int fd = OK(open("/sub/../file", O_RDONLY));
        char data[16] = { 0 };
        OK(read(fd, data, sizeof data - 1));
        printf("/sub/../file: %s", data);
        char link[64];
        snprintf(link, sizeof link, "self/fd/%d", fd);
        show_link(proc, link);
        close(fd);
        int mounts = OK(openat(proc, "self/mounts", O_RDONLY));
        char text[4096];
        ssize_t got = OK(read(mounts, text, sizeof text));
        int lines = 0;
        for (ssize_t i = 0; i < got; i++) lines += text[i] == '\n';
        printf("/proc/self/mounts lines seen from the jail: %d\n", lines);
        fflush(stdout);
        _exit(0);
    }
    EXPECT("the chrooted child exits 0", ct_wait(child) == 0);
    ct_pass();
}
