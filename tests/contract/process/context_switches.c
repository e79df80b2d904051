/* Contract: a thread that blocks is switched away voluntarily, and the
 * kernel counts it where Linux reports it: voluntary_ctxt_switches in
 * /proc/self/status, ru_nvcsw in getrusage(RUSAGE_SELF and RUSAGE_THREAD),
 * and, once the child is waited for, in wait4's rusage and
 * getrusage(RUSAGE_CHILDREN). */
#include "contract.h"
#include <sys/resource.h>
#include <time.h>

static long status_field(char const *name)
{
    FILE *f = fopen("/proc/self/status", "r");
    CHECK(f != NULL, "open /proc/self/status");
    char line[256];
    long value = -1;
    size_t const length = strlen(name);
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, name, length) == 0 && line[length] == ':') value = atol(line + length + 1);
    fclose(f);
    return value;
}

/* Each sleep blocks: one voluntary switch at least. */
static void sleep_a_little(int times)
{
    for (int i = 0; i < times; i++) {
        struct timespec t = { 0, 2000000 };
        nanosleep(&t, NULL);
    }
}

int main(void)
{
    long const voluntary = status_field("voluntary_ctxt_switches");
    long const involuntary = status_field("nonvoluntary_ctxt_switches");
    EXPECT("status has voluntary_ctxt_switches", voluntary >= 0);
    EXPECT("status has nonvoluntary_ctxt_switches", involuntary >= 0);
    sleep_a_little(5);
    EXPECT("five sleeps are five voluntary switches or more", status_field("voluntary_ctxt_switches") >= voluntary + 5);

    struct rusage self, thread;
    CHECK(getrusage(RUSAGE_SELF, &self) == 0, "getrusage(RUSAGE_SELF)");
    CHECK(getrusage(RUSAGE_THREAD, &thread) == 0, "getrusage(RUSAGE_THREAD)");
    EXPECT("RUSAGE_SELF counts the sleeps", self.ru_nvcsw >= 5);
    EXPECT("RUSAGE_THREAD counts the sleeps", thread.ru_nvcsw >= 5);

    struct rusage children;
    CHECK(getrusage(RUSAGE_CHILDREN, &children) == 0, "getrusage(RUSAGE_CHILDREN)");
    EXPECT("no children counted yet", children.ru_nvcsw == 0 && children.ru_nivcsw == 0);
    pid_t pid = ct_fork();
    if (pid == 0) {
        sleep_a_little(5);
        _exit(0);
    }
    struct rusage child;
    int status;
    CHECK(wait4(pid, &status, 0, &child) == pid, "wait4");
    printf("child: %s\n", status_text(status));
    EXPECT("wait4's rusage counts the child's sleeps", child.ru_nvcsw >= 5);
    CHECK(getrusage(RUSAGE_CHILDREN, &children) == 0, "getrusage(RUSAGE_CHILDREN)");
    EXPECT("RUSAGE_CHILDREN counts the waited child's sleeps", children.ru_nvcsw >= 5);
    CHECK(getrusage(RUSAGE_SELF, &self) == 0, "getrusage(RUSAGE_SELF)");
    EXPECT("waiting for the child blocked too", self.ru_nvcsw >= 6);
    ct_pass();
}
