/* Contract: rseq(2). Registration checks (length, alignment, flags,
 * pointer), EBUSY/EINVAL/EPERM for a second registration, unregistration;
 * the kernel fills cpu_id with the CPU the thread runs on; a signal
 * delivered inside the critical section that rseq_cs names moves the thread
 * to the abort handler (and clears rseq_cs), and a wrong signature before
 * the abort handler is SIGSEGV; a forked child keeps the registration, a
 * new thread has none. Where libc registered one already (glibc), only
 * that is checked. */
#include "contract.h"

#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/time.h>

#define SIGNATURE 0x53053053u

struct rseq_area {
    uint32_t cpu_id_start, cpu_id;
    uint64_t rseq_cs;
    uint32_t flags, node_id, mm_cid;
    char end[4];
} __attribute__((aligned(32)));

struct rseq_cs {
    uint32_t version, flags;
    uint64_t start_ip, post_commit_offset, abort_ip;
} __attribute__((aligned(32)));

static struct rseq_area area, other;
static struct rseq_cs section;
static volatile int released;

static long rs(void *p, unsigned length, int flags, unsigned signature)
{
    return syscall(SYS_rseq, p, length, flags, signature);
}

/* spin(&area.rseq_cs, &section, &released): publishes the section, then
 * spins inside it until `released`; returns 1 if it got to the end, 2 if
 * it was moved to the abort handler. The four bytes before the handler are
 * the signature. */
extern char spin_start[], spin_end[], spin_abort[], spin_bad_abort[];
int spin(uint64_t *cs, struct rseq_cs *section, volatile int *flag);
__asm__(".text\n"
        ".globl spin\n"
        "spin:\n"
        "  movq %rsi, (%rdi)\n"
        ".globl spin_start\n"
        "spin_start:\n"
        "  movl (%rdx), %eax\n"
        "  testl %eax, %eax\n"
        "  jz spin_start\n"
        ".globl spin_end\n"
        "spin_end:\n"
        "  movq $0, (%rdi)\n"
        "  movl $1, %eax\n"
        "  ret\n"
        "  .long 0x53053053\n"
        ".globl spin_abort\n"
        "spin_abort:\n"
        "  movl $2, %eax\n"
        "  ret\n"
        "  .long 0x12345678\n"
        ".globl spin_bad_abort\n"
        "spin_bad_abort:\n"
        "  movl $3, %eax\n"
        "  ret\n");

static void on_alarm(int sig)
{
    (void)sig;
    released = 1;
}

/* Runs the section with an interval timer's SIGALRM arriving inside it. */
static int run_section(char *abort_ip)
{
    section.version = 0;
    section.flags = 0;
    section.start_ip = (uint64_t)(uintptr_t)spin_start;
    section.post_commit_offset = (uint64_t)(spin_end - spin_start);
    section.abort_ip = (uint64_t)(uintptr_t)abort_ip;
    released = 0;
    struct itimerval t = { { 0, 0 }, { 0, 20000 } };
    OK(setitimer(ITIMER_REAL, &t, NULL));
    return spin(&area.rseq_cs, &section, &released);
}

static void *thread_main(void *arg)
{
    (void)arg;
    long r = rs(&other, 32, 0, SIGNATURE);
    printf("a new thread registers its own: %s\n", r == 0 ? "0" : errno_name(errno));
    if (r == 0) rs(&other, 32, 1, SIGNATURE);
    return NULL;
}

int main(void)
{
    long first = rs(&area, 32, 0, SIGNATURE);
    if (first < 0 && (errno == EBUSY || errno == EINVAL)) {
        printf("libc registered its own: %s\n", errno_name(errno));
        ct_pass();
    }
    CHECK(first == 0, "rseq registers");
    /* The thread may move to another CPU between the reads: retried until
     * cpu_id reads the same before and after sched_getcpu(). */
    int same = 0;
    for (int i = 0; i < 1000 && !same; i++) {
        uint32_t const before = *(volatile uint32_t *)&area.cpu_id;
        uint32_t const start = *(volatile uint32_t *)&area.cpu_id_start;
        int const now = sched_getcpu();
        if (before == *(volatile uint32_t *)&area.cpu_id) same = (int)before == now && start == before ? 1 : -1;
    }
    printf("cpu_id and cpu_id_start after registering are sched_getcpu(): %s\n", same == 1 ? "yes" : "no");
    EXPECT_ERRNO("again", rs(&area, 32, 0, SIGNATURE), EBUSY);
    EXPECT_ERRNO("again with another signature", rs(&area, 32, 0, 1), EPERM);
    EXPECT_ERRNO("another area", rs(&other, 32, 0, SIGNATURE), EINVAL);
    EXPECT_ERRNO("another length", rs(&area, 64, 0, SIGNATURE), EINVAL);
    EXPECT_ERRNO("flags 2", rs(&area, 32, 2, SIGNATURE), EINVAL);

    signal(SIGALRM, on_alarm);
    int result = run_section(spin_abort);
    printf("a signal inside the section: %s\n", result == 2 ? "aborted" : result == 1 ? "not aborted" : "?");
    printf("rseq_cs cleared: %s\n", area.rseq_cs == 0 ? "yes" : "no");

    pid_t child = ct_fork();
    if (child == 0) {
        /* The registration came along; a bad signature kills. */
        if (rs(&area, 32, 0, SIGNATURE) != -1 || errno != EBUSY) _exit(1);
        run_section(spin_bad_abort);
        _exit(0);
    }
    int status = ct_wait(child);
    printf("forked child, wrong signature before the abort handler: %s\n", status_text(status));

    pthread_t thread;
    CHECK(pthread_create(&thread, NULL, thread_main, NULL) == 0, "pthread_create");
    pthread_join(thread, NULL);

    EXPECT_ERRNO("unregister with another signature", rs(&area, 32, 1, 1), EPERM);
    EXPECT_ERRNO("unregister another area", rs(&other, 32, 1, SIGNATURE), EINVAL);
    EXPECT_ERRNO("unregister with flags 3", rs(&area, 32, 3, SIGNATURE), EINVAL);
    CHECK(rs(&area, 32, 1, SIGNATURE) == 0, "unregister");
    printf("cpu_id after unregistering: %d\n", (int)area.cpu_id);
    EXPECT_ERRNO("unregister twice", rs(&area, 32, 1, SIGNATURE), EINVAL);
    EXPECT_ERRNO("length 16", rs(&area, 16, 0, SIGNATURE), EINVAL);
    EXPECT_ERRNO("misaligned", rs((char *)&area + 4, 32, 0, SIGNATURE), EINVAL);
    EXPECT_ERRNO("a bad pointer", rs((void *)4096, 32, 0, SIGNATURE), EFAULT);
    ct_pass();
}
