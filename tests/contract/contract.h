/*
 * contract.h: the few helpers the contract tests share.
 *
 * A contract test (tests/contract/<area>/<name>.c) is a static program that
 * prints deterministic facts -- never pids, addresses, times or inode
 * numbers -- and ends with the line CONTRACT_PASS. When an expectation taken
 * from Linux's documented behaviour does not hold, it prints
 * "CONTRACT_FAIL <what>" and exits 1. The same binary runs on the host and
 * inside aramid, and the two outputs are compared line by line, so every
 * line printed must be the same on any correct Linux.
 *
 * Rules the helpers rely on: stdout is flushed before fork/exec/_exit
 * (ct_fork does it), children report by exit status or through a pipe, and
 * nothing is written to stderr.
 */
#pragma once

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The pid of the process that started the test (set before main). A failing
 * check in a forked child uses _exit, so that the child does not run the
 * parent's atexit clean-up. */
static pid_t ct_main_pid;
__attribute__((constructor)) static void ct_note_main_pid(void) { ct_main_pid = getpid(); }

static inline char const *errno_name(int e)
{
    switch (e) {
    case 0: return "0";
#define CT_E(x) \
    case x: return #x;
        CT_E(EPERM) CT_E(ENOENT) CT_E(ESRCH) CT_E(EINTR) CT_E(EIO) CT_E(ENXIO) CT_E(E2BIG) CT_E(ENOEXEC)
        CT_E(EBADF) CT_E(ECHILD) CT_E(EAGAIN) CT_E(ENOMEM) CT_E(EACCES) CT_E(EFAULT) CT_E(EBUSY)
        CT_E(EEXIST) CT_E(EXDEV) CT_E(ENODEV) CT_E(ENOTDIR) CT_E(EISDIR) CT_E(EINVAL) CT_E(ENFILE)
        CT_E(EMFILE) CT_E(ENOTTY) CT_E(ETXTBSY) CT_E(EFBIG) CT_E(ENOSPC) CT_E(ESPIPE) CT_E(EROFS)
        CT_E(EMLINK) CT_E(EPIPE) CT_E(EDOM) CT_E(ERANGE) CT_E(EDEADLK) CT_E(ENAMETOOLONG) CT_E(ENOSYS)
        CT_E(ENOTEMPTY) CT_E(ELOOP) CT_E(ENOMSG) CT_E(EOVERFLOW) CT_E(ENOTSOCK) CT_E(EDESTADDRREQ)
        CT_E(EMSGSIZE) CT_E(EPROTOTYPE) CT_E(ENOPROTOOPT) CT_E(EPROTONOSUPPORT) CT_E(ESOCKTNOSUPPORT)
        CT_E(EOPNOTSUPP) CT_E(EAFNOSUPPORT) CT_E(EADDRINUSE) CT_E(EADDRNOTAVAIL) CT_E(ECONNABORTED)
        CT_E(ECONNRESET) CT_E(EISCONN) CT_E(ENOTCONN) CT_E(ETIMEDOUT) CT_E(ECONNREFUSED)
        CT_E(EALREADY) CT_E(EINPROGRESS) CT_E(ECANCELED) CT_E(ELIBBAD) CT_E(ENODATA)
#undef CT_E
    }
    static char other[24];
    snprintf(other, sizeof other, "errno %d", e);
    return other;
}

static inline char const *signal_name(int s)
{
    static char const *const names[] = {
        [SIGHUP] = "SIGHUP",   [SIGINT] = "SIGINT",       [SIGQUIT] = "SIGQUIT", [SIGILL] = "SIGILL",
        [SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT",     [SIGBUS] = "SIGBUS",   [SIGFPE] = "SIGFPE",
        [SIGKILL] = "SIGKILL", [SIGUSR1] = "SIGUSR1",     [SIGSEGV] = "SIGSEGV", [SIGUSR2] = "SIGUSR2",
        [SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM",     [SIGTERM] = "SIGTERM", [SIGSTKFLT] = "SIGSTKFLT",
        [SIGCHLD] = "SIGCHLD", [SIGCONT] = "SIGCONT",     [SIGSTOP] = "SIGSTOP", [SIGTSTP] = "SIGTSTP",
        [SIGTTIN] = "SIGTTIN", [SIGTTOU] = "SIGTTOU",     [SIGURG] = "SIGURG",   [SIGXCPU] = "SIGXCPU",
        [SIGXFSZ] = "SIGXFSZ", [SIGVTALRM] = "SIGVTALRM", [SIGPROF] = "SIGPROF", [SIGWINCH] = "SIGWINCH",
        [SIGIO] = "SIGIO",     [SIGPWR] = "SIGPWR",       [SIGSYS] = "SIGSYS",
    };
    static char other[24];
    if (s > 0 && s < (int)(sizeof names / sizeof names[0]) && names[s]) return names[s];
    if (s >= SIGRTMIN && s <= SIGRTMAX)
        snprintf(other, sizeof other, "SIGRTMIN+%d", s - SIGRTMIN);
    else
        snprintf(other, sizeof other, "signal %d", s);
    return other;
}

/* "exited 3", "killed by SIGTERM", "stopped by SIGSTOP", "continued". */
static inline char const *status_text(int status)
{
    static char text[48];
    if (WIFEXITED(status))
        snprintf(text, sizeof text, "exited %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(text, sizeof text, "killed by %s", signal_name(WTERMSIG(status)));
    else if (WIFSTOPPED(status))
        snprintf(text, sizeof text, "stopped by %s", signal_name(WSTOPSIG(status)));
    else if (WIFCONTINUED(status))
        snprintf(text, sizeof text, "continued");
    else
        snprintf(text, sizeof text, "status %#x", status);
    return text;
}

static inline __attribute__((noreturn)) void ct_exit_failed(void)
{
    fflush(stdout);
    if (getpid() == ct_main_pid) exit(1);
    _exit(1);
}

static inline __attribute__((noreturn)) void ct_fail(char const *what, int line)
{
    printf("CONTRACT_FAIL %s (line %d)\n", what, line);
    ct_exit_failed();
}

static inline __attribute__((noreturn)) void ct_fail_errno(char const *what, int error, int line)
{
    printf("CONTRACT_FAIL %s: %s (line %d)\n", what, errno_name(error), line);
    ct_exit_failed();
}

static inline __attribute__((noreturn)) void ct_pass(void)
{
    printf("CONTRACT_PASS\n");
    fflush(stdout);
    exit(0);
}

/* CHECK(cond, what): fail unless cond holds. */
#define CHECK(cond, what)                            \
    do {                                             \
        if (!(cond)) ct_fail((what), __LINE__);      \
    } while (0)

/* EXPECT(what, cond): print "what: yes", or fail. */
#define EXPECT(what, cond)                           \
    do {                                             \
        if (!(cond)) ct_fail((what), __LINE__);      \
        printf("%s: yes\n", (what));                 \
    } while (0)

/* OK(expr): evaluate a call that returns -1 (or MAP_FAILED) on failure;
 * fail with the errno if it did, else yield its value. */
#define OK(expr)                                                                \
    ({                                                                          \
        __typeof__(expr) ct_r_ = (expr);                                        \
        if ((long)ct_r_ == -1) ct_fail_errno(#expr, errno, __LINE__);           \
        ct_r_;                                                                  \
    })

static inline void ct_expect_errno(char const *what, long ret, int error, int expected, int line)
{
    if (ret != -1) {
        printf("CONTRACT_FAIL %s: returned %ld, expected %s (line %d)\n", what, ret, errno_name(expected), line);
        ct_exit_failed();
    }
    if (error != expected) {
        printf("CONTRACT_FAIL %s: %s", what, errno_name(error));
        printf(", expected %s (line %d)\n", errno_name(expected), line);
        ct_exit_failed();
    }
    printf("%s: %s\n", what, errno_name(error));
}

/* EXPECT_ERRNO(what, expr, E): expr must fail (-1) with errno E; prints
 * "what: E". */
#define EXPECT_ERRNO(what, expr, expected)                                      \
    do {                                                                        \
        errno = 0;                                                              \
        long ct_r_ = (long)(expr);                                              \
        ct_expect_errno((what), ct_r_, errno, (expected), __LINE__);           \
    } while (0)

/* fork() with stdout flushed first, so that buffered lines are not printed
 * twice. */
static inline pid_t ct_fork(void)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) ct_fail_errno("fork", errno, __LINE__);
    return pid;
}

/* waitpid(pid, 0) retried across EINTR; returns the status. */
static inline int ct_wait(pid_t pid)
{
    int status;
    pid_t r;
    while ((r = waitpid(pid, &status, 0)) < 0 && errno == EINTR) { }
    if (r != pid) ct_fail_errno("waitpid", errno, __LINE__);
    return status;
}

/* One byte through a pipe: the synchronisation between processes. */
static inline void ct_post(int fd)
{
    char c = 'x';
    while (write(fd, &c, 1) != 1)
        if (errno != EINTR) ct_fail_errno("ct_post write", errno, __LINE__);
}

static inline void ct_await(int fd)
{
    char c;
    ssize_t n;
    while ((n = read(fd, &c, 1)) < 0 && errno == EINTR) { }
    if (n != 1) ct_fail_errno("ct_await read", n == 0 ? 0 : errno, __LINE__);
}

/* ---- the per-test scratch directory under /tmp ---- */

static char ct_dir[64];

static inline void ct_remove_tree(int parent, char const *name)
{
    int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    if (fd >= 0) {
        DIR *dir = fdopendir(fd);
        struct dirent *e;
        while (dir && (e = readdir(dir))) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
            fchmodat(fd, e->d_name, 0700, 0);
            if (unlinkat(fd, e->d_name, 0) < 0) ct_remove_tree(fd, e->d_name);
        }
        if (dir) closedir(dir);
        else close(fd);
    }
    unlinkat(parent, name, AT_REMOVEDIR);
}

static inline void ct_cleanup_dir(void)
{
    if (getpid() != ct_main_pid || !ct_dir[0]) return;
    if (chdir("/tmp") < 0) return;
    ct_remove_tree(AT_FDCWD, ct_dir);
}

/* Creates a fresh /tmp/ct.XXXXXX (mode 0755, so that an unprivileged child
 * can enter it), makes it the working directory, and removes it at exit.
 * Its name is random: never print it. */
static inline void ct_enter_tmpdir(void)
{
    strcpy(ct_dir, "/tmp/ct.XXXXXX");
    if (!mkdtemp(ct_dir)) ct_fail_errno("mkdtemp", errno, __LINE__);
    OK(chmod(ct_dir, 0755));
    OK(chdir(ct_dir));
    atexit(ct_cleanup_dir);
}

/* Writes a whole file (created with `mode`, umask permitting). */
static inline void ct_write_file(char const *path, char const *data, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (fd < 0) ct_fail_errno(path, errno, __LINE__);
    size_t len = strlen(data);
    if (write(fd, data, len) != (ssize_t)len) ct_fail_errno("write file", errno, __LINE__);
    close(fd);
}

/* Drops to uid/gid `id` with no supplementary groups (in a forked child). */
static inline void ct_become_user(unsigned id)
{
    OK(setgroups(0, NULL));
    OK(setresgid(id, id, id));
    OK(setresuid(id, id, id));
}

/* Runs `call` in a child as uid 1000 and prints "uid 1000, what: " and
 * "allowed" (it returned 0) or the errno name it returned. */
static inline void ct_as_user(char const *what, int (*call)(void))
{
    pid_t child = ct_fork();
    if (child == 0) {
        ct_become_user(1000);
        _exit(call());
    }
    int status = ct_wait(child);
    CHECK(WIFEXITED(status), "child exited");
    int result = WEXITSTATUS(status);
    printf("uid 1000, %s: %s\n", what, result == 0 ? "allowed" : errno_name(result));
}

/* ---- probing memory that may fault (vm tests) ---- */

#include <setjmp.h>

static sigjmp_buf ct_probe_env;
static siginfo_t ct_probe_info; /* the last fault's siginfo */

static inline void ct_probe_handler(int sig, siginfo_t *info, void *context)
{
    (void)sig;
    (void)context;
    ct_probe_info = *info;
    siglongjmp(ct_probe_env, 1);
}

/* Reads (write == 0) or writes one byte at p, catching SIGSEGV and SIGBUS.
 * Returns 0 if the access worked (the byte read goes to *value), else the
 * signal number, with the details in ct_probe_info. */
static inline int ct_probe(volatile char *p, int write, char *value)
{
    struct sigaction sa, old_segv, old_bus;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = ct_probe_handler;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, &old_segv);
    sigaction(SIGBUS, &sa, &old_bus);
    int result = 0;
    memset(&ct_probe_info, 0, sizeof ct_probe_info);
    if (sigsetjmp(ct_probe_env, 1) == 0) {
        if (write)
            *p = value ? *value : 0;
        else if (value)
            *value = *p;
        else
            (void)*p;
    } else {
        result = ct_probe_info.si_signo;
    }
    sigaction(SIGSEGV, &old_segv, NULL);
    sigaction(SIGBUS, &old_bus, NULL);
    return result;
}
