/* Contract: tgkill and pthread_kill direct a signal to the named thread --
 * its handler runs there, and while blocked it is pending for that thread
 * alone -- whereas kill() makes it pending for the whole process. */
#include "contract.h"

#include <pthread.h>
#include <sys/syscall.h>

static pid_t gettid_(void) { return (pid_t)syscall(SYS_gettid); }
static int tgkill_(pid_t tgid, pid_t tid, int sig) { return (int)syscall(SYS_tgkill, tgid, tid, sig); }

static volatile pid_t handled_by;
static volatile int handled_count;
static void record(int sig)
{
    (void)sig;
    handled_by = gettid_();
    handled_count++;
}

static pthread_barrier_t barrier;
static volatile pid_t worker_tid;
static volatile int worker_saw_pending, worker_saw_shared, worker_siginfo_ok;

static void *worker(void *arg)
{
    (void)arg;
    worker_tid = gettid_();
    sigset_t usr1, none, pending;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigemptyset(&none);

    /* 1. SIGUSR1 is blocked here (inherited); main tgkills us. */
    pthread_barrier_wait(&barrier); /* A: ready */
    pthread_barrier_wait(&barrier); /* B: main has sent it */
    sigpending(&pending);
    worker_saw_pending = sigismember(&pending, SIGUSR1);
    pthread_barrier_wait(&barrier); /* C: main checked its own set */
    /* Take it with sigwaitinfo: si_code says SI_TKILL. */
    siginfo_t info;
    if (sigwaitinfo(&usr1, &info) == SIGUSR1)
        worker_siginfo_ok = info.si_code == SI_TKILL && info.si_pid == getpid();

    /* 2. A process-directed SIGUSR1 (kill) is pending in every thread's view. */
    pthread_barrier_wait(&barrier); /* D: main has sent kill() */
    sigpending(&pending);
    worker_saw_shared = sigismember(&pending, SIGUSR1);
    pthread_barrier_wait(&barrier); /* E */

    /* 3. With the handler unblocked here, pthread_kill to us runs it here. */
    pthread_barrier_wait(&barrier); /* F: main took the kill() signal */
    sigsuspend(&none);              /* until the handler ran */
    pthread_barrier_wait(&barrier); /* G */

    /* 4. We tgkill main while main waits in sigsuspend. */
    pthread_barrier_wait(&barrier); /* H */
    tgkill_(getpid(), getpid(), SIGUSR1);
    return NULL;
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = record;
    OK(sigaction(SIGUSR1, &sa, NULL));
    sigset_t usr1, none, pending;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigemptyset(&none);
    OK(sigprocmask(SIG_BLOCK, &usr1, NULL));
    pthread_barrier_init(&barrier, NULL, 2);
    pthread_t thread;
    CHECK(pthread_create(&thread, NULL, worker, NULL) == 0, "pthread_create");

    pthread_barrier_wait(&barrier); /* A */
    OK(tgkill_(getpid(), worker_tid, SIGUSR1));
    pthread_barrier_wait(&barrier); /* B */
    OK(sigpending(&pending));
    EXPECT("tgkill'd SIGUSR1 is not pending for main", !sigismember(&pending, SIGUSR1));
    pthread_barrier_wait(&barrier); /* C */

    OK(kill(getpid(), SIGUSR1));
    OK(sigpending(&pending));
    EXPECT("kill()'d SIGUSR1 is pending for main", sigismember(&pending, SIGUSR1));
    pthread_barrier_wait(&barrier); /* D */
    pthread_barrier_wait(&barrier); /* E */
    EXPECT("tgkill'd SIGUSR1 was pending for the worker", worker_saw_pending);
    EXPECT("sigwaitinfo in the worker: si_code SI_TKILL, si_pid our pid", worker_siginfo_ok);
    EXPECT("kill()'d SIGUSR1 is pending for the worker too", worker_saw_shared);
    siginfo_t info;
    struct timespec zero = { 0, 0 };
    CHECK(sigtimedwait(&usr1, &info, &zero) == SIGUSR1, "main takes the kill()'d signal");
    printf("main took the process-directed signal: si_code %s\n", info.si_code == SI_USER ? "SI_USER" : "other");

    /* 3. Main keeps SIGUSR1 blocked; pthread_kill(worker) runs the handler
     * in the worker, which unblocks it in sigsuspend. */
    pthread_barrier_wait(&barrier); /* F */
    CHECK(pthread_kill(thread, SIGUSR1) == 0, "pthread_kill");
    pthread_barrier_wait(&barrier); /* G */
    EXPECT("pthread_kill: the handler ran in the worker", handled_count == 1 && handled_by == worker_tid);

    /* 4. Main waits with SIGUSR1 unblocked; the worker tgkills main. */
    pthread_barrier_wait(&barrier); /* H */
    sigsuspend(&none);
    EXPECT("tgkill from the worker: the handler ran in main", handled_count == 2 && handled_by == gettid_());
    CHECK(pthread_join(thread, NULL) == 0, "join");

    /* Errors: a tid that is not in the group, bad arguments. */
    int hold[2];
    OK(pipe(hold));
    pid_t child = ct_fork();
    if (child == 0) {
        close(hold[1]);
        ct_await(hold[0]);
        _exit(0);
    }
    EXPECT_ERRNO("tgkill with a tid of another group", tgkill_(child, getpid(), 0), ESRCH);
    OK(tgkill_(child, child, 0));
    printf("tgkill to another process's main thread: 0\n");
    ct_post(hold[1]);
    ct_wait(child);
    EXPECT_ERRNO("tgkill with tgid 0", tgkill_(0, getpid(), 0), EINVAL);
    EXPECT_ERRNO("tgkill with tid 0", tgkill_(getpid(), 0, 0), EINVAL);
    EXPECT_ERRNO("tgkill with signal 65", tgkill_(getpid(), getpid(), 65), EINVAL);
    EXPECT_ERRNO("tgkill to an exited thread", tgkill_(getpid(), worker_tid, 0), ESRCH);
    OK(tgkill_(getpid(), getpid(), 0));
    printf("tgkill signal 0 to self: 0\n");
    ct_pass();
}
