/* Contract: every thread has its own tid, the main thread's equal to the
 * pid; getpid and getppid are the same in every thread; /proc/self counts
 * and lists the threads. */
#include "contract.h"

#include <pthread.h>
#include <sys/syscall.h>

enum { kThreads = 4 };
static pthread_barrier_t started, done;
static pid_t tids[kThreads + 1], pids[kThreads + 1], ppids[kThreads + 1];

static void *thread_main(void *arg)
{
    int const id = (int)(long)arg;
    tids[id] = (pid_t)syscall(SYS_gettid);
    pids[id] = getpid();
    ppids[id] = getppid();
    pthread_barrier_wait(&started);
    pthread_barrier_wait(&done); /* alive while main looks at /proc */
    return NULL;
}

static long stat_num_threads(void)
{
    char text[1024];
    int fd = OK(open("/proc/self/stat", O_RDONLY));
    ssize_t n = OK(read(fd, text, sizeof text - 1));
    close(fd);
    text[n] = 0;
    char *p = strrchr(text, ')');
    CHECK(p, "stat format");
    /* After "pid (comm)": state is field 3, num_threads field 20. */
    p += 2;
    for (int field = 3; field < 20; field++) {
        p = strchr(p, ' ');
        CHECK(p, "stat fields");
        p++;
    }
    return strtol(p, NULL, 10);
}

static int task_entries(void)
{
    DIR *dir = opendir("/proc/self/task");
    CHECK(dir, "opendir /proc/self/task");
    int count = 0, found = 0;
    struct dirent *e;
    while ((e = readdir(dir))) {
        if (e->d_name[0] == '.') continue;
        count++;
        pid_t tid = (pid_t)atoi(e->d_name);
        for (int i = 0; i <= kThreads; i++) found += tids[i] == tid;
    }
    closedir(dir);
    CHECK(found == count, "every task entry is one of our threads");
    return count;
}

int main(void)
{
    tids[0] = (pid_t)syscall(SYS_gettid);
    pids[0] = getpid();
    ppids[0] = getppid();
    EXPECT("main thread: gettid == getpid", tids[0] == pids[0]);
    pthread_barrier_init(&started, NULL, kThreads + 1);
    pthread_barrier_init(&done, NULL, kThreads + 1);
    pthread_t threads[kThreads];
    for (long i = 1; i <= kThreads; i++) CHECK(pthread_create(&threads[i - 1], NULL, thread_main, (void *)i) == 0, "create");
    pthread_barrier_wait(&started);

    int distinct = 1, same_pid = 1, same_ppid = 1;
    for (int i = 0; i <= kThreads; i++) {
        same_pid &= pids[i] == pids[0];
        same_ppid &= ppids[i] == ppids[0];
        for (int j = 0; j < i; j++) distinct &= tids[i] != tids[j];
    }
    EXPECT("5 threads: tids all distinct", distinct);
    EXPECT("getpid is the same in every thread", same_pid);
    EXPECT("getppid is the same in every thread", same_ppid);
    printf("/proc/self/stat num_threads: %ld\n", stat_num_threads());
    printf("/proc/self/task entries: %d\n", task_entries());
    char path[64];
    struct stat st;
    snprintf(path, sizeof path, "/proc/self/task/%d", (int)tids[2]);
    EXPECT("/proc/self/task/<tid> of a thread exists", stat(path, &st) == 0 && S_ISDIR(st.st_mode));
    snprintf(path, sizeof path, "/proc/%d", (int)tids[2]);
    EXPECT("/proc/<tid> of a non-leader thread resolves too", stat(path, &st) == 0 && S_ISDIR(st.st_mode));

    pthread_barrier_wait(&done);
    for (int i = 0; i < kThreads; i++) CHECK(pthread_join(threads[i], NULL) == 0, "join");
    /* A joined thread has cleared its tid word but may not be released yet
     * (Linux releases it a little later in do_exit): wait for the count. */
    while (stat_num_threads() != 1) sched_yield();
    printf("after join, /proc/self/stat num_threads drops to 1\n");
    while (task_entries() != 1) sched_yield();
    printf("after join, /proc/self/task entries drop to 1\n");
    ct_pass();
}
