/* Contract: page faults are counted. Touching fresh memory raises
 * getrusage's ru_minflt for the process and the thread, and /proc/self/stat's
 * minflt (field 10) with it; a child's faults reach the parent's
 * RUSAGE_CHILDREN (and cminflt, field 11) once it is waited for, and wait4's
 * rusage. How many faults a page costs is the kernel's business (fault-around,
 * huge pages), so only growth is checked. */
#include "contract.h"
#include <sys/mman.h>
#include <sys/resource.h>

enum { kPages = 256 };

static long minflt(int who)
{
    struct rusage r;
    OK(getrusage(who, &r));
    return r.ru_minflt;
}

/* /proc/self/stat's field `n` (minflt is 10, cminflt 11). */
static long stat_field(int n)
{
    char text[1024];
    int fd = OK(open("/proc/self/stat", O_RDONLY));
    ssize_t got = OK(read(fd, text, sizeof text - 1));
    close(fd);
    text[got] = 0;
    char *p = strrchr(text, ')'); /* the name may hold spaces */
    CHECK(p, "stat has a name");
    int field = 2;
    for (; *p && field < n; p++)
        if (*p == ' ') field++;
    return strtol(p, NULL, 10);
}

static void touch_fresh_pages(void)
{
    char *m = mmap(NULL, kPages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(m != MAP_FAILED, "mmap");
    for (int i = 0; i < kPages; i++) m[i * 4096] = 1;
    OK(munmap(m, kPages * 4096));
}

int main(void)
{
    long const self = minflt(RUSAGE_SELF), thread = minflt(RUSAGE_THREAD), stat = stat_field(10);
    touch_fresh_pages();
    EXPECT("RUSAGE_SELF ru_minflt grew", minflt(RUSAGE_SELF) > self);
    EXPECT("RUSAGE_THREAD ru_minflt grew", minflt(RUSAGE_THREAD) > thread);
    EXPECT("/proc/self/stat minflt grew", stat_field(10) > stat);
    EXPECT("RUSAGE_SELF is at least the thread's", minflt(RUSAGE_SELF) >= minflt(RUSAGE_THREAD));

    long const children = minflt(RUSAGE_CHILDREN), cstat = stat_field(11);
    pid_t child = ct_fork();
    if (child == 0) {
        touch_fresh_pages();
        _exit(0);
    }
    int status;
    struct rusage r;
    CHECK(wait4(child, &status, 0, &r) == child, "wait4");
    EXPECT("wait4's rusage counts the child's faults", r.ru_minflt > 0);
    EXPECT("RUSAGE_CHILDREN ru_minflt grew after the wait", minflt(RUSAGE_CHILDREN) > children);
    EXPECT("/proc/self/stat cminflt grew", stat_field(11) > cstat);
    ct_pass();
}
