/*
 * aramid-init: the default /init (pid 1).
 *
 * It runs one program as its child -- the argv in /.aramid/argv, which
 * aramid-vmm (or the contract runner) adds to the initramfs, NUL-separated
 * -- or, without that file, an interactive /bin/sh. The program never runs
 * as pid 1, because a program behaves differently there (signals, orphans).
 * When it exits, init exits with its status (128+n if killed by signal n),
 * and the kernel turns init's exit into the VM's exit status.
 *
 * The child gets its own session with the console as its controlling
 * terminal, so that job control (^C, ^Z) reaches it and not init.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define ARGV_FILE "/.aramid/argv"
#define MAX_ARGS 4096

static char *default_argv[] = { "/bin/sh", NULL };

/* Reads /.aramid/argv into a NULL-terminated vector, or returns NULL. */
static char **read_argv(void)
{
    int fd = open(ARGV_FILE, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    if (fstat(fd, &st) < 0 || st.st_size <= 0) {
        close(fd);
        return NULL;
    }
    char *data = malloc((size_t)st.st_size + 1);
    char **argv = malloc(sizeof(char *) * (MAX_ARGS + 1));
    if (!data || !argv) {
        close(fd);
        return NULL;
    }
    ssize_t got = 0;
    while (got < st.st_size) {
        ssize_t n = read(fd, data + got, (size_t)(st.st_size - got));
        if (n <= 0)
            break;
        got += n;
    }
    close(fd);
    data[got] = 0;
    int argc = 0;
    for (ssize_t i = 0; i < got && argc < MAX_ARGS;) {
        argv[argc++] = data + i;
        i += (ssize_t)strlen(data + i) + 1;
    }
    argv[argc] = NULL;
    return argc ? argv : NULL;
}

static int status_to_exit_code(int status)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return 1;
}

int main(void)
{
    char **argv = read_argv();
    int interactive = argv == NULL;
    if (interactive)
        argv = default_argv;

    /* init itself ignores the terminal's signals; the child resets them. */
    signal(SIGINT, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    signal(SIGTSTP, SIG_IGN);
    signal(SIGTTIN, SIG_IGN);
    signal(SIGTTOU, SIG_IGN);
    setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 0);
    setenv("HOME", "/root", 0);
    setenv("PWD", "/", 1);
    if (interactive)
        setenv("PS1", "\\w \\$ ", 0);

    pid_t child = fork();
    if (child < 0) {
        fprintf(stderr, "aramid-init: fork: %s\n", strerror(errno));
        return 1;
    }
    if (child == 0) {
        setsid();
        if (isatty(0)) {
            ioctl(0, TIOCSCTTY, 0);
            tcsetpgrp(0, getpid());
        }
        signal(SIGINT, SIG_DFL);
        signal(SIGQUIT, SIG_DFL);
        signal(SIGTSTP, SIG_DFL);
        signal(SIGTTIN, SIG_DFL);
        signal(SIGTTOU, SIG_DFL);
        if (chdir(interactive ? "/root" : "/") < 0)
            (void)chdir("/");
        execvp(argv[0], argv);
        int error = errno;
        fprintf(stderr, "aramid-init: cannot run %s: %s\n", argv[0], strerror(error));
        _exit(error == ENOENT ? 127 : 126);
    }

    /* Reap everything; leave when the program itself has exited. */
    for (;;) {
        int status;
        pid_t pid = waitpid(-1, &status, 0);
        if (pid == child)
            return status_to_exit_code(status);
        if (pid < 0 && errno == ECHILD)
            return 1;
    }
}
