/* nosuid, nodev and noexec on a tmpfs mount, and MS_REMOUNT changing them:
 * exec is EACCES on noexec, mmap with PROT_EXEC EPERM and mprotect adding it
 * EACCES; a device node cannot be opened on nodev (EACCES); a set-user-ID
 * program runs without its privilege on nosuid. It prints the same lines on
 * a host (run it in a private mount namespace: unshare -m) and in aramid.
 * It mounts only with --mount-here, and only under a new /tmp directory. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[64];

static char const *result(int r) { return r == 0 ? "ok" : strerrorname_np(errno) ? strerrorname_np(errno) : "?"; }

static void copy(char const *from, char const *to, mode_t mode, uid_t uid)
{
    int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0700);
    char buffer[65536];
    ssize_t n;
    while ((n = read(in, buffer, sizeof buffer)) > 0)
        if (write(out, buffer, (size_t)n) != n) exit(3);
    close(in);
    close(out);
    if (chown(to, uid, uid) || chmod(to, mode)) exit(3);
}

/* Runs `program report` in a child: what it printed, or the exec's errno. */
static void run(char const *what, char const *program)
{
    fflush(stdout);
    int pipefd[2];
    if (pipe(pipefd)) exit(3);
    pid_t child = fork();
    if (child == 0) {
        dup2(pipefd[1], 1);
        char *argv[] = { (char *)program, "report", NULL };
        execv(program, argv);
        printf("exec %s\n", strerrorname_np(errno));
        fflush(stdout);
        _exit(0);
    }
    close(pipefd[1]);
    char text[128] = { 0 };
    ssize_t n = read(pipefd[0], text, sizeof text - 1);
    close(pipefd[0]);
    waitpid(child, NULL, 0);
    printf("%s: %s", what, n > 0 ? text : "nothing\n");
}

static void show_options(void)
{
    FILE *f = fopen("/proc/self/mounts", "r");
    char line[512];
    while (fgets(line, sizeof line, f)) {
        char source[128], where[128], type[32], options[256];
        if (sscanf(line, "%127s %127s %31s %255s", source, where, type, options) == 4 && !strcmp(where, dir))
            printf("options: nosuid %s, nodev %s, noexec %s\n", strstr(options, "nosuid") ? "yes" : "no",
                   strstr(options, "nodev") ? "yes" : "no", strstr(options, "noexec") ? "yes" : "no");
    }
    fclose(f);
}

static void checks(void)
{
    char path[128];
    show_options();
    snprintf(path, sizeof path, "%s/prog", dir);
    run("exec a program", path);
    snprintf(path, sizeof path, "%s/suid", dir);
    run("exec a set-user-ID 1000 program", path);
    snprintf(path, sizeof path, "%s/prog", dir);
    int fd = open(path, O_RDONLY);
    void *p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
    printf("mmap PROT_EXEC: %s\n", result(p == MAP_FAILED ? -1 : 0));
    if (p != MAP_FAILED) munmap(p, 4096);
    p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
    printf("mprotect adding PROT_EXEC: %s\n", result(mprotect(p, 4096, PROT_READ | PROT_EXEC)));
    munmap(p, 4096);
    close(fd);
    snprintf(path, sizeof path, "%s/null", dir);
    fd = open(path, O_WRONLY);
    printf("open a device node: %s\n", result(fd < 0 ? -1 : 0));
    if (fd >= 0) close(fd);
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "report")) {
        printf("ran, euid %u\n", geteuid());
        return 0;
    }
    if (argc < 2 || strcmp(argv[1], "--mount-here")) {
        printf("usage: mount_flags --mount-here (in a private mount namespace)\n");
        return 2;
    }
    strcpy(dir, "/tmp/mount-flags.XXXXXX");
    if (!mkdtemp(dir)) return 3;
    if (mount("none", dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL)) {
        printf("mount: %s\n", strerrorname_np(errno));
        return 1;
    }
    char path[128];
    snprintf(path, sizeof path, "%s/prog", dir);
    copy("/proc/self/exe", path, 0755, 0);
    snprintf(path, sizeof path, "%s/suid", dir);
    copy("/proc/self/exe", path, 04755, 1000);
    snprintf(path, sizeof path, "%s/null", dir);
    if (mknod(path, S_IFCHR | 0666, makedev(1, 3))) return 3;

    printf("-- nosuid,nodev,noexec\n");
    checks();
    printf("-- remounted nosuid\n");
    printf("remount: %s\n", result(mount(NULL, dir, NULL, MS_REMOUNT | MS_NOSUID, NULL)));
    checks();
    printf("-- remounted without flags\n");
    printf("remount: %s\n", result(mount(NULL, dir, NULL, MS_REMOUNT, NULL)));
    checks();
    umount(dir);
    rmdir(dir);
    return 0;
}
