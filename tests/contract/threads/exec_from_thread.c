/* Contract: execve from a thread other than the main one ends every other
 * thread and leaves one thread whose tid is the unchanged pid. */
#include "contract.h"

#include <pthread.h>
#include <sys/syscall.h>

static char pid_text[16];

static void *exec_self(void *arg)
{
    (void)arg;
    execl("/proc/self/exe", "exec_from_thread", "after-exec", pid_text, (char *)NULL);
    _exit(95);
}

static void *block_forever(void *arg)
{
    int *fds = arg;
    char c;
    read(fds[0], &c, 1);
    return NULL;
}

static int count_tasks(void)
{
    DIR *dir = opendir("/proc/self/task");
    if (!dir) return -1;
    int count = 0;
    struct dirent *e;
    while ((e = readdir(dir)))
        if (e->d_name[0] != '.') count++;
    closedir(dir);
    return count;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "after-exec") == 0) {
        printf("after exec: pid unchanged: %s\n", getpid() == atoi(argv[2]) ? "yes" : "no");
        printf("after exec: gettid == getpid: %s\n", syscall(SYS_gettid) == getpid() ? "yes" : "no");
        printf("after exec: /proc/self/task entries: %d\n", count_tasks());
        char path[64];
        struct stat st;
        snprintf(path, sizeof path, "/proc/self/task/%d", getpid());
        printf("after exec: /proc/self/task/<pid> exists: %s\n", stat(path, &st) == 0 ? "yes" : "no");
        fflush(stdout);
        _exit(0);
    }

    pid_t pid = ct_fork();
    if (pid == 0) {
        snprintf(pid_text, sizeof pid_text, "%d", getpid());
        static int fds[2];
        if (pipe(fds) < 0) _exit(94);
        pthread_t blocker, execer;
        pthread_create(&blocker, NULL, block_forever, fds);
        pthread_create(&execer, NULL, exec_self, NULL);
        pthread_join(blocker, NULL); /* main blocks until the exec ends it */
        _exit(93);
    }
    printf("the process: %s\n", status_text(ct_wait(pid)));
    ct_pass();
}
