/* Contract: a signal sent to a stopped process stays pending, and the
 * sender is not held up, until SIGCONT resumes it and the signal acts;
 * SIGKILL ends a stopped process at once. */
#include "contract.h"
#include <time.h>

static pid_t stopped_child(void)
{
    int ready[2];
    OK(pipe(ready));
    pid_t child = ct_fork();
    if (child == 0) {
        ct_post(ready[1]);
        for (;;) pause();
    }
    ct_await(ready[0]);
    close(ready[0]);
    close(ready[1]);
    OK(kill(child, SIGSTOP));
    int status;
    CHECK(waitpid(child, &status, WUNTRACED) == child && WIFSTOPPED(status), "child stopped");
    return child;
}

int main(void)
{
    pid_t child = stopped_child();
    OK(kill(child, SIGTERM));
    OK(kill(child, SIGUSR1));
    /* Still stopped a while later: nothing was delivered. */
    struct timespec const pause_ = { 0, 30 * 1000 * 1000 };
    nanosleep(&pause_, NULL);
    int status;
    EXPECT("the stopped child has not ended", waitpid(child, &status, WNOHANG) == 0);
    OK(kill(child, SIGCONT));
    status = ct_wait(child);
    printf("after SIGCONT: %s\n", status_text(status));
    CHECK(WIFSIGNALED(status), "a pending signal ends it once continued");

    child = stopped_child();
    OK(kill(child, SIGKILL));
    status = ct_wait(child);
    printf("SIGKILL while stopped: %s\n", status_text(status));
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "SIGKILL ends a stopped process");
    ct_pass();
}
