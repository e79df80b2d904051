/*
 * aramid_bench: one static benchmark program that runs unchanged natively on
 * the host, as the program of an aramid VM, and under QEMU TCG (on aramid and
 * on Debian's Linux). aramid-bench (bench/aramid_bench_main.cpp) drives it
 * and compares the platforms.
 *
 * Every benchmark runs a fixed number of operations (not an adaptive count),
 * so that every platform does the same work; the counts are sized for about
 * 50-200 ms natively on the development host. `--quick` divides them by
 * kQuickDivisor for QEMU TCG. Each benchmark prints one line:
 *
 *   BENCH <name> <iterations> <total_ns> <ns_per_op>
 *   BENCH <name> unsupported <reason>     (the kernel lacks the feature: ENOSYS)
 *   BENCH <name> failed <reason>          (wrong result, crash, timeout)
 *
 * Each benchmark runs in a child process of its own (in its own process
 * group, with an alarm as a deadline), so that one that crashes or hangs
 * is reported as failed and the others still run. The child works in a
 * fresh directory (--dir, default /tmp/aramid-bench) and uses relative paths
 * only, so that path lengths are the same everywhere. The last line is
 *   BENCH_END <benchmarks> <failed> <unsupported> <wall_ns>
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <ftw.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define kQuickDivisor 10
#define kBusybox "/bin/busybox"
#define kPage 4096

/* ---- the context of one benchmark run ------------------------------------ */

enum Outcome { kOk = 0, kFailed = 1, kUnsupported = 2 };

struct Result {
    int outcome;
    long iterations;
    long long total_ns;
    char reason[200];
};

struct Context {
    long iterations; /* the operations to time */
    long long elapsed_ns;
    long long started_ns;
    struct Result* result;
};

static char const* g_self; /* absolute path of this binary, for exec_static */

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The timed region: benchmarks that need untimed work between operations
 * call start/stop more than once; the times add up. */
static void start(struct Context* c) { c->started_ns = now_ns(); }
static void stop(struct Context* c) { c->elapsed_ns += now_ns() - c->started_ns; }

static int report(struct Context* c, int outcome, char const* format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(c->result->reason, sizeof(c->result->reason), format, args);
    va_end(args);
    c->result->outcome = outcome;
    return outcome;
}

/* Fails with the errno of the call that just failed; ENOSYS means the
 * kernel does not have the call at all, which is reported as unsupported. */
static int fail_errno(struct Context* c, char const* what)
{
    int error = errno;
    if (error == ENOSYS)
        return report(c, kUnsupported, "%s: ENOSYS", what);
    return report(c, kFailed, "%s: %s", what, strerror(error));
}

#define CHECK(c, expression, what)                                                                                     \
    do {                                                                                                               \
        if ((expression) < 0)                                                                                          \
            return fail_errno(c, what);                                                                                \
    } while (0)

static int write_file(char const* path, void const* data, size_t size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    char const* p = data;
    while (size) {
        ssize_t n = write(fd, p, size);
        if (n <= 0) {
            close(fd);
            return -1;
        }
        p += n;
        size -= (size_t)n;
    }
    return close(fd);
}

static int full_read(int fd, void* buffer, size_t size)
{
    char* p = buffer;
    while (size) {
        ssize_t n = read(fd, p, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        size -= (size_t)n;
    }
    return 0;
}

static int full_write(int fd, void const* buffer, size_t size)
{
    char const* p = buffer;
    while (size) {
        ssize_t n = write(fd, p, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        size -= (size_t)n;
    }
    return 0;
}

/* Runs argv (argv[0] is a path) with stdin from /dev/null and stdout to
 * /dev/null unless `output` names a file; returns its wait status or -1. */
static int run_program(char* const argv[], char const* output)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (output) {
            int fd = open(output, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (fd < 0 || dup2(fd, 1) < 0)
                _exit(126);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return status;
}

static int check_status(struct Context* c, int status, char const* what)
{
    if (status < 0)
        return fail_errno(c, what);
    if (WIFSIGNALED(status))
        return report(c, kFailed, "%s: killed by signal %d", what, WTERMSIG(status));
    if (WEXITSTATUS(status) != 0)
        return report(c, kFailed, "%s: exit status %d", what, WEXITSTATUS(status));
    return kOk;
}

static int shell(struct Context* c, char const* script, char const* output)
{
    char* argv[] = { kBusybox, "sh", "-c", (char*)script, NULL };
    return check_status(c, run_program(argv, output), script);
}

static char* slurp(char const* path)
{
    static char buffer[4096];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return "";
    ssize_t n = read(fd, buffer, sizeof(buffer) - 1);
    close(fd);
    buffer[n > 0 ? n : 0] = 0;
    return buffer;
}

/* Deterministic text for the busybox workloads: `lines` lines of words
 * drawn by a fixed linear congruential generator. */
static int make_words(char const* path, int lines)
{
    static char const* const words[] = { "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
        "india", "juliet", "kilo", "lima", "mike", "november", "oscar", "papa" };
    FILE* f = fopen(path, "w");
    if (!f)
        return -1;
    uint32_t seed = 12345;
    for (int i = 0; i < lines; i++) {
        for (int w = 0; w < 6; w++) {
            seed = seed * 1103515245u + 12345u;
            fprintf(f, "%s%s", w ? " " : "", words[(seed >> 16) % 16]);
        }
        fprintf(f, " %d\n", i);
    }
    return fclose(f);
}

/* ---- core ----------------------------------------------------------------- */

static int bench_getpid(struct Context* c)
{
    start(c);
    for (long i = 0; i < c->iterations; i++)
        syscall(SYS_getpid);
    stop(c);
    return kOk;
}

static int bench_read_null(struct Context* c)
{
    char buffer[64];
    int fd = open("/dev/null", O_RDONLY);
    CHECK(c, fd, "open /dev/null");
    start(c);
    for (long i = 0; i < c->iterations; i++)
        if (read(fd, buffer, sizeof(buffer)) != 0)
            return report(c, kFailed, "read /dev/null did not return 0");
    stop(c);
    return kOk;
}

static int bench_write_null(struct Context* c)
{
    char buffer[64] = { 0 };
    int fd = open("/dev/null", O_WRONLY);
    CHECK(c, fd, "open /dev/null");
    start(c);
    for (long i = 0; i < c->iterations; i++)
        if (write(fd, buffer, sizeof(buffer)) != sizeof(buffer))
            return report(c, kFailed, "write /dev/null did not write 64 bytes");
    stop(c);
    return kOk;
}

/* A child echoes what it reads from `in` to `out` in messages of `size`
 * bytes, optionally waiting with poll() first, until end of file. */
static pid_t start_echo(int in, int out, size_t size, int use_poll, int* close_in_child, int count)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    for (int i = 0; i < count; i++)
        close(close_in_child[i]);
    static char buffer[65536];
    for (;;) {
        if (use_poll) {
            struct pollfd p = { in, POLLIN, 0 };
            if (poll(&p, 1, -1) != 1)
                _exit(2);
        }
        if (full_read(in, buffer, size) < 0)
            _exit(0);
        if (full_write(out, buffer, size) < 0)
            _exit(3);
    }
}

static int finish_echo(struct Context* c, pid_t pid, int to_child)
{
    close(to_child);
    int status;
    if (waitpid(pid, &status, 0) < 0)
        return fail_errno(c, "waitpid");
    return check_status(c, status, "echo child");
}

static int pingpong(struct Context* c, size_t size, int use_poll)
{
    int down[2], up[2];
    CHECK(c, pipe(down), "pipe");
    CHECK(c, pipe(up), "pipe");
    int close_in_child[] = { down[1], up[0] };
    pid_t pid = start_echo(down[0], up[1], size, use_poll, close_in_child, 2);
    CHECK(c, pid, "fork");
    close(down[0]);
    close(up[1]);
    static char buffer[65536];
    memset(buffer, 'x', size);
    start(c);
    for (long i = 0; i < c->iterations; i++) {
        if (full_write(down[1], buffer, size) < 0)
            return fail_errno(c, "write to the echo child");
        if (use_poll) {
            struct pollfd p = { up[0], POLLIN, 0 };
            if (poll(&p, 1, -1) != 1)
                return fail_errno(c, "poll");
        }
        if (full_read(up[0], buffer, size) < 0)
            return report(c, kFailed, "read from the echo child: %s", errno ? strerror(errno) : "end of file");
    }
    stop(c);
    return finish_echo(c, pid, down[1]);
}

static int bench_pipe_roundtrip(struct Context* c) { return pingpong(c, 1, 0); }

static int bench_fork_exit(struct Context* c)
{
    start(c);
    for (long i = 0; i < c->iterations; i++) {
        pid_t pid = fork();
        if (pid == 0)
            _exit(7);
        CHECK(c, pid, "fork");
        int status;
        CHECK(c, waitpid(pid, &status, 0), "waitpid");
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 7)
            return report(c, kFailed, "child wait status %#x", status);
    }
    stop(c);
    return kOk;
}

static int bench_open_close(struct Context* c)
{
    CHECK(c, write_file("file", "data", 4), "create file");
    start(c);
    for (long i = 0; i < c->iterations; i++) {
        int fd = open("file", O_RDONLY);
        CHECK(c, fd, "open");
        close(fd);
    }
    stop(c);
    return kOk;
}

/* One operation is one page: map 1 MiB, write one byte in each page,
 * unmap; the faults dominate. */
static int bench_mmap_fault(struct Context* c)
{
    size_t const pages = 256;
    long done = 0;
    start(c);
    while (done < c->iterations) {
        char* p = mmap(NULL, pages * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            return fail_errno(c, "mmap");
        for (size_t i = 0; i < pages; i++)
            p[i * kPage] = 1;
        munmap(p, pages * kPage);
        done += (long)pages;
    }
    stop(c);
    c->iterations = done;
    return kOk;
}

static int bench_stat(struct Context* c)
{
    CHECK(c, write_file("file", "data", 4), "create file");
    struct stat st;
    start(c);
    for (long i = 0; i < c->iterations; i++)
        CHECK(c, stat("file", &st), "stat");
    stop(c);
    if (st.st_size != 4)
        return report(c, kFailed, "stat: size %lld, expected 4", (long long)st.st_size);
    return kOk;
}

/* ---- extended -------------------------------------------------------------- */

static int bench_gettid(struct Context* c)
{
    start(c);
    for (long i = 0; i < c->iterations; i++)
        syscall(SYS_gettid);
    stop(c);
    return kOk;
}

static int bench_clock_gettime(struct Context* c)
{
    struct timespec ts, previous = { 0, 0 };
    start(c);
    for (long i = 0; i < c->iterations; i++) {
        clock_gettime(CLOCK_MONOTONIC, &ts);
        if (ts.tv_sec < previous.tv_sec || (ts.tv_sec == previous.tv_sec && ts.tv_nsec < previous.tv_nsec))
            return report(c, kFailed, "CLOCK_MONOTONIC went backwards");
        previous = ts;
    }
    stop(c);
    return kOk;
}

static int bench_uname(struct Context* c)
{
    struct utsname u;
    start(c);
    for (long i = 0; i < c->iterations; i++)
        CHECK(c, uname(&u), "uname");
    stop(c);
    return kOk;
}

static int bench_dup_close(struct Context* c)
{
    int fd = open("/dev/null", O_RDONLY);
    CHECK(c, fd, "open /dev/null");
    start(c);
    for (long i = 0; i < c->iterations; i++) {
        int copy = dup(fd);
        CHECK(c, copy, "dup");
        close(copy);
    }
    stop(c);
    return kOk;
}

static int bench_fcntl_getfl(struct Context* c)
{
    int fd = open("/dev/null", O_RDWR);
    CHECK(c, fd, "open /dev/null");
    start(c);
    for (long i = 0; i < c->iterations; i++)
        if ((fcntl(fd, F_GETFL) & O_ACCMODE) != O_RDWR)
            return report(c, kFailed, "F_GETFL does not show O_RDWR");
    stop(c);
    return kOk;
}

static int bench_fstat(struct Context* c)
{
    CHECK(c, write_file("file", "data", 4), "create file");
    int fd = open("file", O_RDONLY);
    CHECK(c, fd, "open");
    struct stat st;
    start(c);
    for (long i = 0; i < c->iterations; i++)
        CHECK(c, fstat(fd, &st), "fstat");
    stop(c);
    return kOk;
}

static int bench_lseek(struct Context* c)
{
    CHECK(c, write_file("file", "data", 4), "create file");
    int fd = open("file", O_RDONLY);
    CHECK(c, fd, "open");
    start(c);
    for (long i = 0; i < c->iterations; i++)
        if (lseek(fd, i & 3, SEEK_SET) != (i & 3))
            return fail_errno(c, "lseek");
    stop(c);
    return kOk;
}

static int bench_getcwd(struct Context* c)
{
    char buffer[4096];
    start(c);
    for (long i = 0; i < c->iterations; i++)
        if (!getcwd(buffer, sizeof(buffer)))
            return fail_errno(c, "getcwd");
    stop(c);
    return kOk;
}

static int bench_readlink(struct Context* c)
{
    CHECK(c, symlink("target-of-the-link", "link"), "symlink");
    char buffer[256];
    start(c);
    for (long i = 0; i < c->iterations; i++)
        if (readlink("link", buffer, sizeof(buffer)) != 18)
            return fail_errno(c, "readlink");
    stop(c);
    return kOk;
}

static int bench_access(struct Context* c)
{
    CHECK(c, write_file("file", "data", 4), "create file");
    start(c);
    for (long i = 0; i < c->iterations; i++)
        CHECK(c, access("file", R_OK), "access");
    stop(c);
    return kOk;
}

static int bench_mmap_munmap(struct Context* c)
{
    start(c);
    for (long i = 0; i < c->iterations; i++) {
        void* p = mmap(NULL, kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            return fail_errno(c, "mmap");
        CHECK(c, munmap(p, kPage), "munmap");
    }
    stop(c);
    return kOk;
}

static int bench_mprotect(struct Context* c)
{
    char* p = mmap(NULL, kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return fail_errno(c, "mmap");
    p[0] = 1;
    start(c);
    for (long i = 0; i < c->iterations; i++)
        CHECK(c, mprotect(p, kPage, (i & 1) ? PROT_READ | PROT_WRITE : PROT_READ), "mprotect");
    stop(c);
    return kOk;
}

/* One operation: grow the break by a page and shrink it back (two calls). */
static int bench_brk(struct Context* c)
{
    uintptr_t base = (uintptr_t)syscall(SYS_brk, 0);
    start(c);
    for (long i = 0; i < c->iterations; i++) {
        if ((uintptr_t)syscall(SYS_brk, base + kPage) != base + kPage)
            return report(c, kFailed, "brk did not grow");
        if ((uintptr_t)syscall(SYS_brk, base) != base)
            return report(c, kFailed, "brk did not shrink");
    }
    stop(c);
    return kOk;
}

static void handler_a(int signal) { (void)signal; }
static void handler_b(int signal) { (void)signal; }

static int bench_sigaction(struct Context* c)
{
    struct sigaction a = { .sa_handler = handler_a }, b = { .sa_handler = handler_b };
    start(c);
    for (long i = 0; i < c->iterations; i++)
        CHECK(c, sigaction(SIGUSR2, (i & 1) ? &a : &b, NULL), "sigaction");
    stop(c);
    return kOk;
}

static int bench_sigprocmask(struct Context* c)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    start(c);
    for (long i = 0; i < c->iterations; i++)
        CHECK(c, sigprocmask((i & 1) ? SIG_UNBLOCK : SIG_BLOCK, &set, NULL), "sigprocmask");
    stop(c);
    return kOk;
}

static int bench_pread(struct Context* c)
{
    static char data[65536];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (char)(i * 7);
    CHECK(c, write_file("file", data, sizeof(data)), "create file");
    int fd = open("file", O_RDONLY);
    CHECK(c, fd, "open");
    char buffer[kPage];
    start(c);
    for (long i = 0; i < c->iterations; i++)
        if (pread(fd, buffer, sizeof(buffer), (off_t)(i & 15) * kPage) != kPage)
            return fail_errno(c, "pread");
    stop(c);
    if (memcmp(buffer, data + ((c->iterations - 1) & 15) * kPage, kPage) != 0)
        return report(c, kFailed, "pread returned the wrong data");
    return kOk;
}

static int bench_writev(struct Context* c)
{
    int fd = open("/dev/null", O_WRONLY);
    CHECK(c, fd, "open /dev/null");
    char parts[4][16];
    memset(parts, 'w', sizeof(parts));
    struct iovec iov[4];
    for (int i = 0; i < 4; i++)
        iov[i] = (struct iovec) { parts[i], sizeof(parts[i]) };
    start(c);
    for (long i = 0; i < c->iterations; i++)
        if (writev(fd, iov, 4) != 64)
            return fail_errno(c, "writev");
    stop(c);
    return kOk;
}

/* ---- scheduler and signals ------------------------------------------------- */

static int bench_sched_yield(struct Context* c)
{
    start(c);
    for (long i = 0; i < c->iterations; i++)
        sched_yield();
    stop(c);
    return kOk;
}

/* How long a 100 us sleep really takes: the timer's precision, not CPU work. */
static int bench_nanosleep_100us(struct Context* c)
{
    struct timespec const t = { 0, 100000 };
    start(c);
    for (long i = 0; i < c->iterations; i++)
        nanosleep(&t, NULL);
    stop(c);
    return kOk;
}

static volatile sig_atomic_t g_signals;
static void count_signal(int signal)
{
    (void)signal;
    g_signals++;
}

static int bench_signal_delivery(struct Context* c)
{
    struct sigaction sa = { .sa_handler = count_signal };
    CHECK(c, sigaction(SIGUSR1, &sa, NULL), "sigaction");
    pid_t self = getpid();
    start(c);
    for (long i = 0; i < c->iterations; i++)
        CHECK(c, kill(self, SIGUSR1), "kill");
    stop(c);
    if (g_signals != c->iterations)
        return report(c, kFailed, "%ld signals sent, %d handled", c->iterations, (int)g_signals);
    return kOk;
}

/* Two threads hand a turn back and forth through one futex word; one
 * operation is a round trip (two wakes). */
static _Atomic int g_turn;
static long g_rounds;

enum { kFutexWait = 0, kFutexWake = 1, kFutexPrivate = 128 };

static long futex(_Atomic int* word, int op, int value)
{
    return syscall(SYS_futex, word, op | kFutexPrivate, value, NULL, NULL, 0);
}

static void* futex_partner(void* unused)
{
    (void)unused;
    for (long i = 0; i < g_rounds; i++) {
        while (atomic_load(&g_turn) != 1)
            futex(&g_turn, kFutexWait, 0);
        atomic_store(&g_turn, 0);
        futex(&g_turn, kFutexWake, 1);
    }
    return NULL;
}

static int bench_futex_pair(struct Context* c)
{
    g_rounds = c->iterations;
    atomic_store(&g_turn, 0);
    pthread_t thread;
    int error = pthread_create(&thread, NULL, futex_partner, NULL);
    if (error) {
        errno = error;
        return fail_errno(c, "pthread_create");
    }
    start(c);
    for (long i = 0; i < c->iterations; i++) {
        atomic_store(&g_turn, 1);
        if (futex(&g_turn, kFutexWake, 1) < 0)
            return fail_errno(c, "futex wake");
        while (atomic_load(&g_turn) != 0)
            futex(&g_turn, kFutexWait, 1);
    }
    stop(c);
    pthread_join(thread, NULL);
    return kOk;
}

static void* thread_body(void* argument) { return argument; }

static int bench_pthread_create_join(struct Context* c)
{
    start(c);
    for (long i = 0; i < c->iterations; i++) {
        pthread_t thread;
        int error = pthread_create(&thread, NULL, thread_body, (void*)i);
        if (error) {
            errno = error;
            return fail_errno(c, "pthread_create");
        }
        void* value;
        pthread_join(thread, &value);
        if ((long)value != i)
            return report(c, kFailed, "pthread_join returned the wrong value");
    }
    stop(c);
    return kOk;
}

/* ---- readiness ---------------------------------------------------------------- */

static int bench_epoll_wait(struct Context* c)
{
    int event = eventfd(1, EFD_CLOEXEC);
    CHECK(c, event, "eventfd");
    int ep = epoll_create1(EPOLL_CLOEXEC);
    CHECK(c, ep, "epoll_create1");
    struct epoll_event e = { .events = EPOLLIN, .data.u64 = 42 };
    CHECK(c, epoll_ctl(ep, EPOLL_CTL_ADD, event, &e), "epoll_ctl");
    start(c);
    for (long i = 0; i < c->iterations; i++) {
        struct epoll_event out;
        if (epoll_wait(ep, &out, 1, 0) != 1 || out.data.u64 != 42)
            return report(c, kFailed, "epoll_wait did not report the readable eventfd (%s)", strerror(errno));
    }
    stop(c);
    return kOk;
}

static int bench_poll(struct Context* c)
{
    int fds[2];
    CHECK(c, pipe(fds), "pipe");
    CHECK(c, write(fds[1], "x", 1), "write");
    start(c);
    for (long i = 0; i < c->iterations; i++) {
        struct pollfd p[2] = { { fds[0], POLLIN, 0 }, { fds[1], POLLOUT, 0 } };
        if (poll(p, 2, 0) != 2)
            return report(c, kFailed, "poll did not report both ends ready");
    }
    stop(c);
    return kOk;
}

static int bench_select(struct Context* c)
{
    int fds[2];
    CHECK(c, pipe(fds), "pipe");
    CHECK(c, write(fds[1], "x", 1), "write");
    start(c);
    for (long i = 0; i < c->iterations; i++) {
        fd_set readable, writable;
        FD_ZERO(&readable);
        FD_ZERO(&writable);
        FD_SET(fds[0], &readable);
        FD_SET(fds[1], &writable);
        struct timeval zero = { 0, 0 };
        if (select(fds[1] + 1, &readable, &writable, NULL, &zero) != 2)
            return report(c, kFailed, "select did not report both ends ready");
    }
    stop(c);
    return kOk;
}

/* One operation: a write and a read of an eventfd. */
static int bench_eventfd(struct Context* c)
{
    int fd = eventfd(0, EFD_CLOEXEC);
    CHECK(c, fd, "eventfd");
    uint64_t value = 1;
    start(c);
    for (long i = 0; i < c->iterations; i++) {
        value = 1;
        if (write(fd, &value, 8) != 8)
            return fail_errno(c, "eventfd write");
        if (read(fd, &value, 8) != 8 || value != 1)
            return report(c, kFailed, "eventfd read");
    }
    stop(c);
    return kOk;
}

/* One operation: list a directory of 64 entries from its start. */
static int bench_getdents64(struct Context* c)
{
    CHECK(c, mkdir("dir", 0755), "mkdir");
    for (int i = 0; i < 64; i++) {
        char name[64];
        snprintf(name, sizeof(name), "dir/entry-%02d", i);
        CHECK(c, write_file(name, "", 0), "create entry");
    }
    int fd = open("dir", O_RDONLY | O_DIRECTORY);
    CHECK(c, fd, "open dir");
    static char buffer[16384];
    start(c);
    for (long i = 0; i < c->iterations; i++) {
        CHECK(c, lseek(fd, 0, SEEK_SET), "lseek dir");
        int entries = 0;
        for (;;) {
            long n = syscall(SYS_getdents64, fd, buffer, sizeof(buffer));
            if (n < 0)
                return fail_errno(c, "getdents64");
            if (n == 0)
                break;
            for (long at = 0; at < n;) {
                unsigned short length;
                memcpy(&length, buffer + at + 16, 2);
                at += length;
                entries++;
            }
        }
        if (entries != 66)
            return report(c, kFailed, "getdents64 listed %d entries, expected 66", entries);
    }
    stop(c);
    return kOk;
}

/* One operation: create a connected pair and close both ends. */
static int bench_socketpair(struct Context* c)
{
    start(c);
    for (long i = 0; i < c->iterations; i++) {
        int fds[2];
        CHECK(c, socketpair(AF_UNIX, SOCK_STREAM, 0, fds), "socketpair");
        close(fds[0]);
        close(fds[1]);
    }
    stop(c);
    return kOk;
}

/* A one-byte round trip between two processes over a unix stream pair. */
static int bench_unix_roundtrip(struct Context* c)
{
    int fds[2];
    CHECK(c, socketpair(AF_UNIX, SOCK_STREAM, 0, fds), "socketpair");
    int close_in_child[] = { fds[0] };
    pid_t pid = start_echo(fds[1], fds[1], 1, 0, close_in_child, 1);
    CHECK(c, pid, "fork");
    close(fds[1]);
    char byte = 'x';
    start(c);
    for (long i = 0; i < c->iterations; i++) {
        if (full_write(fds[0], &byte, 1) < 0 || full_read(fds[0], &byte, 1) < 0)
            return fail_errno(c, "unix socket round trip");
    }
    stop(c);
    shutdown(fds[0], SHUT_WR);
    return finish_echo(c, pid, fds[0]);
}

/* Two processes exchange 64-byte messages, each waiting with poll() for
 * its pipe to become readable. */
static int bench_pipe_pingpong(struct Context* c) { return pingpong(c, 64, 1); }

/* ---- data movement ---------------------------------------------------------------- */

/* One operation: 64 KiB through a pipe to another process and back. */
static int bench_pipe_64k(struct Context* c) { return pingpong(c, 65536, 0); }

/* One operation: a 4 KiB write to a file, overwriting a 4 MiB file in turn. */
static int bench_file_write(struct Context* c)
{
    int fd = open("file", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    CHECK(c, fd, "create file");
    static char block[kPage];
    memset(block, 'b', sizeof(block));
    start(c);
    for (long i = 0; i < c->iterations; i++) {
        if ((i & 1023) == 0)
            CHECK(c, lseek(fd, 0, SEEK_SET), "lseek");
        if (write(fd, block, sizeof(block)) != sizeof(block))
            return fail_errno(c, "write");
    }
    stop(c);
    return kOk;
}

/* One operation: a 4 KiB read of a 4 MiB file, from the start again at its end. */
static int bench_file_read(struct Context* c)
{
    int fd = open("file", O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK(c, fd, "create file");
    static char block[kPage];
    for (int i = 0; i < 1024; i++) {
        memset(block, 'a' + i % 26, sizeof(block));
        CHECK(c, full_write(fd, block, sizeof(block)), "write");
    }
    start(c);
    for (long i = 0; i < c->iterations; i++) {
        if ((i & 1023) == 0)
            CHECK(c, lseek(fd, 0, SEEK_SET), "lseek");
        if (read(fd, block, sizeof(block)) != sizeof(block))
            return fail_errno(c, "read");
        if (block[100] != 'a' + (i & 1023) % 26)
            return report(c, kFailed, "read returned the wrong data");
    }
    stop(c);
    return kOk;
}

/* ---- workloads: fork+exec of busybox --------------------------------------------- */

static int bench_exec_true(struct Context* c)
{
    char* argv[] = { kBusybox, "true", NULL };
    start(c);
    for (long i = 0; i < c->iterations; i++)
        if (check_status(c, run_program(argv, NULL), "busybox true"))
            return kFailed;
    stop(c);
    return kOk;
}

/* fork+exec+wait of this small static binary (it exits at once). */
static int bench_exec_static(struct Context* c)
{
    if (!g_self || g_self[0] != '/')
        return report(c, kFailed, "argv[0] is not an absolute path");
    char* argv[] = { (char*)g_self, "--exit", NULL };
    start(c);
    for (long i = 0; i < c->iterations; i++)
        if (check_status(c, run_program(argv, NULL), "exec self"))
            return kFailed;
    stop(c);
    return kOk;
}

static int bench_shell_noop(struct Context* c)
{
    start(c);
    for (long i = 0; i < c->iterations; i++)
        if (shell(c, ":", NULL))
            return kFailed;
    stop(c);
    return kOk;
}

static int shell_workload(struct Context* c, char const* script, char const* expected)
{
    CHECK(c, make_words("words", 2000), "create words");
    start(c);
    for (long i = 0; i < c->iterations; i++)
        if (shell(c, script, "out"))
            return kFailed;
    stop(c);
    char* output = slurp("out");
    if (strcmp(output, expected) != 0)
        return report(c, kFailed, "output %.60s, expected %.60s", output, expected);
    return kOk;
}

static int bench_pipe_grep(struct Context* c)
{
    return shell_workload(c, "cat words | grep alpha | grep -v bravo | wc -l", "458\n");
}

static int bench_sed_pipeline(struct Context* c)
{
    return shell_workload(c, "sed -e 's/alpha/ALPHA/g' words | sed -n '/ALPHA/p' | tr a-z A-Z | wc -c", "25936\n");
}

static int bench_sort_uniq(struct Context* c)
{
    return shell_workload(c, "cut -d ' ' -f 2 words | sort | uniq -c | sort -rn | head -n 1",
        "    147 alpha\n");
}

/* One operation: extract a tar of 24 files (96 KiB) into an empty
 * directory; removing it again is not timed. */
static int bench_tar_extract(struct Context* c)
{
    CHECK(c, mkdir("src", 0755), "mkdir");
    CHECK(c, mkdir("src/sub", 0755), "mkdir");
    static char data[kPage];
    for (int i = 0; i < 24; i++) {
        char name[64];
        snprintf(name, sizeof(name), i < 12 ? "src/file-%02d" : "src/sub/file-%02d", i);
        memset(data, 'a' + i, sizeof(data));
        CHECK(c, write_file(name, data, sizeof(data)), "create file");
    }
    if (shell(c, "tar -cf tree.tar src", NULL))
        return kFailed;
    for (long i = 0; i < c->iterations; i++) {
        CHECK(c, mkdir("x", 0755), "mkdir x");
        start(c);
        if (shell(c, "tar -xf tree.tar -C x", NULL))
            return kFailed;
        stop(c);
        struct stat st;
        if (stat("x/src/sub/file-23", &st) < 0 || st.st_size != kPage)
            return report(c, kFailed, "the extracted tree is incomplete");
        if (shell(c, "rm -rf x", NULL))
            return kFailed;
    }
    return kOk;
}

static int bench_file_tree(struct Context* c)
{
    return shell_workload(c,
        "mkdir -p t/a/b t/c && for i in 1 2 3 4 5 6 7 8; do echo $i > t/a/f$i; echo $i > t/a/b/g$i; done"
        " && cp t/a/f1 t/c/ && ls -R t | wc -l && rm -rf t",
        "27\n");
}

/* ---- the table ---------------------------------------------------------------------- */

struct Benchmark {
    char const* name;
    char const* group;
    long iterations;
    int (*run)(struct Context*);
    char const* what;
};

static struct Benchmark const g_benchmarks[] = {
    { "getpid", "core", 400000, bench_getpid, "getpid()" },
    { "read_null", "core", 300000, bench_read_null, "read 64 bytes from /dev/null" },
    { "write_null", "core", 300000, bench_write_null, "write 64 bytes to /dev/null" },
    { "pipe_roundtrip", "core", 15000, bench_pipe_roundtrip, "1 byte there and back between two processes" },
    { "fork_exit", "core", 1000, bench_fork_exit, "fork, child _exit, waitpid" },
    { "open_close", "core", 40000, bench_open_close, "open and close a file" },
    { "mmap_fault", "core", 40000, bench_mmap_fault, "first write to a fresh anonymous page (per page)" },
    { "stat", "core", 80000, bench_stat, "stat a file" },

    { "gettid", "extended", 400000, bench_gettid, "gettid()" },
    { "clock_gettime", "extended", 3000000, bench_clock_gettime, "clock_gettime(CLOCK_MONOTONIC)" },
    { "uname", "extended", 300000, bench_uname, "uname()" },
    { "dup_close", "extended", 200000, bench_dup_close, "dup and close" },
    { "fcntl_getfl", "extended", 400000, bench_fcntl_getfl, "fcntl F_GETFL" },
    { "fstat", "extended", 200000, bench_fstat, "fstat a file" },
    { "lseek", "extended", 400000, bench_lseek, "lseek SEEK_SET" },
    { "getcwd", "extended", 150000, bench_getcwd, "getcwd" },
    { "readlink", "extended", 80000, bench_readlink, "readlink a symlink" },
    { "access", "extended", 80000, bench_access, "access R_OK" },
    { "mmap_munmap", "extended", 20000, bench_mmap_munmap, "map and unmap one anonymous page" },
    { "mprotect", "extended", 40000, bench_mprotect, "mprotect one page" },
    { "brk", "extended", 30000, bench_brk, "grow the break by a page and shrink it back" },
    { "sigaction", "extended", 400000, bench_sigaction, "install a signal handler" },
    { "sigprocmask", "extended", 400000, bench_sigprocmask, "block or unblock a signal" },
    { "pread", "extended", 150000, bench_pread, "pread 4 KiB from a file" },
    { "writev", "extended", 250000, bench_writev, "writev 4x16 bytes to /dev/null" },

    { "sched_yield", "sched", 150000, bench_sched_yield, "sched_yield with nothing else to run" },
    { "nanosleep_100us", "sched", 1000, bench_nanosleep_100us, "nanosleep 100 us: how long it really takes" },
    { "signal_delivery", "sched", 30000, bench_signal_delivery, "kill self, run the handler, sigreturn" },
    { "futex_pair", "sched", 15000, bench_futex_pair, "futex wake round trip between two threads" },
    { "pthread_create_join", "sched", 800, bench_pthread_create_join, "create and join a thread" },

    { "epoll_wait", "readiness", 200000, bench_epoll_wait, "epoll_wait on a readable eventfd" },
    { "poll", "readiness", 200000, bench_poll, "poll both ends of a ready pipe" },
    { "select", "readiness", 100000, bench_select, "select both ends of a ready pipe" },
    { "eventfd", "readiness", 120000, bench_eventfd, "write and read an eventfd" },
    { "getdents64", "readiness", 8000, bench_getdents64, "list a 64-entry directory" },
    { "socketpair", "readiness", 8000, bench_socketpair, "create and close a unix stream pair" },
    { "unix_roundtrip", "readiness", 6000, bench_unix_roundtrip, "1 byte there and back over a unix socket" },
    { "pipe_pingpong", "readiness", 10000, bench_pipe_pingpong, "64 bytes there and back, poll before read" },

    { "pipe_64k", "data", 2000, bench_pipe_64k, "64 KiB there and back through pipes" },
    { "file_write", "data", 80000, bench_file_write, "4 KiB write to a file" },
    { "file_read", "data", 100000, bench_file_read, "4 KiB read from a file" },

    { "exec_true", "workload", 150, bench_exec_true, "fork+exec+wait of busybox true" },
    { "exec_static", "workload", 400, bench_exec_static, "fork+exec+wait of a small static binary" },
    { "shell_noop", "workload", 150, bench_shell_noop, "busybox sh -c :" },
    { "pipe_grep", "workload", 15, bench_pipe_grep, "sh: cat | grep | grep -v | wc -l on 2000 lines" },
    { "sed_pipeline", "workload", 12, bench_sed_pipeline, "sh: sed | sed -n | tr | wc -c on 2000 lines" },
    { "sort_uniq", "workload", 12, bench_sort_uniq, "sh: cut | sort | uniq -c | sort -rn | head" },
    { "tar_extract", "workload", 30, bench_tar_extract, "busybox tar -x of 24 files (96 KiB)" },
    { "file_tree", "workload", 20, bench_file_tree, "sh: mkdir, 16 echo >, cp, ls -R, rm -rf" },
};

#define kBenchmarkCount (sizeof(g_benchmarks) / sizeof(g_benchmarks[0]))

/* ---- the driver ------------------------------------------------------------------- */

struct Options {
    int quick;
    int list;
    char const* filter; /* comma-separated globs */
    char const* directory;
    unsigned timeout;
    double scale;
};

static int selected(struct Options const* o, char const* name)
{
    if (!o->filter)
        return 1;
    char patterns[1024];
    snprintf(patterns, sizeof(patterns), "%s", o->filter);
    for (char* save = NULL, *glob = strtok_r(patterns, ",", &save); glob; glob = strtok_r(NULL, ",", &save))
        if (fnmatch(glob, name, 0) == 0)
            return 1;
    return 0;
}

static int remove_entry(char const* path, struct stat const* st, int flag, struct FTW* ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

static void remove_tree(char const* path) { nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS); }

static long iterations_of(struct Options const* o, struct Benchmark const* b)
{
    double n = (double)b->iterations * o->scale;
    if (o->quick)
        n /= kQuickDivisor;
    return n < 2 ? 2 : (long)n;
}

/* The child: runs one benchmark in `directory` and writes its Result to `out`. */
static void run_child(struct Options const* o, struct Benchmark const* b, char const* directory, int out)
{
    setpgid(0, 0);
    int null = open("/dev/null", O_RDWR);
    dup2(null, 0);
    dup2(null, 1);
    alarm(o->timeout);
    struct Result result = { .outcome = kOk };
    struct Context c = { .iterations = iterations_of(o, b), .result = &result };
    if (chdir(directory) < 0) {
        report(&c, kFailed, "chdir %s: %s", directory, strerror(errno));
    } else if (b->run(&c) == kOk) {
        result.outcome = kOk;
        result.iterations = c.iterations;
        result.total_ns = c.elapsed_ns;
    }
    full_write(out, &result, sizeof(result));
    _exit(0);
}

static int run_benchmark(struct Options const* o, struct Benchmark const* b)
{
    char directory[512];
    snprintf(directory, sizeof(directory), "%s/%s", o->directory, b->name);
    remove_tree(directory);
    struct Result result = { .outcome = kFailed };
    if (mkdir(directory, 0755) < 0) {
        printf("BENCH %s failed mkdir %s: %s\n", b->name, directory, strerror(errno));
        fflush(stdout);
        return kFailed;
    }
    int fds[2];
    if (pipe(fds) < 0) {
        printf("BENCH %s failed pipe: %s\n", b->name, strerror(errno));
        fflush(stdout);
        return kFailed;
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        run_child(o, b, directory, fds[1]);
    }
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        printf("BENCH %s failed fork: %s\n", b->name, strerror(errno));
        fflush(stdout);
        return kFailed;
    }
    int complete = full_read(fds[0], &result, sizeof(result)) == 0;
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) { }
    kill(-pid, SIGKILL); /* whatever the benchmark left behind */
    while (waitpid(-pid, NULL, 0) > 0) { }
    remove_tree(directory);

    if (!complete) {
        if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
            snprintf(result.reason, sizeof(result.reason), "timeout after %u s", o->timeout);
        else if (WIFSIGNALED(status))
            snprintf(result.reason, sizeof(result.reason), "killed by signal %d", WTERMSIG(status));
        else
            snprintf(result.reason, sizeof(result.reason), "exited with status %d without a result",
                WEXITSTATUS(status));
        result.outcome = kFailed;
    }
    if (result.outcome == kOk) {
        double per_op = result.iterations ? (double)result.total_ns / (double)result.iterations : 0;
        printf("BENCH %s %ld %lld %.1f\n", b->name, result.iterations, result.total_ns, per_op);
    } else {
        for (char* p = result.reason; *p; p++)
            if (*p == '\n')
                *p = ' ';
        printf("BENCH %s %s %s\n", b->name, result.outcome == kUnsupported ? "unsupported" : "failed", result.reason);
    }
    fflush(stdout);
    return result.outcome;
}

static void usage(void)
{
    printf("usage: aramid_bench [--quick] [--filter GLOB[,GLOB...]] [--list] [--dir DIR] [--timeout SEC]\n"
           "                    [--scale F]\n"
           "Runs each benchmark in a child process and prints\n"
           "  BENCH <name> <iterations> <total_ns> <ns_per_op>   or   BENCH <name> failed|unsupported <reason>\n"
           "--quick divides the iteration counts by %d (for QEMU TCG); --scale multiplies them.\n",
        kQuickDivisor);
}

int main(int argc, char** argv)
{
    if (argc == 2 && strcmp(argv[1], "--exit") == 0)
        _exit(0);
    g_self = argv[0];
    struct Options o = { .directory = "/tmp/aramid-bench", .timeout = 120, .scale = 1.0 };
    for (int i = 1; i < argc; i++) {
        char const* a = argv[i];
        int has_value = i + 1 < argc;
        if (strcmp(a, "--quick") == 0)
            o.quick = 1;
        else if (strcmp(a, "--list") == 0)
            o.list = 1;
        else if (strcmp(a, "--filter") == 0 && has_value)
            o.filter = argv[++i];
        else if (strcmp(a, "--dir") == 0 && has_value)
            o.directory = argv[++i];
        else if (strcmp(a, "--timeout") == 0 && has_value)
            o.timeout = (unsigned)atoi(argv[++i]);
        else if (strcmp(a, "--scale") == 0 && has_value)
            o.scale = atof(argv[++i]);
        else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage();
            return 0;
        } else {
            fprintf(stderr, "aramid_bench: unknown or incomplete option %s\n", a);
            usage();
            return 2;
        }
    }
    if (o.list) {
        for (size_t i = 0; i < kBenchmarkCount; i++)
            if (selected(&o, g_benchmarks[i].name))
                printf("%-20s %-10s %8ld  %s\n", g_benchmarks[i].name, g_benchmarks[i].group,
                    iterations_of(&o, &g_benchmarks[i]), g_benchmarks[i].what);
        return 0;
    }
    if (mkdir(o.directory, 0755) < 0 && errno != EEXIST) {
        fprintf(stderr, "aramid_bench: mkdir %s: %s\n", o.directory, strerror(errno));
        return 1;
    }
    /* The workloads' shells find busybox's applets through PATH (and busybox
     * prefers its own applets anyway). */
    setenv("PATH", "/bin:/usr/bin:/sbin:/usr/sbin", 1);

    struct utsname u;
    uname(&u);
    printf("BENCH_START %s %s quick=%d\n", u.sysname, u.release, o.quick);
    fflush(stdout);
    long long const begin = now_ns();
    int count = 0, failed = 0, unsupported = 0;
    for (size_t i = 0; i < kBenchmarkCount; i++) {
        if (!selected(&o, g_benchmarks[i].name))
            continue;
        int outcome = run_benchmark(&o, &g_benchmarks[i]);
        count++;
        failed += outcome == kFailed;
        unsupported += outcome == kUnsupported;
    }
    printf("BENCH_END %d %d %d %lld\n", count, failed, unsupported, now_ns() - begin);
    fflush(stdout);
    rmdir(o.directory);
    return failed ? 1 : 0;
}
