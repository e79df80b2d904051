/* Contract: with default dispositions, SIGTERM/SIGKILL/SIGUSR1 terminate,
 * hardware faults terminate with the matching signal (SIGSEGV, SIGFPE,
 * SIGILL, SIGTRAP, SIGABRT), and SIGCHLD, SIGURG, SIGWINCH and SIGCONT are
 * ignored. */
#include "contract.h"
#include <sys/prctl.h>
#include <sys/resource.h>

static volatile int zero = 0;
static int *volatile bad_pointer = (int *)8;

static void no_core(void)
{
    /* Faults would dump core: keep the host's filesystem clean. */
    struct rlimit none = { 0, 0 };
    setrlimit(RLIMIT_CORE, &none);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

static void run(char const *what, void (*action)(void), int expect_signal)
{
    pid_t child = ct_fork();
    if (child == 0) {
        no_core();
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        for (int s = 1; s < 32; s++)
            if (s != SIGKILL && s != SIGSTOP) signal(s, SIG_DFL);
        action();
        _exit(0);
    }
    int status = ct_wait(child);
    printf("%s: %s\n", what, status_text(status));
    if (expect_signal)
        CHECK(WIFSIGNALED(status) && WTERMSIG(status) == expect_signal, what);
    else
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, what);
}

static void send_term(void) { kill(getpid(), SIGTERM); }
static void send_kill(void) { kill(getpid(), SIGKILL); }
static void send_usr1(void) { kill(getpid(), SIGUSR1); }
static void segv(void) { *bad_pointer = 1; }
static void fpe(void) { zero = 7 / zero; }
static void ill(void) { __asm__ volatile("ud2"); }
static void trap(void) { __asm__ volatile("int3"); }
static void do_abort(void) { abort(); }
static void send_chld(void) { kill(getpid(), SIGCHLD); }
static void send_urg(void) { kill(getpid(), SIGURG); }
static void send_winch(void) { kill(getpid(), SIGWINCH); }
static void send_cont(void) { kill(getpid(), SIGCONT); }

int main(void)
{
    run("SIGTERM", send_term, SIGTERM);
    run("SIGKILL", send_kill, SIGKILL);
    run("SIGUSR1", send_usr1, SIGUSR1);
    run("store to address 8", segv, SIGSEGV);
    run("integer division by zero", fpe, SIGFPE);
    run("ud2", ill, SIGILL);
    run("int3", trap, SIGTRAP);
    run("abort()", do_abort, SIGABRT);
    run("SIGCHLD", send_chld, 0);
    run("SIGURG", send_urg, 0);
    run("SIGWINCH", send_winch, 0);
    run("SIGCONT", send_cont, 0);
    ct_pass();
}
