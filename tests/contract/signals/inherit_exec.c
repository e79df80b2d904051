/* Contract: fork copies dispositions and the mask but not pending signals;
 * execve keeps SIG_IGN, resets handled signals to SIG_DFL, and keeps the
 * mask and the pending set. */
#include "contract.h"

static void on_usr2(int sig) { (void)sig; }

static char const *disposition(int sig, void (*handler)(int))
{
    struct sigaction sa;
    sigaction(sig, NULL, &sa);
    if (sa.sa_handler == SIG_IGN) return "SIG_IGN";
    if (sa.sa_handler == SIG_DFL) return "SIG_DFL";
    return sa.sa_handler == handler ? "our handler" : "another handler";
}

/* Prints the state and returns it as a string to check:
 * "<usr1> <usr2> <blocked INT><blocked QUIT> <pending INT><pending QUIT>". */
static char const *show(char const *who)
{
    static char state[64];
    sigset_t mask, pending;
    sigprocmask(SIG_SETMASK, NULL, &mask);
    sigpending(&pending);
    printf("%s: SIGUSR1 %s, SIGUSR2 %s\n", who, disposition(SIGUSR1, on_usr2), disposition(SIGUSR2, on_usr2));
    printf("%s: blocked SIGINT %s, SIGQUIT %s\n", who, sigismember(&mask, SIGINT) ? "yes" : "no",
           sigismember(&mask, SIGQUIT) ? "yes" : "no");
    printf("%s: pending SIGINT %s, SIGQUIT %s\n", who, sigismember(&pending, SIGINT) ? "yes" : "no",
           sigismember(&pending, SIGQUIT) ? "yes" : "no");
    snprintf(state, sizeof state, "%s/%s/%d%d/%d%d", disposition(SIGUSR1, on_usr2), disposition(SIGUSR2, on_usr2),
             sigismember(&mask, SIGINT), sigismember(&mask, SIGQUIT), sigismember(&pending, SIGINT),
             sigismember(&pending, SIGQUIT));
    return state;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--ct-child") == 0) {
        CHECK(strcmp(show("after exec"), "SIG_IGN/SIG_DFL/11/10") == 0, "exec keeps SIG_IGN, mask, pending");
        fflush(stdout);
        _exit(0);
    }
    signal(SIGUSR1, SIG_IGN);
    signal(SIGUSR2, on_usr2);
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGQUIT);
    OK(sigprocmask(SIG_SETMASK, &block, NULL));
    OK(raise(SIGQUIT));
    CHECK(strcmp(show("parent"), "SIG_IGN/our handler/11/01") == 0, "parent's state");

    pid_t child = ct_fork();
    if (child == 0) {
        CHECK(strcmp(show("child after fork"), "SIG_IGN/our handler/11/00") == 0, "fork copies all but pending");
        raise(SIGINT);
        CHECK(strcmp(show("child before exec"), "SIG_IGN/our handler/11/10") == 0, "SIGINT pending");
        fflush(stdout);
        char *args[] = { argv[0], "--ct-child", NULL };
        execv(argv[0], args);
        _exit(1);
    }
    int status = ct_wait(child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "exec'd child exits 0");
    printf("child %s\n", status_text(status));

    /* Drop the pending SIGQUIT before unblocking. */
    signal(SIGQUIT, SIG_IGN);
    sigset_t none;
    sigemptyset(&none);
    OK(sigprocmask(SIG_SETMASK, &none, NULL));
    ct_pass();
}
