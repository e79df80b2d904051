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
 *
 * With `root=DEVICE` on the kernel command line (and `rootfstype=TYPE`,
 * default ext4; `rw`, default read-only, as Linux mounts a root;
 * `rootflags=OPTIONS`, the mount's data), init is
 * what an initramfs's /init is on Linux: it mounts DEVICE, moves /dev and
 * /proc into it and makes it the root (chroot) before it runs the program,
 * so a Debian or Alpine root file system's own binaries run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
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

#define NEW_ROOT "/.aramid/root"

/* The value of `key=` among the kernel's words before `--`, copied into
 * `out`; 0 if absent. A bare `key` (no '=') counts with an empty value. */
static int kernel_option(const char *key, char *out, size_t size)
{
    static char line[4096];
    static ssize_t length = -1;
    if (length < 0) {
        int fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
        length = fd < 0 ? 0 : read(fd, line, sizeof(line) - 1);
        if (length < 0)
            length = 0;
        line[length] = 0;
        if (fd >= 0)
            close(fd);
    }
    size_t key_length = strlen(key);
    int found = 0;
    for (char *word = line; *word;) {
        while (*word == ' ' || *word == '\n')
            word++;
        char *end = word;
        while (*end && *end != ' ' && *end != '\n')
            end++;
        size_t word_length = (size_t)(end - word);
        if (word_length == 2 && word[0] == '-' && word[1] == '-')
            break;
        if (word_length >= key_length && !strncmp(word, key, key_length)
            && (word_length == key_length || word[key_length] == '=')) {
            /* The last one wins, as for Linux's own options. */
            size_t value_length = word_length == key_length ? 0 : word_length - key_length - 1;
            if (value_length >= size)
                value_length = size - 1;
            memcpy(out, word + word_length - value_length, value_length);
            out[value_length] = 0;
            found = 1;
        }
        word = end;
    }
    return found;
}

static int is_directory(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Makes root=DEVICE the root: returns 0, or -1 after saying why. */
static int switch_root(void)
{
    char device[256], type[64], options[256], ignored[2];
    if (!kernel_option("root", device, sizeof(device)))
        return 0;
    if (!kernel_option("rootflags", options, sizeof(options)))
        options[0] = 0;
    if (!kernel_option("rootfstype", type, sizeof(type)))
        strcpy(type, "ext4");
    unsigned long flags = kernel_option("rw", ignored, sizeof(ignored)) ? 0 : MS_RDONLY;
    if (kernel_option("ro", ignored, sizeof(ignored)))
        flags = MS_RDONLY;
    mkdir("/.aramid", 0755);
    mkdir(NEW_ROOT, 0755);
    if (mount(device, NEW_ROOT, type, flags, options[0] ? options : NULL) < 0) {
        fprintf(stderr, "aramid-init: cannot mount root=%s (%s): %s\n", device, type, strerror(errno));
        return -1;
    }
    /* Where the root file system has the directories, /dev and /proc go
     * along (as an initramfs's switch_root does); without them, none. */
    static const char *const moved[] = { "/dev", "/proc" };
    for (size_t i = 0; i < sizeof(moved) / sizeof(moved[0]); i++) {
        char target[64];
        snprintf(target, sizeof(target), NEW_ROOT "%s", moved[i]);
        if (is_directory(target) && mount(moved[i], target, NULL, MS_MOVE, NULL) < 0)
            fprintf(stderr, "aramid-init: cannot move %s to the new root: %s\n", moved[i], strerror(errno));
    }
    if (chdir(NEW_ROOT) < 0 || chroot(".") < 0 || chdir("/") < 0) {
        fprintf(stderr, "aramid-init: cannot enter root=%s: %s\n", device, strerror(errno));
        return -1;
    }
    return 0;
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
    if (switch_root() < 0)
        return 1;
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
