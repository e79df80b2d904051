/* Contract: extended attributes (xattr(7)). set/get/list/remove by path,
 * by path without following a final symlink (l*) and by descriptor (f*);
 * get and list with size 0 give the size needed, a short buffer is ERANGE;
 * XATTR_CREATE/XATTR_REPLACE give EEXIST/ENODATA, other flag bits EINVAL;
 * a name is "namespace.rest" of 1-255 bytes (ERANGE), a bare prefix is
 * EINVAL and an unknown namespace EOPNOTSUPP; values up to 64 KiB (E2BIG);
 * user. only on files and directories (EPERM to set, ENODATA to get on
 * others), needing the permission bits; trusted. only for root (hidden
 * from others' listings), security. changed only by root; no POSIX ACL on
 * a fresh file (ENODATA); an O_PATH descriptor is EBADF; a change moves
 * ctime, a failed one does not.
 *
 * Listings are sorted before printing (their order is the file system's),
 * and values stay small: the host's /tmp and the guest's (tmpfs, or ext4
 * with 1 KiB blocks) differ in how much fits. */
#include "contract.h"
#include <sys/xattr.h>
#include <time.h>

/* The names of a listing, sorted, on one line. */
static void print_list(char const *what, char const *list, ssize_t length)
{
    char const *names[64];
    int count = 0;
    for (ssize_t at = 0; at < length && count < 64; at += (ssize_t)strlen(list + at) + 1) names[count++] = list + at;
    for (int i = 1; i < count; i++)
        for (int j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char const *t = names[j];
            names[j] = names[j - 1];
            names[j - 1] = t;
        }
    printf("%s (%zd bytes):", what, length);
    for (int i = 0; i < count; i++) printf(" %s", names[i]);
    printf("\n");
}

static void show_list(char const *what, char const *path, int follow)
{
    char list[4096];
    ssize_t length = follow ? listxattr(path, list, sizeof list) : llistxattr(path, list, sizeof list);
    if (length < 0) ct_fail_errno(what, errno, __LINE__);
    print_list(what, list, length);
}

static void show_value(char const *what, char const *path, char const *name)
{
    char value[600];
    ssize_t length = OK(getxattr(path, name, value, sizeof value));
    printf("%s: %zd bytes \"%.*s\"\n", what, length, (int)(length > 40 ? 40 : length), value);
}

static struct timespec ctime_of(char const *path)
{
    struct stat st;
    OK(lstat(path, &st));
    return st.st_ctim;
}

static int same_time(struct timespec a, struct timespec b) { return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec; }

static void pause_a_little(void)
{
    struct timespec t = { 0, 20 * 1000 * 1000 };
    nanosleep(&t, NULL);
}

/* As uid 1000 (ct_as_user): each returns 0 or the errno. */
static int user_sets_user(void) { return setxattr("f", "user.u", "x", 1, 0) == 0 ? 0 : errno; }
static int user_gets_user(void) { return getxattr("f", "user.a", NULL, 0) >= 0 ? 0 : errno; }
static int user_gets_secret(void) { return getxattr("secret", "user.a", NULL, 0) >= 0 ? 0 : errno; }
static int user_gets_trusted(void) { return getxattr("f", "trusted.t", NULL, 0) >= 0 ? 0 : errno; }
static int user_sets_trusted(void) { return setxattr("f", "trusted.t", "x", 1, 0) == 0 ? 0 : errno; }
static int user_removes_trusted(void) { return removexattr("f", "trusted.t") == 0 ? 0 : errno; }
static int user_gets_security(void) { return getxattr("secret", "security.s", NULL, 0) >= 0 ? 0 : errno; }
static int user_sets_security(void) { return setxattr("f", "security.s", "x", 1, 0) == 0 ? 0 : errno; }
static int user_removes_security(void) { return removexattr("f", "security.s") == 0 ? 0 : errno; }
static int user_gets_unknown(void) { return getxattr("f", "foo.x", NULL, 0) >= 0 ? 0 : errno; }
static int user_gets_unknown_secret(void) { return getxattr("secret", "foo.x", NULL, 0) >= 0 ? 0 : errno; }
static int user_sets_on_sticky_dir(void) { return setxattr("sticky", "user.x", "x", 1, 0) == 0 ? 0 : errno; }
static int user_sets_in_sticky_dir(void) { return setxattr("sticky/mine", "user.x", "x", 1, 0) == 0 ? 0 : errno; }
static int user_sets_own_sticky_dir(void) { return setxattr("own_sticky", "user.x", "x", 1, 0) == 0 ? 0 : errno; }
static int user_lists(void)
{
    char list[1024];
    ssize_t length = listxattr("f", list, sizeof list);
    if (length < 0) return errno;
    print_list("uid 1000 lists f", list, length);
    fflush(stdout);
    return 0;
}

int main(void)
{
    ct_enter_tmpdir();
    umask(0);
    char buffer[1024];

    /* ---- set, get, sizes */
    ct_write_file("f", "contents", 0644);
    OK(setxattr("f", "user.a", "hello", 5, 0));
    show_value("get user.a", "f", "user.a");
    printf("get user.a with size 0: %zd\n", OK(getxattr("f", "user.a", NULL, 0)));
    printf("get user.a into exactly 5 bytes: %zd\n", OK(getxattr("f", "user.a", buffer, 5)));
    EXPECT_ERRNO("get user.a into 3 bytes", getxattr("f", "user.a", buffer, 3), ERANGE);
    printf("get into a buffer over 64 KiB: %zd\n", OK(getxattr("f", "user.a", buffer, 100000)));
    EXPECT_ERRNO("get a missing attribute", getxattr("f", "user.b", buffer, sizeof buffer), ENODATA);
    EXPECT_ERRNO("its size", getxattr("f", "user.b", NULL, 0), ENODATA);
    OK(setxattr("f", "user.a", "a longer value", 14, 0));
    show_value("replaced by a longer value", "f", "user.a");
    OK(setxattr("f", "user.a", "hi", 2, XATTR_REPLACE));
    show_value("replaced by a shorter one (XATTR_REPLACE)", "f", "user.a");
    OK(setxattr("f", "user.empty", NULL, 0, 0));
    printf("an empty value: %zd\n", OK(getxattr("f", "user.empty", buffer, sizeof buffer)));
    printf("its size: %zd\n", OK(getxattr("f", "user.empty", NULL, 0)));
    printf("an empty value into a bad buffer: %zd\n", OK(getxattr("f", "user.empty", (void *)1, 10)));
    char big[600];
    for (int i = 0; i < 500; i++) big[i] = (char)('a' + i % 26);
    ct_write_file("big", "", 0644);
    OK(setxattr("big", "user.big", big, 500, 0));
    ssize_t got = OK(getxattr("big", "user.big", buffer, sizeof buffer));
    EXPECT("a 500-byte value comes back whole", got == 500 && memcmp(buffer, big, 500) == 0);

    /* ---- flags */
    EXPECT_ERRNO("XATTR_CREATE on an existing one", setxattr("f", "user.a", "x", 1, XATTR_CREATE), EEXIST);
    EXPECT_ERRNO("XATTR_REPLACE on a missing one", setxattr("f", "user.b", "x", 1, XATTR_REPLACE), ENODATA);
    EXPECT_ERRNO("both on an existing one", setxattr("f", "user.a", "x", 1, XATTR_CREATE | XATTR_REPLACE), EEXIST);
    EXPECT_ERRNO("both on a missing one", setxattr("f", "user.b", "x", 1, XATTR_CREATE | XATTR_REPLACE), ENODATA);
    EXPECT_ERRNO("an unknown flag", setxattr("f", "user.b", "x", 1, 4), EINVAL);
    EXPECT_ERRNO("an unknown flag on a missing file", setxattr("missing", "user.b", "x", 1, 8), EINVAL);
    OK(setxattr("f", "user.b", "new", 3, XATTR_CREATE));
    show_value("XATTR_CREATE of a new one", "f", "user.b");
    show_value("user.a is unchanged", "f", "user.a");

    /* ---- names */
    EXPECT_ERRNO("set an empty name", setxattr("f", "", "x", 1, 0), ERANGE);
    EXPECT_ERRNO("get an empty name", getxattr("f", "", buffer, 10), ERANGE);
    EXPECT_ERRNO("remove an empty name", removexattr("f", ""), ERANGE);
    EXPECT_ERRNO("an empty name on a missing file", setxattr("missing", "", "x", 1, 0), ERANGE);
    char name[300];
    memset(name, 'n', sizeof name);
    memcpy(name, "user.", 5);
    name[255] = 0;
    OK(setxattr("f", name, "x", 1, 0));
    printf("a 255-byte name: %zd\n", OK(getxattr("f", name, buffer, 10)));
    OK(removexattr("f", name));
    name[255] = 'n';
    name[256] = 0;
    EXPECT_ERRNO("set a 256-byte name", setxattr("f", name, "x", 1, 0), ERANGE);
    EXPECT_ERRNO("get it", getxattr("f", name, buffer, 10), ERANGE);
    EXPECT_ERRNO("remove it", removexattr("f", name), ERANGE);
    EXPECT_ERRNO("set \"user.\"", setxattr("f", "user.", "x", 1, 0), EINVAL);
    EXPECT_ERRNO("get \"user.\"", getxattr("f", "user.", buffer, 10), EINVAL);
    EXPECT_ERRNO("remove \"user.\"", removexattr("f", "user."), EINVAL);
    EXPECT_ERRNO("set \"trusted.\"", setxattr("f", "trusted.", "x", 1, 0), EINVAL);
    EXPECT_ERRNO("set \"security.\"", setxattr("f", "security.", "x", 1, 0), EINVAL);
    EXPECT_ERRNO("set \"user\"", setxattr("f", "user", "x", 1, 0), EOPNOTSUPP);
    EXPECT_ERRNO("set foo.bar", setxattr("f", "foo.bar", "x", 1, 0), EOPNOTSUPP);
    EXPECT_ERRNO("get foo.bar", getxattr("f", "foo.bar", buffer, 10), EOPNOTSUPP);
    EXPECT_ERRNO("remove foo.bar", removexattr("f", "foo.bar"), EOPNOTSUPP);
    EXPECT_ERRNO("set USER.x", setxattr("f", "USER.x", "x", 1, 0), EOPNOTSUPP);
    EXPECT_ERRNO("set system.foo", setxattr("f", "system.foo", "x", 1, 0), EOPNOTSUPP);
    EXPECT_ERRNO("get system.foo", getxattr("f", "system.foo", buffer, 10), EOPNOTSUPP);

    /* ---- values and pointers */
    static char huge[65537];
    EXPECT_ERRNO("a value over 64 KiB", setxattr("f", "user.huge", huge, sizeof huge, 0), E2BIG);
    EXPECT_ERRNO("a value over 64 KiB from a bad pointer", setxattr("f", "user.huge", (void *)1, sizeof huge, 0),
                 E2BIG);
    EXPECT_ERRNO("a value over 64 KiB for a missing file", setxattr("missing", "user.huge", huge, sizeof huge, 0),
                 E2BIG);
    EXPECT_ERRNO("set from a bad value pointer", setxattr("f", "user.bad", (void *)1, 1, 0), EFAULT);
    EXPECT_ERRNO("set with a bad name pointer", setxattr("f", (char *)1, "x", 1, 0), EFAULT);
    EXPECT_ERRNO("get with a bad name pointer", getxattr("f", (char *)1, buffer, 1), EFAULT);
    EXPECT_ERRNO("get into a bad buffer", getxattr("f", "user.a", (void *)1, 10), EFAULT);
    EXPECT_ERRNO("list into a bad buffer", listxattr("f", (char *)1, 100), EFAULT);
    EXPECT_ERRNO("remove with a bad name pointer", removexattr("f", (char *)1), EFAULT);

    /* ---- the other namespaces, as root */
    OK(setxattr("f", "trusted.t", "tt", 2, 0));
    OK(setxattr("f", "security.s", "ss", 2, 0));
    show_value("trusted.t as root", "f", "trusted.t");
    show_value("security.s as root", "f", "security.s");
    EXPECT_ERRNO("no ACL on a file", getxattr("f", "system.posix_acl_access", buffer, sizeof buffer), ENODATA);
    OK(mkdir("d", 0755));
    EXPECT_ERRNO("no default ACL on a directory", getxattr("d", "system.posix_acl_default", buffer, sizeof buffer),
                 ENODATA);

    /* ---- listing */
    show_list("list f", "f", 1);
    ssize_t needed = OK(listxattr("f", NULL, 0));
    printf("list size 0 gives %zd\n", needed);
    EXPECT_ERRNO("a list buffer one byte short", listxattr("f", buffer, (size_t)needed - 1), ERANGE);
    printf("a list buffer over 64 KiB: %zd\n", OK(listxattr("f", huge, sizeof huge)));
    EXPECT_ERRNO("list a missing file", listxattr("missing", NULL, 0), ENOENT);
    EXPECT_ERRNO("an empty path", listxattr("", NULL, 0), ENOENT);
    EXPECT_ERRNO("a path through a file", setxattr("f/x", "user.x", "x", 1, 0), ENOTDIR);
    EXPECT_ERRNO("set on a missing file", setxattr("missing", "user.x", "x", 1, 0), ENOENT);

    /* ---- remove */
    EXPECT_ERRNO("remove a missing one", removexattr("f", "user.zzz"), ENODATA);
    OK(removexattr("f", "user.empty"));
    OK(removexattr("f", "trusted.t"));
    EXPECT_ERRNO("remove it again", removexattr("f", "trusted.t"), ENODATA);
    EXPECT_ERRNO("get what was removed", getxattr("f", "trusted.t", NULL, 0), ENODATA);
    show_list("list f after removals", "f", 1);
    OK(setxattr("f", "trusted.t", "tt", 2, 0));

    /* ---- many attributes on one file */
    ct_write_file("many", "", 0644);
    for (int i = 0; i < 12; i++) {
        char n[32], v[32];
        snprintf(n, sizeof n, "user.attr%02d", i);
        snprintf(v, sizeof v, "value number %02d", i);
        OK(setxattr("many", n, v, strlen(v), XATTR_CREATE));
    }
    show_list("twelve attributes", "many", 1);
    show_value("the seventh", "many", "user.attr06");
    for (int i = 0; i < 12; i += 2) {
        char n[32];
        snprintf(n, sizeof n, "user.attr%02d", i);
        OK(removexattr("many", n));
    }
    show_list("every other one removed", "many", 1);
    show_value("the twelfth", "many", "user.attr11");

    /* ---- directories, symlinks, fifos */
    OK(setxattr("d", "user.x", "dir", 3, 0));
    show_value("user.x on a directory", "d", "user.x");
    OK(symlink("f", "l"));
    EXPECT_ERRNO("lsetxattr user. on a symlink", lsetxattr("l", "user.x", "x", 1, 0), EPERM);
    EXPECT_ERRNO("lgetxattr user. on a symlink", lgetxattr("l", "user.a", buffer, 10), ENODATA);
    EXPECT_ERRNO("lremovexattr user. on a symlink", lremovexattr("l", "user.a"), EPERM);
    show_value("getxattr follows the symlink", "l", "user.a");
    show_list("llistxattr of the symlink", "l", 0);
    show_list("listxattr through it", "l", 1);
    OK(lsetxattr("l", "trusted.x", "link", 4, 0));
    printf("lgetxattr trusted.x: %zd\n", OK(lgetxattr("l", "trusted.x", buffer, sizeof buffer)));
    show_list("llistxattr after lsetxattr trusted.x", "l", 0);
    EXPECT_ERRNO("the target has no trusted.x", getxattr("f", "trusted.x", buffer, 10), ENODATA);
    OK(lremovexattr("l", "trusted.x"));
    show_list("llistxattr after lremovexattr", "l", 0);
    EXPECT_ERRNO("no ACL on a symlink", lgetxattr("l", "system.posix_acl_access", buffer, 10), EOPNOTSUPP);
    OK(symlink("nothing", "dangling"));
    EXPECT_ERRNO("setxattr through a dangling symlink", setxattr("dangling", "user.x", "x", 1, 0), ENOENT);
    EXPECT_ERRNO("lsetxattr user. on it", lsetxattr("dangling", "user.x", "x", 1, 0), EPERM);
    OK(mkfifo("fifo", 0644));
    EXPECT_ERRNO("set user. on a fifo", setxattr("fifo", "user.x", "x", 1, 0), EPERM);
    EXPECT_ERRNO("get user. on a fifo", getxattr("fifo", "user.x", buffer, 10), ENODATA);
    EXPECT_ERRNO("remove user. on a fifo", removexattr("fifo", "user.x"), EPERM);
    OK(setxattr("fifo", "trusted.x", "fifo", 4, 0));
    show_value("trusted.x on a fifo", "fifo", "trusted.x");
    show_list("list of the fifo", "fifo", 1);
    OK(removexattr("fifo", "trusted.x"));

    /* ---- descriptors */
    int fd = OK(open("f", O_RDONLY));
    OK(fsetxattr(fd, "user.fd", "by fd", 5, 0));
    printf("fgetxattr: %zd\n", OK(fgetxattr(fd, "user.fd", buffer, sizeof buffer)));
    char list[1024];
    ssize_t length = OK(flistxattr(fd, list, sizeof list));
    print_list("flistxattr", list, length);
    OK(fremovexattr(fd, "user.fd"));
    EXPECT_ERRNO("fgetxattr after fremovexattr", fgetxattr(fd, "user.fd", buffer, sizeof buffer), ENODATA);
    int path_fd = OK(open("f", O_PATH));
    EXPECT_ERRNO("fsetxattr on an O_PATH descriptor", fsetxattr(path_fd, "user.fd", "x", 1, 0), EBADF);
    EXPECT_ERRNO("fgetxattr on it", fgetxattr(path_fd, "user.a", buffer, 10), EBADF);
    EXPECT_ERRNO("flistxattr on it", flistxattr(path_fd, list, sizeof list), EBADF);
    EXPECT_ERRNO("fremovexattr on it", fremovexattr(path_fd, "user.a"), EBADF);
    EXPECT_ERRNO("fsetxattr on a closed descriptor", fsetxattr(99, "user.fd", "x", 1, 0), EBADF);
    EXPECT_ERRNO("fgetxattr on it", fgetxattr(99, "user.a", buffer, 10), EBADF);
    EXPECT_ERRNO("flistxattr on it", flistxattr(99, list, sizeof list), EBADF);
    EXPECT_ERRNO("fremovexattr on it", fremovexattr(99, "user.a"), EBADF);
    EXPECT_ERRNO("a bad flag before a bad descriptor", fsetxattr(99, "user.fd", "x", 1, 4), EINVAL);
    EXPECT_ERRNO("an empty name before a bad descriptor", fgetxattr(99, "", buffer, 1), ERANGE);
    close(path_fd);
    close(fd);
    int fifo_fd = OK(open("fifo", O_RDWR));
    OK(fsetxattr(fifo_fd, "trusted.y", "node", 4, 0));
    show_value("trusted.y set through an open fifo", "fifo", "trusted.y");
    close(fifo_fd);
    int p[2];
    OK(pipe(p));
    EXPECT_ERRNO("fsetxattr user. on a pipe", fsetxattr(p[0], "user.x", "x", 1, 0), EPERM);
    EXPECT_ERRNO("fgetxattr user. on a pipe", fgetxattr(p[0], "user.x", buffer, 10), ENODATA);
    EXPECT_ERRNO("fsetxattr trusted. on a pipe", fsetxattr(p[0], "trusted.x", "x", 1, 0), EOPNOTSUPP);
    EXPECT_ERRNO("fgetxattr trusted. on a pipe", fgetxattr(p[0], "trusted.x", buffer, 10), EOPNOTSUPP);
    EXPECT_ERRNO("fremovexattr trusted. on a pipe", fremovexattr(p[0], "trusted.x"), EOPNOTSUPP);
    printf("flistxattr of a pipe: %zd\n", OK(flistxattr(p[0], list, sizeof list)));
    close(p[0]);
    close(p[1]);

    /* ---- ctime */
    struct timespec before = ctime_of("f");
    pause_a_little();
    OK(setxattr("f", "user.c", "1", 1, XATTR_CREATE));
    struct timespec after = ctime_of("f");
    EXPECT("a set changes ctime", !same_time(before, after));
    pause_a_little();
    EXPECT_ERRNO("a failing set", setxattr("f", "user.c", "1", 1, XATTR_CREATE), EEXIST);
    EXPECT("leaves ctime", same_time(after, ctime_of("f")));
    OK(removexattr("f", "user.c"));
    before = ctime_of("f");
    EXPECT("a remove changes ctime", !same_time(before, after));
    pause_a_little();
    EXPECT_ERRNO("a failing remove", removexattr("f", "user.c"), ENODATA);
    EXPECT("leaves ctime", same_time(before, ctime_of("f")));
    OK(lsetxattr("l", "trusted.c", "1", 1, 0));
    EXPECT("lsetxattr changes the link's ctime, not the target's", same_time(before, ctime_of("f")));

    /* ---- permissions: uid 1000 */
    ct_write_file("secret", "s", 0600);
    OK(setxattr("secret", "user.a", "1", 1, 0));
    OK(setxattr("secret", "security.s", "1", 1, 0));
    OK(mkdir("sticky", 01777));
    ct_write_file("sticky/mine", "m", 0666);
    OK(chown("sticky/mine", 1000, 1000));
    OK(mkdir("own_sticky", 01777));
    OK(chown("own_sticky", 1000, 1000));
    ct_as_user("set user. on a 0644 root file", user_sets_user);
    ct_as_user("get user. on it", user_gets_user);
    ct_as_user("get user. on a 0600 root file", user_gets_secret);
    ct_as_user("get trusted.", user_gets_trusted);
    ct_as_user("set trusted.", user_sets_trusted);
    ct_as_user("remove trusted.", user_removes_trusted);
    ct_as_user("get security. on a 0600 root file", user_gets_security);
    ct_as_user("set security.", user_sets_security);
    ct_as_user("remove security.", user_removes_security);
    ct_as_user("get foo.x on a 0644 file", user_gets_unknown);
    ct_as_user("get foo.x on a 0600 file", user_gets_unknown_secret);
    ct_as_user("set user. on root's sticky directory", user_sets_on_sticky_dir);
    ct_as_user("set user. on its file in it", user_sets_in_sticky_dir);
    ct_as_user("set user. on its own sticky directory", user_sets_own_sticky_dir);
    ct_as_user("list (trusted. names left out)", user_lists);
    show_list("root lists f", "f", 1);
    ct_pass();
}
