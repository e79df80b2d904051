/* Contract: a blocked signal whose disposition ignores it (SIGCHLD, SIGURG by
 * default) still reaches sigwaitinfo when it arrives during the wait: waiting
 * for a signal counts as blocking it, so it is not discarded. */
#include "contract.h"
#include <time.h>

int main(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGURG);
    OK(sigprocmask(SIG_BLOCK, &set, NULL));

    /* The child waits until the parent is surely inside sigwaitinfo. */
    struct timespec const later = { 0, 50 * 1000 * 1000 };
    int go[2];
    OK(pipe(go));
    pid_t child = ct_fork();
    if (child == 0) {
        nanosleep(&later, NULL);
        kill(getppid(), SIGURG);
        ct_await(go[0]); /* exits only once SIGURG has been taken */
        _exit(0);
    }
    siginfo_t info;
    int sig = sigwaitinfo(&set, &info);
    printf("first: %s\n", sig > 0 ? signal_name(sig) : errno_name(errno));
    CHECK(sig == SIGURG, "SIGURG sent during the wait is received");
    ct_post(go[1]);

    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sig = sigwaitinfo(&chld, &info);
    printf("then: %s %s\n", sig > 0 ? signal_name(sig) : errno_name(errno),
           info.si_code == CLD_EXITED ? "CLD_EXITED" : "other");
    CHECK(sig == SIGCHLD, "SIGCHLD from the exit is received");
    ct_wait(child);

    child = ct_fork();
    if (child == 0) {
        nanosleep(&later, NULL);
        _exit(5);
    }
    sig = sigwaitinfo(&chld, &info);
    printf("exit during the wait: %s status %d\n", sig > 0 ? signal_name(sig) : errno_name(errno), info.si_status);
    CHECK(sig == SIGCHLD && info.si_status == 5, "SIGCHLD from an exit during the wait is received");
    ct_wait(child);
    ct_pass();
}
