/* Contract: exit_group (exit, _exit) from any thread ends the whole process
 * with that status, even while other threads block; pthread_exit in main
 * ends only the main thread, and the others run on until the last one exits. */
#include "contract.h"

#include <pthread.h>
#include <stdint.h>
#include <sys/syscall.h>

static int block_pipe[2];

static void *block_forever(void *arg)
{
    (void)arg;
    char c;
    read(block_pipe[0], &c, 1); /* no one ever writes */
    return NULL;
}

static void *exit_with_7(void *arg)
{
    (void)arg;
    _exit(7);
}

static void *exit_via_exit(void *arg)
{
    (void)arg;
    exit(9);
}

/* Each scenario runs in a child process; the parent prints its status. */
static void scenario(char const *what, void (*body)(void))
{
    pid_t pid = ct_fork();
    if (pid == 0) {
        body();
        _exit(99);
    }
    printf("%s: %s\n", what, status_text(ct_wait(pid)));
}

/* Main blocks in pthread_join on a thread that calls _exit(7) (exit_group);
 * a third thread blocks in read. */
static void exit_group_from_thread(void)
{
    pthread_t blocker, exiter;
    OK(pipe(block_pipe));
    pthread_create(&blocker, NULL, block_forever, NULL);
    pthread_create(&exiter, NULL, exit_with_7, NULL);
    pthread_join(exiter, NULL);
    _exit(98); /* not reached */
}

/* exit(9) from a thread while main waits in pthread_join on a blocked one. */
static void exit_from_thread(void)
{
    pthread_t blocker, exiter;
    OK(pipe(block_pipe));
    pthread_create(&blocker, NULL, block_forever, NULL);
    pthread_create(&exiter, NULL, exit_via_exit, NULL);
    pthread_join(blocker, NULL);
    _exit(98);
}

/* The main thread leaves with pthread_exit; the other thread joins it,
 * which (in musl) returns only after the kernel cleared the main thread's
 * tid word at its exit, then reports and exits with 5. musl registers that
 * word (set_tid_address) at start-up but not in a forked child, so these
 * scenarios run in a fresh exec of this program. */
static pthread_t main_thread;

static void *outlive_main(void *arg)
{
    (void)arg;
    if (pthread_join(main_thread, NULL) != 0) _exit(97);
    char const message[] = "the other thread ran on after main's pthread_exit\n";
    write(1, message, sizeof message - 1);
    if (getpid() != (pid_t)syscall(SYS_getpid)) _exit(96);
    exit(5);
}

static void main_pthread_exit(void)
{
    main_thread = pthread_self();
    pthread_t other;
    pthread_create(&other, NULL, outlive_main, NULL);
    pthread_exit(NULL);
}

/* Every thread ends with pthread_exit: the last one out ends the process
 * with status 0. */
static void *just_return(void *arg)
{
    (void)arg;
    if (pthread_join(main_thread, NULL) != 0) _exit(97);
    return NULL;
}

static void all_threads_pthread_exit(void)
{
    main_thread = pthread_self();
    pthread_t other;
    pthread_create(&other, NULL, just_return, NULL);
    pthread_exit(NULL);
}

/* Raw SYS_exit, bypassing musl's pthread_exit: each thread's own exit
 * code. When main is the last to go, its code is the process's status.
 * (When main goes first, Linux before 6.16 reported main's code and later
 * ones the last thread's: not a contract.) Main waits for the thread's exit
 * through the word the thread's set_tid_address named. */
static volatile uint32_t other_gone = 1;

static __attribute__((noreturn)) void raw_exit(int code)
{
    for (;;) syscall(SYS_exit, code);
}

static void wait_zero(volatile uint32_t *word)
{
    uint32_t v;
    while ((v = *word) != 0) syscall(SYS_futex, word, 0 /* FUTEX_WAIT */, v, NULL, NULL, 0);
}

static void *exit_4_first(void *arg)
{
    (void)arg;
    syscall(SYS_set_tid_address, &other_gone);
    raw_exit(4);
}

static void main_exits_3_last(void)
{
    pthread_t other;
    pthread_create(&other, NULL, exit_4_first, NULL);
    wait_zero(&other_gone);
    raw_exit(3);
}

static void reexec(char const *what, char const *argument)
{
    pid_t pid = ct_fork();
    if (pid == 0) {
        execl("/proc/self/exe", "exit_semantics", argument, (char *)NULL);
        _exit(95);
    }
    printf("%s: %s\n", what, status_text(ct_wait(pid)));
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "main-exits") == 0) main_pthread_exit();
    if (argc == 2 && strcmp(argv[1], "all-exit") == 0) all_threads_pthread_exit();
    if (argc == 2 && strcmp(argv[1], "main-last") == 0) main_exits_3_last();

    scenario("_exit(7) in a thread while main joins", exit_group_from_thread);
    scenario("exit(9) in a thread while another blocks in read", exit_from_thread);
    reexec("main calls pthread_exit, the other thread exit(5)", "main-exits");
    reexec("every thread calls pthread_exit or returns", "all-exit");
    reexec("SYS_exit(4) in a thread, then SYS_exit(3) in main", "main-last");
    ct_pass();
}
