/*
 * linux-init: /init of the initramfs in which aramid-bench boots Debian's
 * Linux kernel under QEMU TCG (and bench/boot_times.py times that boot).
 *
 * It mounts /dev (devtmpfs), /proc and /tmp, takes the console as its
 * stdin/stdout/stderr, prints the marker line "ARAMID-BENCH-INIT", runs the
 * NUL-separated argv in /bench/argv (if there is one) as a child in its own
 * session, prints "ARAMID-BENCH-EXIT <status>" and reboots, which ends QEMU
 * (it runs with -no-reboot). It does for Linux what aramid-init does for
 * aramid, plus the mounts that aramid's kernel does itself.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define ARGV_FILE "/bench/argv"
#define MAX_ARGS 256

static void take_console(void)
{
    int fd = open("/dev/console", O_RDWR);
    if (fd < 0)
        return;
    for (int i = 0; i < 3; i++)
        dup2(fd, i);
    if (fd > 2)
        close(fd);
}

static char** read_argv(void)
{
    static char data[8192];
    static char* argv[MAX_ARGS + 1];
    int fd = open(ARGV_FILE, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    ssize_t size = read(fd, data, sizeof(data) - 1);
    close(fd);
    if (size <= 0)
        return NULL;
    data[size] = 0;
    int argc = 0;
    for (ssize_t i = 0; i < size && argc < MAX_ARGS; i += (ssize_t)strlen(data + i) + 1)
        argv[argc++] = data + i;
    argv[argc] = NULL;
    return argv;
}

static void finish(int status)
{
    printf("ARAMID-BENCH-EXIT %d\n", status);
    fflush(stdout);
    sync();
    reboot(RB_AUTOBOOT);
    for (;;)
        pause();
}

int main(void)
{
    mkdir("/dev", 0755);
    mkdir("/proc", 0555);
    mkdir("/tmp", 01777);
    mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
    take_console();
    mount("proc", "/proc", "proc", 0, NULL);
    mount("tmpfs", "/tmp", "tmpfs", 0, "mode=1777");
    printf("ARAMID-BENCH-INIT\n");
    fflush(stdout);

    char** argv = read_argv();
    if (!argv)
        finish(0);
    setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
    setenv("HOME", "/root", 1);
    pid_t child = fork();
    if (child == 0) {
        setsid();
        chdir("/");
        execv(argv[0], argv);
        fprintf(stderr, "linux-init: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    if (child < 0)
        finish(126);
    for (;;) {
        int status;
        pid_t pid = waitpid(-1, &status, 0);
        if (pid == child)
            finish(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
        if (pid < 0 && errno == ECHILD)
            finish(1);
    }
}
