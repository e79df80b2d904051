/* Contract: a robust mutex whose owner dies -- a thread that exits, or a
 * process that exits or is killed while holding a process-shared one --
 * or one that execs -- is handed to the next locker with EOWNERDEAD (the
 * kernel walks the owner's robust list), and after pthread_mutex_consistent
 * works again. */
#include "contract.h"

#include <pthread.h>
#include <sys/mman.h>

static void init_robust(pthread_mutex_t *m, int pshared)
{
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    CHECK(pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST) == 0, "setrobust");
    if (pshared) CHECK(pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED) == 0, "setpshared");
    CHECK(pthread_mutex_init(m, &attr) == 0, "mutex_init");
    pthread_mutexattr_destroy(&attr);
}

static char const *lock_result(int r) { return r == EOWNERDEAD ? "EOWNERDEAD" : errno_name(r); }

static void recover(char const *what, pthread_mutex_t *m)
{
    int r = pthread_mutex_lock(m);
    printf("%s: next lock: %s\n", what, lock_result(r));
    if (r == EOWNERDEAD) {
        CHECK(pthread_mutex_consistent(m) == 0, "consistent");
        CHECK(pthread_mutex_unlock(m) == 0, "unlock");
        r = pthread_mutex_lock(m);
        printf("%s: after pthread_mutex_consistent, lock: %s\n", what, lock_result(r));
    }
    if (r == 0) pthread_mutex_unlock(m);
}

static pthread_mutex_t thread_mutex;
static void *lock_and_exit(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&thread_mutex);
    return NULL; /* exits holding it */
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "wait-for-eof") == 0) {
        char c;
        while (read(0, &c, 1) > 0) { }
        _exit(0);
    }

    /* A thread exits holding a robust mutex. */
    init_robust(&thread_mutex, 0);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, lock_and_exit, NULL) == 0, "create");
    CHECK(pthread_join(t, NULL) == 0, "join");
    recover("thread exited holding it", &thread_mutex);

    /* A child process exits, or is killed, holding a process-shared one;
     * the parent may already be waiting for it. */
    pthread_mutex_t *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(shared != MAP_FAILED, "mmap");
    init_robust(shared, 1);
    static char const *const how[] = { "child exited holding it", "child killed holding it" };
    for (int i = 0; i < 2; i++) {
        int locked[2];
        OK(pipe(locked));
        pid_t child = ct_fork();
        if (child == 0) {
            pthread_mutex_lock(shared);
            ct_post(locked[1]);
            if (i == 0) _exit(0);
            for (;;) pause();
        }
        ct_await(locked[0]);
        if (i == 1) OK(kill(child, SIGKILL));
        recover(how[i], shared);
        ct_wait(child);
        close(locked[0]);
        close(locked[1]);
    }
    /* A child execs while holding it: the new program does not own it. */
    int locked[2], feed[2];
    OK(pipe(locked));
    OK(pipe(feed));
    pid_t child = ct_fork();
    if (child == 0) {
        pthread_mutex_lock(shared);
        ct_post(locked[1]);
        dup2(feed[0], 0);
        close(feed[1]);
        execl("/proc/self/exe", "robust_mutex", "wait-for-eof", (char *)NULL);
        _exit(127);
    }
    close(feed[0]);
    ct_await(locked[0]);
    recover("child exec'd holding it (and still runs)", shared);
    close(feed[1]);
    printf("the child: %s\n", status_text(ct_wait(child)));
    ct_pass();
}
