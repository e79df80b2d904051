/* Contract: an SA_SIGINFO handler receives si_signo and the sender's
 * si_code: SI_USER with si_pid/si_uid for kill, SI_TKILL for tgkill/raise,
 * SI_QUEUE with si_value for sigqueue. */
#include "contract.h"
#include <sys/syscall.h>

static siginfo_t got;
static volatile sig_atomic_t count;

static void on_signal(int sig, siginfo_t *info, void *context)
{
    (void)sig;
    (void)context;
    got = *info;
    count++;
}

static char const *code_name(int code)
{
    switch (code) {
    case SI_USER: return "SI_USER";
    case SI_QUEUE: return "SI_QUEUE";
    case SI_TKILL: return "SI_TKILL";
    case SI_KERNEL: return "SI_KERNEL";
    default: return "other";
    }
}

int main(void)
{
    sigset_t none;
    sigemptyset(&none);
    OK(sigprocmask(SIG_SETMASK, &none, NULL));
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO;
    OK(sigaction(SIGUSR1, &sa, NULL));

    OK(kill(getpid(), SIGUSR1));
    CHECK(count == 1, "handler ran");
    printf("kill: si_signo=%s si_code=%s\n", signal_name(got.si_signo), code_name(got.si_code));
    CHECK(got.si_signo == SIGUSR1 && got.si_code == SI_USER, "kill gives SI_USER");
    EXPECT("kill: si_pid is the sender", got.si_pid == getpid());
    EXPECT("kill: si_uid is the sender's uid", got.si_uid == getuid());

    OK(syscall(SYS_tgkill, getpid(), gettid(), SIGUSR1));
    printf("tgkill: si_signo=%s si_code=%s\n", signal_name(got.si_signo), code_name(got.si_code));
    CHECK(got.si_code == SI_TKILL, "tgkill gives SI_TKILL");
    EXPECT("tgkill: si_pid is the sender", got.si_pid == getpid());

    union sigval value = { .sival_int = 42 };
    OK(sigqueue(getpid(), SIGUSR1, value));
    printf("sigqueue: si_signo=%s si_code=%s si_value=%d\n", signal_name(got.si_signo), code_name(got.si_code),
           got.si_value.sival_int);
    CHECK(got.si_code == SI_QUEUE && got.si_value.sival_int == 42, "sigqueue gives SI_QUEUE and the value");

    /* From another process: si_pid names it. */
    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    OK(sigprocmask(SIG_BLOCK, &usr1, NULL));
    pid_t child = ct_fork();
    if (child == 0) _exit(kill(getppid(), SIGUSR1) == 0 ? 0 : 1);
    int status = ct_wait(child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child sent the signal");
    OK(sigprocmask(SIG_UNBLOCK, &usr1, NULL));
    CHECK(count == 4, "pending signal delivered on unblock");
    printf("from a child: si_code=%s\n", code_name(got.si_code));
    EXPECT("from a child: si_pid is the child", got.si_pid == child);
    ct_pass();
}
