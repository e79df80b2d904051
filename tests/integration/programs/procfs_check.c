/* procfs_check: what /proc shows a process about itself and its children,
 * checked against the system calls that report the same facts. Runs on the
 * host (Linux, the reference) and in the guest; prints one "ok" or "FAIL"
 * line per check, then PROCFS_OK and exit status 0 if every check held.
 *
 *   procfs_check            run the checks
 *   procfs_check sleeper …  (internal) a child that blocks reading stdin
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int failures;
static char exe[PATH_MAX]; /* this program's absolute path */
static char link_path[64]; /* a symbolic link to it, which the child runs */

static void check(int ok, char const *what, char const *format, ...)
{
    if (ok) {
        printf("ok %s\n", what);
        return;
    }
    failures++;
    printf("FAIL %s", what);
    if (format) {
        va_list args;
        va_start(args, format);
        printf(": ");
        vprintf(format, args);
        va_end(args);
    }
    printf("\n");
}

/* The whole of a (small) file; NUL bytes kept. Returns the length or -1. */
static ssize_t slurp(char const *path, char *buffer, size_t size)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    size_t total = 0;
    ssize_t n;
    while (total + 1 < size && (n = read(fd, buffer + total, size - 1 - total)) > 0) total += (size_t)n;
    close(fd);
    buffer[total] = 0;
    return (ssize_t)total;
}

/* /proc/<pid>/stat split into fields: [1] pid, [2] comm (without the
 * parentheses), [3] state, ... as proc(5) numbers them. */
struct Stat {
    char text[1024];
    char comm[64];
    char *field[53];
    int count;
};

static int read_stat(char const *path, struct Stat *s)
{
    if (slurp(path, s->text, sizeof s->text) <= 0) return -1;
    char *open_paren = strchr(s->text, '(');
    char *close_paren = strrchr(s->text, ')');
    if (!open_paren || !close_paren || close_paren < open_paren) return -1;
    size_t comm_length = (size_t)(close_paren - open_paren - 1);
    if (comm_length >= sizeof s->comm) return -1;
    memcpy(s->comm, open_paren + 1, comm_length);
    s->comm[comm_length] = 0;
    s->field[1] = s->text;
    s->field[2] = s->comm;
    s->count = 2;
    char *p = close_paren + 1;
    while (s->count < 52 && *p == ' ') {
        *p++ = 0;
        s->field[++s->count] = p;
        while (*p && *p != ' ' && *p != '\n') p++;
    }
    *p = 0;
    return 0;
}

static long stat_long(struct Stat const *s, int field) { return field <= s->count ? strtol(s->field[field], NULL, 10) : -999; }

/* The value after "Key:" in a status-style file, or NULL. */
static char const *status_value(char const *text, char const *key, char *out, size_t size)
{
    size_t const key_length = strlen(key);
    for (char const *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        if (strncmp(line, key, key_length) == 0 && line[key_length] == ':') {
            char const *v = line + key_length + 1;
            while (*v == ' ' || *v == '\t') v++;
            size_t n = strcspn(v, "\n");
            if (n >= size) n = size - 1;
            memcpy(out, v, n);
            out[n] = 0;
            return out;
        }
    }
    return NULL;
}

static double uptime_seconds(void)
{
    char text[128];
    if (slurp("/proc/uptime", text, sizeof text) <= 0) return -1;
    return strtod(text, NULL);
}

/* ---- the child: blocks reading stdin until the parent closes it ---- */

static int sleeper(void)
{
    char c;
    while (read(0, &c, 1) > 0) { }
    return 0;
}

static pid_t spawn_sleeper(int *feed, char *const argv[])
{
    int fds[2];
    if (pipe(fds) < 0) return -1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[0], 0);
        close(fds[0]);
        close(fds[1]);
        execv(link_path, argv);
        _exit(127);
    }
    close(fds[0]);
    *feed = fds[1];
    return pid;
}

/* Waits until /proc/<pid>/stat shows `state` (the child has reached its
 * blocking read, or stopped). */
static int await_state(pid_t pid, char state)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    for (int i = 0; i < 100000; i++) {
        struct Stat s;
        if (read_stat(path, &s) == 0 && s.count >= 3 && s.field[3][0] == state) return 0;
        sched_yield();
        if (i > 1000) usleep(1000);
    }
    return -1;
}

/* ---- the checks ---- */

static void check_self_stat(void)
{
    struct Stat s;
    if (read_stat("/proc/self/stat", &s) != 0) {
        check(0, "/proc/self/stat parses", NULL);
        return;
    }
    check(s.count >= 52, "/proc/self/stat has 52 fields", "%d", s.count);
    check(stat_long(&s, 1) == getpid(), "stat pid == getpid()", "%ld", stat_long(&s, 1));
    check(strcmp(s.comm, "procfs_check") == 0, "stat comm in parentheses is the program's name", "(%s)", s.comm);
    check(s.field[3][0] == 'R', "stat state of the reader itself is R", "%s", s.field[3]);
    check(stat_long(&s, 4) == getppid(), "stat ppid == getppid()", "%ld", stat_long(&s, 4));
    check(stat_long(&s, 5) == getpgrp(), "stat pgrp == getpgrp()", "%ld", stat_long(&s, 5));
    check(stat_long(&s, 6) == getsid(0), "stat session == getsid(0)", "%ld", stat_long(&s, 6));
    check(stat_long(&s, 20) == 1, "stat num_threads is 1", "%ld", stat_long(&s, 20));
    long const ticks = sysconf(_SC_CLK_TCK);
    double const started = (double)stat_long(&s, 22) / (double)ticks, uptime = uptime_seconds();
    check(stat_long(&s, 22) >= 0 && started <= uptime + 0.02, "stat starttime is not after now (/proc/uptime)",
          "starttime %.2f s, uptime %.2f s", started, uptime);
    check(stat_long(&s, 23) > 0, "stat vsize > 0", "%s", s.field[23]);
    /* Linux counts resident pages per CPU in batches: touch enough (8 MiB)
     * that the count read here is certainly not 0. */
    size_t const touched = 8 << 20;
    char *memory = malloc(touched);
    for (size_t i = 0; memory && i < touched; i += 4096) memory[i] = 1;
    struct Stat after;
    check(read_stat("/proc/self/stat", &after) == 0 && stat_long(&after, 24) >= 2048,
          "stat rss counts 8 MiB just touched (>= 2048 pages)", "%s", after.field[24]);
    char status[4096], value[64];
    slurp("/proc/self/status", status, sizeof status);
    check(status_value(status, "VmRSS", value, sizeof value) && atol(value) >= 8192 && strstr(value, " kB"),
          "status VmRSS: N kB, N >= 8192 after touching 8 MiB", "%s", value);
    free(memory);

    /* A comm with a space and a parenthesis: parse by the last ')'. */
    char name[16];
    prctl(PR_GET_NAME, name);
    prctl(PR_SET_NAME, "x) y");
    struct Stat renamed;
    check(read_stat("/proc/self/stat", &renamed) == 0 && strcmp(renamed.comm, "x) y") == 0
              && renamed.field[3][0] == 'R',
          "PR_SET_NAME \"x) y\" shows in stat as (x) y) R", "(%s)", renamed.comm);
    char comm[64];
    check(slurp("/proc/self/comm", comm, sizeof comm) > 0 && strcmp(comm, "x) y\n") == 0, "/proc/self/comm follows",
          "%s", comm);
    prctl(PR_SET_NAME, name);
}

static void *thread_wait(void *arg)
{
    int *fds = arg;
    char c;
    read(fds[0], &c, 1);
    return NULL;
}

static void check_threads(void)
{
    int fds[2];
    pipe(fds);
    pthread_t thread;
    pthread_create(&thread, NULL, thread_wait, fds);
    /* The thread's tid: the task entry that is not ours. */
    pid_t tid = 0;
    for (int tries = 0; tries < 1000 && !tid; tries++) {
        DIR *dir = opendir("/proc/self/task");
        struct dirent *e;
        while (dir && (e = readdir(dir)))
            if (e->d_name[0] != '.' && atoi(e->d_name) != getpid()) tid = atoi(e->d_name);
        if (dir) closedir(dir);
    }
    check(tid > 0, "/proc/self/task lists the new thread", NULL);
    struct Stat s;
    check(read_stat("/proc/self/stat", &s) == 0 && stat_long(&s, 20) == 2, "stat num_threads is 2 with a thread",
          "%ld", stat_long(&s, 20));
    char path[96], text[4096], value[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)tid);
    check(read_stat(path, &s) == 0 && stat_long(&s, 1) == tid, "/proc/self/task/<tid>/stat names the thread", NULL);
    check(await_state(tid, 'S') == 0, "/proc/<tid>/stat: the blocked thread sleeps (S)", NULL);
    snprintf(path, sizeof path, "/proc/self/task/%d/status", (int)tid);
    slurp(path, text, sizeof text);
    check(status_value(text, "Pid", value, sizeof value) && atoi(value) == tid, "task status Pid is the tid", "%s", value);
    check(status_value(text, "Tgid", value, sizeof value) && atoi(value) == getpid(), "task status Tgid is the pid",
          "%s", value);
    slurp("/proc/self/status", text, sizeof text);
    check(status_value(text, "Threads", value, sizeof value) && atoi(value) == 2, "/proc/self/status Threads: 2", "%s",
          value);
    write(fds[1], "x", 1);
    pthread_join(thread, NULL);
    close(fds[0]);
    close(fds[1]);
}

static void check_child(void)
{
    int feed = -1;
    snprintf(link_path, sizeof link_path, "/tmp/procfs_link.%d/procfs_link", (int)getpid());
    char directory[64];
    snprintf(directory, sizeof directory, "/tmp/procfs_link.%d", (int)getpid());
    mkdir(directory, 0700);
    symlink(exe, link_path);
    char *const argv[] = { "procfs_check", "sleeper", "arg with spaces", "", "last", NULL };
    pid_t child = spawn_sleeper(&feed, argv);
    check(child > 0, "spawn a child", NULL);
    check(await_state(child, 'S') == 0, "the child blocked in read shows state S", NULL);

    char path[64], text[4096], value[128];
    snprintf(path, sizeof path, "/proc/%d/status", (int)child);
    check(slurp(path, text, sizeof text) > 0, "read /proc/<child>/status", NULL);
    check(status_value(text, "Name", value, sizeof value) && strcmp(value, "procfs_link") == 0,
          "status Name of a child run through a symlink: the link's name", "%s", value);
    snprintf(path, sizeof path, "/proc/%d/exe", (int)child);
    char target[PATH_MAX];
    ssize_t length = readlink(path, target, sizeof target - 1);
    target[length > 0 ? length : 0] = 0;
    check(strcmp(target, exe) == 0, "its /proc/<pid>/exe is the file the link resolves to", "%s", target);
    snprintf(path, sizeof path, "/proc/%d/status", (int)child);
    check(status_value(text, "State", value, sizeof value) && strcmp(value, "S (sleeping)") == 0,
          "status State: S (sleeping)", "%s", value);
    check(status_value(text, "Pid", value, sizeof value) && atoi(value) == child, "status Pid", "%s", value);
    check(status_value(text, "PPid", value, sizeof value) && atoi(value) == getpid(), "status PPid is ours", "%s", value);
    char expected[64];
    snprintf(expected, sizeof expected, "%u\t%u\t%u\t%u", getuid(), geteuid(), getuid(), geteuid());
    check(status_value(text, "Uid", value, sizeof value) && strcmp(value, expected) == 0, "status Uid: real effective saved fs",
          "%s", value);
    check(status_value(text, "Threads", value, sizeof value) && atoi(value) == 1, "status Threads: 1", "%s", value);
    long rss_kb = -1;
    char unit[8] = "";
    check(status_value(text, "VmRSS", value, sizeof value) && sscanf(value, "%ld %7s", &rss_kb, unit) == 2
              && rss_kb >= 0 && strcmp(unit, "kB") == 0,
          "status VmRSS: N kB", "%s", value);

    /* cmdline: every argument NUL-terminated, the empty one too. */
    snprintf(path, sizeof path, "/proc/%d/cmdline", (int)child);
    char cmdline[256];
    ssize_t n = slurp(path, cmdline, sizeof cmdline);
    static char const want[] = "procfs_check\0sleeper\0arg with spaces\0\0last";
    check(n == (ssize_t)sizeof want && memcmp(cmdline, want, sizeof want) == 0, "cmdline is argv, NUL-separated",
          "%zd bytes", n);

    struct Stat s;
    snprintf(path, sizeof path, "/proc/%d/stat", (int)child);
    struct Stat self;
    read_stat("/proc/self/stat", &self);
    check(read_stat(path, &s) == 0 && stat_long(&s, 4) == getpid() && stat_long(&s, 5) == getpgrp(),
          "child stat: ppid ours, pgrp inherited", NULL);
    check(stat_long(&s, 22) >= stat_long(&self, 22), "child starttime >= ours", NULL);

    /* Stopped: T. */
    kill(child, SIGSTOP);
    int status;
    waitpid(child, &status, WUNTRACED);
    snprintf(path, sizeof path, "/proc/%d/status", (int)child);
    slurp(path, text, sizeof text);
    check(status_value(text, "State", value, sizeof value) && strcmp(value, "T (stopped)") == 0,
          "status State of a stopped child: T (stopped)", "%s", value);
    kill(child, SIGCONT);

    /* A zombie: Z, until reaped; then gone. */
    close(feed);
    siginfo_t info;
    waitid(P_PID, (id_t)child, &info, WEXITED | WNOWAIT);
    slurp(path, text, sizeof text);
    check(status_value(text, "State", value, sizeof value) && strcmp(value, "Z (zombie)") == 0,
          "status State of an exited, unreaped child: Z (zombie)", "%s", value);
    snprintf(path, sizeof path, "/proc/%d/stat", (int)child);
    check(read_stat(path, &s) == 0 && s.field[3][0] == 'Z', "stat state of the zombie: Z", NULL);
    snprintf(path, sizeof path, "/proc/%d/cmdline", (int)child);
    check(slurp(path, cmdline, sizeof cmdline) == 0, "a zombie's cmdline is empty", NULL);
    waitpid(child, &status, 0);
    unlink(link_path);
    rmdir(directory);
    snprintf(path, sizeof path, "/proc/%d", (int)child);
    struct stat st;
    check(stat(path, &st) < 0 && errno == ENOENT, "a reaped child's /proc/<pid> is gone (ENOENT)", "%s",
          strerror(errno));
}

static int data_variable = 1;
static uintptr_t main_address(void);

/* The maps line whose range holds `address`, or 0. */
static int find_mapping(char const *maps, void const *address, char *line, size_t size)
{
    uintptr_t const a = (uintptr_t)address;
    for (char const *p = maps; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        unsigned long start, end;
        if (sscanf(p, "%lx-%lx", &start, &end) == 2 && a >= start && a < end) {
            size_t n = strcspn(p, "\n");
            if (n >= size) n = size - 1;
            memcpy(line, p, n);
            line[n] = 0;
            return 1;
        }
    }
    return 0;
}

static int field_count(char const *line)
{
    int count = 0;
    for (char const *p = line; *p;) {
        while (*p == ' ') p++;
        if (!*p) break;
        count++;
        while (*p && *p != ' ') p++;
    }
    return count;
}

static void check_maps(char const *exe)
{
    static char maps[65536];
    check(slurp("/proc/self/maps", maps, sizeof maps) > 0, "read /proc/self/maps", NULL);
    char line[512];
    int const stack_local = 0;
    check(find_mapping(maps, &stack_local, line, sizeof line) && strstr(line, " rw-p ") && strstr(line, "[stack]"),
          "a local variable lies in the rw-p [stack] mapping", "%s", line);
    check(find_mapping(maps, (void *)main_address(), line, sizeof line) && strstr(line, " r-xp ") && strstr(line, exe),
          "main() lies in an r-xp mapping of the executable", "%s", line);
    check(find_mapping(maps, &data_variable, line, sizeof line) && strstr(line, " rw-p "),
          "an initialised global lies in an rw-p mapping", "%s", line);
    check(strstr(maps, "[vdso]") != NULL, "maps lists [vdso]", NULL);
    char const *vdso = strstr(maps, "[vdso]");
    if (vdso) {
        char const *start = vdso;
        while (start > maps && start[-1] != '\n') start--;
        check(strncmp(strchr(start, ' '), " r-xp ", 6) == 0, "[vdso] is r-xp", NULL);
    }
    /* Every line: start-end perms offset dev inode [path]. */
    int well_formed = 1, lines = 0;
    for (char *p = maps; *p;) {
        char *end = strchr(p, '\n');
        if (!end) break;
        *end = 0;
        unsigned long start, stop, offset, inode;
        char perms[8], dev[16];
        well_formed &= sscanf(p, "%lx-%lx %7s %lx %15s %lu", &start, &stop, perms, &offset, dev, &inode) == 6
            && start < stop && strlen(perms) == 4 && field_count(p) >= 5;
        lines++;
        *end = '\n';
        p = end + 1;
    }
    check(lines >= 4 && well_formed, "every maps line is 'start-end perms offset dev inode [path]'", "%d lines", lines);
}

static void check_fds(void)
{
    char link[PATH_MAX], path[64];
    int null_fd = open("/dev/null", O_RDONLY);
    snprintf(path, sizeof path, "/proc/self/fd/%d", null_fd);
    ssize_t n = readlink(path, link, sizeof link - 1);
    link[n > 0 ? n : 0] = 0;
    check(strcmp(link, "/dev/null") == 0, "fd link of /dev/null", "%s", link);

    int p[2], q[2];
    pipe(p);
    pipe(q);
    char a[64], b[64], c[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", p[0]);
    n = readlink(path, a, sizeof a - 1);
    a[n > 0 ? n : 0] = 0;
    snprintf(path, sizeof path, "/proc/self/fd/%d", p[1]);
    n = readlink(path, b, sizeof b - 1);
    b[n > 0 ? n : 0] = 0;
    snprintf(path, sizeof path, "/proc/self/fd/%d", q[0]);
    n = readlink(path, c, sizeof c - 1);
    c[n > 0 ? n : 0] = 0;
    unsigned long number;
    check(sscanf(a, "pipe:[%lu]", &number) == 1 && strcmp(a, b) == 0, "both ends of a pipe link to the same pipe:[N]",
          "%s / %s", a, b);
    check(strncmp(c, "pipe:[", 6) == 0 && strcmp(a, c) != 0, "another pipe has another number", "%s", c);
    /* Opening the link of a pipe opens that pipe. */
    snprintf(path, sizeof path, "/proc/self/fd/%d", p[1]);
    int writer = open(path, O_WRONLY);
    char byte = 0;
    check(writer >= 0 && write(writer, "z", 1) == 1 && read(p[0], &byte, 1) == 1 && byte == 'z',
          "open(/proc/self/fd/<pipe>) reaches the same pipe", NULL);
    close(writer);

    /* A regular file reopened through its link: the same file, its own offset. */
    char file[64];
    snprintf(file, sizeof file, "/tmp/procfs_check.%d", (int)getpid());
    int fd = open(file, O_RDWR | O_CREAT | O_TRUNC, 0600);
    write(fd, "contents", 8);
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    n = readlink(path, link, sizeof link - 1);
    link[n > 0 ? n : 0] = 0;
    check(strcmp(link, file) == 0, "fd link of a file is its path", "%s", link);
    int again = open(path, O_RDONLY);
    struct stat s1, s2;
    fstat(fd, &s1);
    fstat(again, &s2);
    char buffer[16] = { 0 };
    check(again >= 0 && s1.st_ino == s2.st_ino && s1.st_dev == s2.st_dev && read(again, buffer, 8) == 8
              && strcmp(buffer, "contents") == 0,
          "open(/proc/self/fd/N) of a file: the same file, read from offset 0", NULL);
    close(again);
    unlink(file);
    n = readlink(path, link, sizeof link - 1);
    link[n > 0 ? n : 0] = 0;
    char deleted[96];
    snprintf(deleted, sizeof deleted, "%s (deleted)", file);
    check(strcmp(link, deleted) == 0, "an unlinked file's link ends in \" (deleted)\"", "%s", link);

    /* The directory lists exactly the open descriptors. */
    int seen_null = 0, seen_closed = 0;
    int const closed = dup2(null_fd, 200); /* above whatever opendir takes */
    close(closed);
    DIR *dir = opendir("/proc/self/fd");
    struct dirent *e;
    while (dir && (e = readdir(dir))) {
        seen_null |= atoi(e->d_name) == null_fd && e->d_name[0] != '.';
        seen_closed |= e->d_name[0] != '.' && atoi(e->d_name) == closed;
    }
    if (dir) closedir(dir);
    check(seen_null && !seen_closed, "/proc/self/fd lists open descriptors, not closed ones", NULL);
    struct stat st;
    snprintf(path, sizeof path, "/proc/self/fd/%d", closed);
    check(lstat(path, &st) < 0 && errno == ENOENT, "a closed descriptor's link is ENOENT", NULL);
    close(fd);
    close(null_fd);
    close(p[0]);
    close(p[1]);
    close(q[0]);
    close(q[1]);
}

static void check_links(char const *exe)
{
    char link[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", link, sizeof link - 1);
    link[n > 0 ? n : 0] = 0;
    check(strcmp(link, exe) == 0, "/proc/self/exe is the program's path", "%s, expected %s", link, exe);
    char magic[4] = { 0 };
    int fd = open("/proc/self/exe", O_RDONLY);
    check(fd >= 0 && read(fd, magic, 4) == 4 && memcmp(magic, "\177ELF", 4) == 0, "/proc/self/exe opens the ELF file",
          NULL);
    close(fd);
    char cwd[PATH_MAX];
    getcwd(cwd, sizeof cwd);
    n = readlink("/proc/self/cwd", link, sizeof link - 1);
    link[n > 0 ? n : 0] = 0;
    check(strcmp(link, cwd) == 0, "/proc/self/cwd is getcwd()", "%s", link);
    n = readlink("/proc/self", link, sizeof link - 1);
    link[n > 0 ? n : 0] = 0;
    check(atoi(link) == getpid(), "/proc/self links to our pid", "%s", link);
}

static void check_system_files(void)
{
    char text[8192], value[64];
    check(slurp("/proc/meminfo", text, sizeof text) > 0, "read /proc/meminfo", NULL);
    long total = -1, free_kb = -1;
    char unit[8];
    int total_ok = status_value(text, "MemTotal", value, sizeof value) && sscanf(value, "%ld %7s", &total, unit) == 2
        && strcmp(unit, "kB") == 0;
    int free_ok = status_value(text, "MemFree", value, sizeof value) && sscanf(value, "%ld %7s", &free_kb, unit) == 2
        && strcmp(unit, "kB") == 0;
    check(total_ok && total > 0, "meminfo MemTotal: N kB, N > 0", "%ld", total);
    check(free_ok && free_kb > 0 && free_kb <= total, "meminfo MemFree: 0 < N <= MemTotal", "%ld", free_kb);
    check(strstr(text, "\nMemAvailable:") != NULL, "meminfo has MemAvailable", NULL);

    check(slurp("/proc/uptime", text, sizeof text) > 0, "read /proc/uptime", NULL);
    double up, idle;
    char tail;
    int const fields = sscanf(text, "%lf %lf%c", &up, &idle, &tail);
    check(fields == 3 && tail == '\n' && up > 0 && idle >= 0, "/proc/uptime is two numbers", "%s", text);
    unsigned long whole, hundredths;
    check(sscanf(text, "%lu.%2lu ", &whole, &hundredths) == 2 && strchr(text, '.') - text < 20,
          "/proc/uptime has two decimals", "%s", text);
    struct timespec boot;
    clock_gettime(CLOCK_BOOTTIME, &boot);
    double const boottime = (double)boot.tv_sec + boot.tv_nsec / 1e9;
    check(up <= boottime + 0.02 && up > boottime - 1.0, "/proc/uptime agrees with CLOCK_BOOTTIME", "%.2f vs %.2f", up,
          boottime);
    usleep(30000);
    check(uptime_seconds() >= up + 0.02, "/proc/uptime advances", NULL);

    /* /proc/stat counts interrupts and context switches: a sleep takes both. */
    unsigned long long intr0 = 0, ctxt0 = 0, intr1 = 0, ctxt1 = 0;
    check(slurp("/proc/stat", text, sizeof text) > 0, "read /proc/stat", NULL);
    char const *at = strstr(text, "\nintr "), *ct = strstr(text, "\nctxt ");
    check(at && ct && sscanf(at, "\nintr %llu", &intr0) == 1 && sscanf(ct, "\nctxt %llu", &ctxt0) == 1,
          "/proc/stat has intr and ctxt lines", NULL);
    usleep(30000);
    slurp("/proc/stat", text, sizeof text);
    at = strstr(text, "\nintr ");
    ct = strstr(text, "\nctxt ");
    check(at && ct && sscanf(at, "\nintr %llu", &intr1) == 1 && sscanf(ct, "\nctxt %llu", &ctxt1) == 1
              && intr1 > intr0 && ctxt1 > ctxt0,
          "/proc/stat: intr and ctxt grow across a sleep", "%llu -> %llu, %llu -> %llu", intr0, intr1, ctxt0, ctxt1);

    check(slurp("/proc/mounts", text, sizeof text) > 0, "read /proc/mounts", NULL);
    int root = 0, proc = 0, well_formed = 1;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        char device[256], mount_point[256], type[64], options[256];
        int dump, pass;
        if (sscanf(line, "%255s %255s %63s %255s %d %d", device, mount_point, type, options, &dump, &pass) != 6) {
            well_formed = 0;
            continue;
        }
        root |= strcmp(mount_point, "/") == 0;
        proc |= strcmp(mount_point, "/proc") == 0 && strcmp(type, "proc") == 0;
    }
    check(well_formed, "every /proc/mounts line has six fields", NULL);
    check(root, "/proc/mounts lists /", NULL);
    check(proc, "/proc/mounts lists /proc as proc", NULL);
    check(slurp("/proc/self/mounts", value, sizeof value) > 0, "/proc/self/mounts reads too", NULL);
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "sleeper") == 0) return sleeper();
    if (!realpath(argv[0], exe)) {
        /* argv[0] without a path: the guest runs /procfs_check. */
        snprintf(exe, sizeof exe, "/%s", argv[0]);
    }
    check_self_stat();
    check_threads();
    check_child();
    check_maps(exe);
    check_fds();
    check_links(exe);
    check_system_files();
    if (failures) {
        printf("%d checks failed\n", failures);
        return 1;
    }
    printf("PROCFS_OK\n");
    return 0;
}

static uintptr_t main_address(void) { return (uintptr_t)&main; }
