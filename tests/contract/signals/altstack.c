/* Contract: an SA_ONSTACK handler runs on the sigaltstack stack and sees
 * SS_ONSTACK; a handler without SA_ONSTACK does not; the alternate stack
 * cannot be changed while on it; too small a stack is ENOMEM. */
#include "contract.h"

#define ALT_SIZE (64 * 1024)
static char alt[ALT_SIZE] __attribute__((aligned(16)));
static volatile int on_alt, reported_onstack, change_error;

static void on_signal(int sig)
{
    (void)sig;
    volatile char local;
    on_alt = &local >= alt && &local < alt + ALT_SIZE;
    stack_t now;
    sigaltstack(NULL, &now);
    reported_onstack = (now.ss_flags & SS_ONSTACK) != 0;
    stack_t other = { .ss_sp = alt, .ss_size = ALT_SIZE, .ss_flags = 0 };
    change_error = sigaltstack(&other, NULL) == 0 ? 0 : errno;
}

int main(void)
{
    stack_t ss;
    OK(sigaltstack(NULL, &ss));
    EXPECT("initially SS_DISABLE", ss.ss_flags == SS_DISABLE);

    stack_t tiny = { .ss_sp = alt, .ss_size = 1024, .ss_flags = 0 };
    EXPECT_ERRNO("sigaltstack with 1 KiB", sigaltstack(&tiny, NULL), ENOMEM);
    stack_t bad = { .ss_sp = alt, .ss_size = ALT_SIZE, .ss_flags = 0x1234 };
    EXPECT_ERRNO("sigaltstack with bad flags", sigaltstack(&bad, NULL), EINVAL);

    ss.ss_sp = alt;
    ss.ss_size = ALT_SIZE;
    ss.ss_flags = 0;
    OK(sigaltstack(&ss, NULL));
    stack_t now;
    OK(sigaltstack(NULL, &now));
    EXPECT("sigaltstack reports the stack", now.ss_sp == alt && now.ss_size == ALT_SIZE);
    EXPECT("not on it outside a handler", now.ss_flags == 0);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_ONSTACK;
    OK(sigaction(SIGUSR1, &sa, NULL));
    sa.sa_flags = 0;
    OK(sigaction(SIGUSR2, &sa, NULL));

    OK(raise(SIGUSR1));
    printf("SA_ONSTACK handler: on alternate stack: %s, SS_ONSTACK: %s, change: %s\n", on_alt ? "yes" : "no",
           reported_onstack ? "yes" : "no", errno_name(change_error));
    CHECK(on_alt && reported_onstack && change_error == EPERM, "SA_ONSTACK handler");

    OK(raise(SIGUSR2));
    printf("plain handler: on alternate stack: %s, SS_ONSTACK: %s\n", on_alt ? "yes" : "no",
           reported_onstack ? "yes" : "no");
    CHECK(!on_alt && !reported_onstack, "plain handler on the normal stack");

    ss.ss_flags = SS_DISABLE;
    OK(sigaltstack(&ss, NULL));
    OK(sigaltstack(NULL, &now));
    EXPECT("SS_DISABLE turns it off", now.ss_flags == SS_DISABLE);
    OK(raise(SIGUSR1));
    EXPECT("SA_ONSTACK without a stack runs on the normal stack", !on_alt);
    ct_pass();
}
