/* Contract: a futex in MAP_SHARED memory (anonymous or a file) is one futex
 * for every process that maps it, so FUTEX_WAKE in one wakes a FUTEX_WAIT in
 * another; FUTEX_PRIVATE_FLAG, or private memory, keeps them apart; and
 * process-shared semaphores work across fork. */
#include "contract.h"

#include <sched.h>
#include <semaphore.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_PRIVATE_FLAG 128

static void on_signal(int sig) { (void)sig; }

static long futex(volatile uint32_t *word, int op, uint32_t value)
{
    return syscall(SYS_futex, word, op, value, NULL, NULL, 0);
}

/* Waits until process `pid` sleeps in the kernel (S in /proc/<pid>/stat):
 * after announcing itself, its only blocking call is the futex wait. */
static void await_sleeping(pid_t pid)
{
    char path[64], text[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    for (;;) {
        int fd = open(path, O_RDONLY);
        if (fd < 0) ct_fail_errno("open stat", errno, __LINE__);
        ssize_t n = read(fd, text, sizeof text - 1);
        close(fd);
        if (n <= 0) ct_fail("read stat", __LINE__);
        text[n] = 0;
        char *paren = strrchr(text, ')');
        if (paren && paren[2] == 'S') return;
        sched_yield();
    }
}

/* A child waits (non-private) on word[0] after setting word[1]; we wake it
 * first with the private flag (nobody), then without (the child). */
static void wake_across_fork(char const *what, volatile uint32_t *word)
{
    word[0] = 0;
    word[1] = 0;
    pid_t child = ct_fork();
    if (child == 0) {
        word[1] = 1;
        long r = futex(&word[0], FUTEX_WAIT, 0);
        _exit(r == 0 ? 0 : 1);
    }
    while (word[1] == 0) sched_yield();
    await_sleeping(child);
    printf("%s: FUTEX_WAKE|FUTEX_PRIVATE_FLAG from the parent wakes %ld\n", what,
           futex(&word[0], FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1));
    printf("%s: FUTEX_WAKE from the parent wakes %ld\n", what, futex(&word[0], FUTEX_WAKE, 1));
    printf("%s: the child's wait returned 0: %s\n", what, WEXITSTATUS(ct_wait(child)) == 0 ? "yes" : "no");
}

int main(void)
{
    volatile uint32_t *anonymous = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(anonymous != MAP_FAILED, "mmap shared anonymous");
    wake_across_fork("MAP_SHARED|MAP_ANONYMOUS", anonymous);

    ct_enter_tmpdir();
    int fd = OK(open("futex", O_RDWR | O_CREAT, 0600));
    OK(ftruncate(fd, 8192));
    volatile uint32_t *file = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK(file != MAP_FAILED, "mmap shared file");
    wake_across_fork("MAP_SHARED file, second page", file + 1024);

    /* The same file mapped twice at different addresses: one futex. */
    volatile uint32_t *again = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 4096);
    CHECK(again != MAP_FAILED, "mmap the second page again");
    file[1024] = 0;
    file[1025] = 0;
    pid_t child = ct_fork();
    if (child == 0) {
        file[1025] = 1;
        _exit(futex(&file[1024], FUTEX_WAIT, 0) == 0 ? 0 : 1);
    }
    while (file[1025] == 0) sched_yield();
    await_sleeping(child);
    printf("wake through another mapping of the same file page: %ld\n", futex(&again[0], FUTEX_WAKE, 1));
    printf("the child's wait returned 0: %s\n", WEXITSTATUS(ct_wait(child)) == 0 ? "yes" : "no");

    /* Private memory after fork is each process's own: the child's
     * FUTEX_WAKE at the address where the parent waits wakes nobody; a
     * signal then ends the parent's wait. */
    static uint32_t private_word;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    OK(sigaction(SIGUSR1, &sa, NULL));
    anonymous[2] = 0;
    child = ct_fork();
    if (child == 0) {
        await_sleeping(getppid());
        anonymous[3] = (uint32_t)futex(&private_word, FUTEX_WAKE, 1);
        kill(getppid(), SIGUSR1);
        _exit(0);
    }
    EXPECT_ERRNO("the parent's wait on private memory ends only by the signal",
                 futex(&private_word, FUTEX_WAIT, 0), EINTR);
    ct_wait(child);
    printf("the child's FUTEX_WAKE at the same private address woke: %u\n", anonymous[3]);

    /* Process-shared semaphores across fork. */
    sem_t *sem = (sem_t *)(anonymous + 16);
    OK(sem_init(sem, 1, 0));
    child = ct_fork();
    if (child == 0) _exit(sem_wait(sem) == 0 && sem_wait(sem) == 0 ? 0 : 1);
    OK(sem_post(sem));
    OK(sem_post(sem));
    printf("pshared semaphore: the child took two posts: %s\n", status_text(ct_wait(child)));
    ct_pass();
}
