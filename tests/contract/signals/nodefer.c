/* Contract: during a handler its own signal is blocked (plus sa_mask), so a
 * raise inside the handler is delivered after it returns; with SA_NODEFER
 * it nests at once; SA_RESETHAND restores SIG_DFL on delivery. */
#include "contract.h"

/* volatile: the handler changes them inside raise(), which a compiler may
 * know as a builtin that does not touch them (gcc does). */
static volatile char trace[32];
static volatile int length, depth;
static volatile int self_blocked, usr2_blocked;

static void on_usr1(int sig)
{
    (void)sig;
    trace[length++] = '<';
    if (depth++ == 0) {
        sigset_t now;
        sigprocmask(SIG_SETMASK, NULL, &now);
        self_blocked = sigismember(&now, SIGUSR1);
        usr2_blocked = sigismember(&now, SIGUSR2);
        raise(SIGUSR1);
        trace[length++] = 'r';
    }
    trace[length++] = '>';
}

static void run(char const *what, int flags, int add_usr2)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = flags;
    if (add_usr2) sigaddset(&sa.sa_mask, SIGUSR2);
    OK(sigaction(SIGUSR1, &sa, NULL));
    length = depth = 0;
    for (size_t i = 0; i < sizeof trace; i++) trace[i] = 0;
    OK(raise(SIGUSR1));
    printf("%s: trace %s, SIGUSR1 blocked in handler: %s, SIGUSR2 blocked: %s\n", what, (char const *)trace,
           self_blocked ? "yes" : "no", usr2_blocked ? "yes" : "no");
}

int main(void)
{
    sigset_t none;
    sigemptyset(&none);
    OK(sigprocmask(SIG_SETMASK, &none, NULL));

    run("default", 0, 1);
    CHECK(strcmp((char const *)trace, "<r><>") == 0 && self_blocked && usr2_blocked, "deferred");
    run("SA_NODEFER", SA_NODEFER, 0);
    CHECK(strcmp((char const *)trace, "<<>r>") == 0 && !self_blocked && !usr2_blocked, "nested");

    sigset_t after;
    OK(sigprocmask(SIG_SETMASK, NULL, &after));
    EXPECT("mask restored after the handlers", !sigismember(&after, SIGUSR1) && !sigismember(&after, SIGUSR2));

    /* SA_RESETHAND: the handler runs once, then the action is SIG_DFL. */
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_RESETHAND;
    OK(sigaction(SIGUSR2, &sa, NULL));
    depth = 1; /* no nested raise */
    length = 0;
    for (size_t i = 0; i < sizeof trace; i++) trace[i] = 0;
    OK(raise(SIGUSR2));
    OK(sigaction(SIGUSR2, NULL, &old));
    EXPECT("SA_RESETHAND handler ran", strcmp((char const *)trace, "<>") == 0);
    EXPECT("SA_RESETHAND left SIG_DFL", old.sa_handler == SIG_DFL);
    ct_pass();
}
