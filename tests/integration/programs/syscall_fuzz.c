/*
 * Garbage into every implemented syscall: wild and kernel pointers, huge
 * lengths, bad descriptors, bad flags. Deterministic (a fixed seed per
 * child). Children run the calls with output sent to /dev/null; the parent
 * kills a child that is still running after a while (it may block or
 * ignore any catchable signal). Memory syscalls get addresses in a range of
 * their own, so that a child does not unmap itself after a few calls. The
 * kernel must never panic and must keep running. Prints a summary and
 * FUZZ_DONE.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>


static uint64_t state;
static uint64_t next(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

/* Syscalls not fuzzed: they end or multiply the child, or could hit its
 * parent (kill with pid -1), which is a test artefact, not a kernel bug. */
static int excluded(long n)
{
    switch (n) {
    case SYS_exit: case SYS_exit_group: case SYS_fork: case SYS_vfork: case SYS_clone:
    case SYS_kill: case SYS_tkill: case SYS_tgkill: case SYS_setsid: case SYS_setpgid:
    case SYS_rt_sigreturn: case SYS_execve:
        return 1;
    }
    return 0;
}

static unsigned char scratch[65536] __attribute__((aligned(4096)));
static const uint64_t kVictim = 0x200000000ull;

static uint64_t argument(void)
{
    static const uint64_t specials[] = {
        0, 1, 2, 3, 4, 0xff, 0x1000, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull,
        0x7fffffffffffffffull, 0x8000000000000000ull, 0xffffffffffffffffull, (uint64_t)-100 /* AT_FDCWD */,
        0xffffffff80100000ull /* the kernel */, 0xffff888000000000ull /* its direct map */,
        0x10000 /* unmapped */, 0x7ffffffff000ull /* the top page */, 4096, 65536, 1 << 20,
    };
    switch (next() % 4) {
    case 0: return specials[next() % (sizeof(specials) / sizeof(specials[0]))];
    case 1: return (uint64_t)(scratch + (next() % sizeof(scratch))); /* a valid pointer */
    case 2: return next() % 64;                                        /* small: fds, flags, ids */
    default: return next();
    }
}

/* Socket calls get real sockets half the time: a pair of each type and a
 * listener, made first so that they also sit at the small descriptors the
 * other calls pick. Non-blocking, so that fewer calls just wait. */
static const long socket_calls[] = {
    SYS_socket, SYS_socketpair, SYS_bind, SYS_listen, SYS_accept, SYS_accept4, SYS_connect, SYS_sendto,
    SYS_recvfrom, SYS_sendmsg, SYS_recvmsg, SYS_shutdown, SYS_getsockname, SYS_getpeername, SYS_setsockopt,
    SYS_getsockopt, SYS_read, SYS_write, SYS_readv, SYS_writev, SYS_poll, SYS_ioctl, SYS_fcntl, SYS_close,
};
static int sockets[8];

static void make_sockets(uint64_t seed)
{
    int types[3] = { SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET };
    for (int t = 0; t < 3; t++) {
        int sv[2] = { -1, -1 };
        socketpair(AF_UNIX, types[t] | SOCK_NONBLOCK, 0, sv);
        sockets[2 * t] = sv[0];
        sockets[2 * t + 1] = sv[1];
    }
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    snprintf(addr.sun_path, sizeof addr.sun_path, "/tmp/fuzz-%llu", (unsigned long long)seed);
    unlink(addr.sun_path);
    sockets[6] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    bind(sockets[6], (struct sockaddr *)&addr, sizeof addr);
    listen(sockets[6], 4);
    sockets[7] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    connect(sockets[7], (struct sockaddr *)&addr, sizeof addr);
}

static void fuzz(uint64_t seed, int calls)
{
    state = seed * 0x9e3779b97f4a7c15ull + 1;
    int null = open("/dev/null", O_RDWR);
    make_sockets(seed);
    dup2(null, 0);
    dup2(null, 1);
    dup2(null, 2);
    for (int i = 0; i < calls; i++) {
        long n = (long)(next() % 335);
        int on_socket = next() % 2 == 0;
        if (on_socket)
            n = socket_calls[next() % (sizeof(socket_calls) / sizeof(socket_calls[0]))];
        if (excluded(n) || n == SYS_alarm || n == SYS_setitimer)
            continue;
        uint64_t a[6];
        for (int k = 0; k < 6; k++)
            a[k] = argument();
        if (on_socket && n != SYS_socket && n != SYS_socketpair)
            a[0] = (uint64_t)sockets[next() % 8];
        if (n == SYS_mmap || n == SYS_munmap || n == SYS_mprotect || n == SYS_mremap || n == SYS_madvise
            || n == SYS_msync || n == SYS_brk)
            a[0] = kVictim + (a[0] % (16u << 20)); /* never the child's own memory */
        if (n == SYS_mremap && (a[3] & 2)) /* MREMAP_FIXED: the target too */
            a[4] = kVictim + (a[4] % (16u << 20));
        if (n == SYS_mmap)
            a[3] &= ~0x8000ull; /* no MAP_POPULATE of huge lengths: that only exhausts memory */
        syscall(n, a[0], a[1], a[2], a[3], a[4], a[5]);
    }
    _exit(0);
}

int main(int argc, char **argv)
{
    int children = argc > 1 ? atoi(argv[1]) : 64;
    int calls = argc > 2 ? atoi(argv[2]) : 2000;
    int first_seed = argc > 3 ? atoi(argv[3]) : 1; /* longer campaigns by hand: other seeds */
    int exited = 0, signaled = 0;
    for (int c = 0; c < children; c++) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0) {
            printf("fork failed: %d\n", errno);
            return 1;
        }
        if (pid == 0)
            fuzz((uint64_t)c + (uint64_t)first_seed, calls);
        int status;
        pid_t got = 0;
        struct timespec start, now;
        clock_gettime(CLOCK_MONOTONIC, &start);
        int killed = 0;
        while ((got = waitpid(pid, &status, WNOHANG)) == 0) {
            clock_gettime(CLOCK_MONOTONIC, &now);
            long ms = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
            if (ms >= 100 && !killed) {
                kill(pid, SIGKILL); /* it may be blocked for good, or ignore SIGALRM */
                killed = 1;
            }
            usleep(1000);
        }
        if (got != pid) {
            printf("waitpid failed: %d\n", errno);
            return 1;
        }
        if (WIFEXITED(status))
            exited++;
        else if (WIFSIGNALED(status))
            signaled++;
    }
    printf("fuzz: %d children, %d calls each: %d exited, %d killed by a signal\n", children, calls, exited, signaled);
    printf("FUZZ_DONE\n");
    return 0;
}
