/* Contract: real-time signals queue (each send is delivered, with its value,
 * in FIFO order per signal, lower numbers first), standard signals coalesce,
 * and sigtimedwait with a zero timeout and nothing pending is EAGAIN. */
#include "contract.h"
#include <time.h>

int main(void)
{
    int const rt0 = SIGRTMIN, rt1 = SIGRTMIN + 1;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, rt0);
    sigaddset(&set, rt1);
    OK(sigprocmask(SIG_BLOCK, &set, NULL));

    OK(sigqueue(getpid(), rt1, (union sigval){ .sival_int = 10 }));
    OK(sigqueue(getpid(), rt0, (union sigval){ .sival_int = 1 }));
    OK(sigqueue(getpid(), rt0, (union sigval){ .sival_int = 2 }));
    OK(kill(getpid(), SIGUSR1));
    OK(kill(getpid(), SIGUSR1));
    OK(sigqueue(getpid(), rt0, (union sigval){ .sival_int = 3 }));

    static struct {
        int sig, value;
    } const expected[] = { { SIGUSR1, -1 }, { 0, 1 }, { 0, 2 }, { 0, 3 }, { 1, 10 } };
    for (unsigned i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        siginfo_t info;
        int sig = sigwaitinfo(&set, &info);
        CHECK(sig > 0, "sigwaitinfo");
        int want = expected[i].sig == SIGUSR1 ? SIGUSR1 : SIGRTMIN + expected[i].sig;
        if (sig == SIGUSR1) {
            printf("got %s si_code=%s\n", signal_name(sig), info.si_code == SI_USER ? "SI_USER" : "other");
        } else {
            printf("got %s si_code=%s value=%d\n", signal_name(sig), info.si_code == SI_QUEUE ? "SI_QUEUE" : "other",
                   info.si_value.sival_int);
            CHECK(info.si_value.sival_int == expected[i].value, "queued value in order");
        }
        CHECK(sig == want, "delivery order");
    }
    struct timespec zero = { 0, 0 };
    EXPECT_ERRNO("sigtimedwait with nothing pending", sigtimedwait(&set, NULL, &zero), EAGAIN);
    ct_pass();
}
