/* Contract: pthread_cancel ends a thread blocked at a cancellation point --
 * read, nanosleep, a condition wait, FUTEX-based sem_wait -- running its
 * cleanup handlers, and pthread_join reports PTHREAD_CANCELED; with
 * cancellation disabled the request waits until it is enabled again. */
#include "contract.h"

#include <pthread.h>
#include <semaphore.h>
#include <sys/syscall.h>
#include <time.h>

static int block_pipe[2];
static volatile pid_t blocked_tid;
static volatile int cleanups;

static void cleanup(void *arg)
{
    (void)arg;
    cleanups++;
}

/* Waits until the thread sleeps in the kernel (S in its task stat). */
static void await_sleeping(void)
{
    while (!blocked_tid) sched_yield();
    char path[64], text[512];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)blocked_tid);
    for (;;) {
        int fd = open(path, O_RDONLY);
        if (fd < 0) ct_fail_errno("open", errno, __LINE__);
        ssize_t n = read(fd, text, sizeof text - 1);
        close(fd);
        text[n > 0 ? n : 0] = 0;
        char *paren = strrchr(text, ')');
        if (paren && paren[2] == 'S') return;
        sched_yield();
    }
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static sem_t sem;

static void unlock(void *mutex) { pthread_mutex_unlock(mutex); }

static void *blocker(void *arg)
{
    int const kind = (int)(long)arg;
    pthread_cleanup_push(cleanup, NULL);
    blocked_tid = (pid_t)syscall(SYS_gettid);
    char c;
    struct timespec long_time = { 100, 0 };
    switch (kind) {
    case 0: read(block_pipe[0], &c, 1); break;
    case 1: nanosleep(&long_time, NULL); break;
    case 2:
        pthread_mutex_lock(&lock);
        pthread_cleanup_push(unlock, &lock); /* cancelled, cond_wait holds the mutex again */
        for (;;) pthread_cond_wait(&cond, &lock);
        pthread_cleanup_pop(0);
    case 3: sem_wait(&sem); break;
    }
    pthread_cleanup_pop(0);
    return (void *)1;
}

static void *deferred(void *arg)
{
    (void)arg;
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
    blocked_tid = (pid_t)syscall(SYS_gettid);
    char c;
    read(block_pipe[0], &c, 1); /* not cancelled while disabled */
    pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
    pthread_testcancel();
    return (void *)2;
}

int main(void)
{
    OK(pipe(block_pipe));
    sem_init(&sem, 0, 0);
    static char const *const names[] = { "read", "nanosleep", "pthread_cond_wait", "sem_wait" };
    for (int kind = 0; kind < 4; kind++) {
        pthread_t t;
        blocked_tid = 0;
        cleanups = 0;
        CHECK(pthread_create(&t, NULL, blocker, (void *)(long)kind) == 0, "create");
        await_sleeping();
        CHECK(pthread_cancel(t) == 0, "pthread_cancel");
        void *result;
        CHECK(pthread_join(t, &result) == 0, "join");
        printf("cancelled in %s: %s, cleanup handlers run %d\n", names[kind],
               result == PTHREAD_CANCELED ? "PTHREAD_CANCELED" : "returned", (int)cleanups);
        CHECK(pthread_mutex_trylock(&lock) == 0, "the mutex is free again");
        pthread_mutex_unlock(&lock);
    }

    pthread_t t;
    blocked_tid = 0;
    CHECK(pthread_create(&t, NULL, deferred, NULL) == 0, "create");
    await_sleeping();
    CHECK(pthread_cancel(t) == 0, "pthread_cancel");
    OK(write(block_pipe[1], "x", 1));
    void *result;
    CHECK(pthread_join(t, &result) == 0, "join");
    printf("cancellation disabled during read: %s\n", result == PTHREAD_CANCELED ? "PTHREAD_CANCELED after enabling" : "returned");
    ct_pass();
}
