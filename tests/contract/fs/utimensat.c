/* Contract: utimensat sets atime and mtime to the exact nanosecond values
 * given; UTIME_OMIT leaves one unchanged; UTIME_NOW uses the current time;
 * AT_SYMLINK_NOFOLLOW changes the link, not its target; futimens works on an
 * fd; a nanosecond field out of range is EINVAL. */
#include "contract.h"
#include <time.h>

static void show(char const *what, char const *path, int follow)
{
    struct stat st;
    if (follow)
        OK(stat(path, &st));
    else
        OK(lstat(path, &st));
    printf("%s: atime %lld.%09ld mtime %lld.%09ld\n", what, (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
           (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

static int times_are(char const *path, int follow, time_t a, long an, time_t m, long mn)
{
    struct stat st;
    if ((follow ? stat(path, &st) : lstat(path, &st)) < 0) return 0;
    return st.st_atim.tv_sec == a && st.st_atim.tv_nsec == an && st.st_mtim.tv_sec == m && st.st_mtim.tv_nsec == mn;
}

int main(void)
{
    ct_enter_tmpdir();
    ct_write_file("f", "x", 0644);
    struct timespec t[2] = { { 1000000000, 123456789 }, { 1500000000, 500000000 } };
    OK(utimensat(AT_FDCWD, "f", t, 0));
    show("after setting both", "f", 1);
    CHECK(times_are("f", 1, 1000000000, 123456789, 1500000000, 500000000), "exact times");

    struct timespec omit_atime[2] = { { 0, UTIME_OMIT }, { 1600000000, 1 } };
    OK(utimensat(AT_FDCWD, "f", omit_atime, 0));
    show("UTIME_OMIT for atime, new mtime", "f", 1);
    CHECK(times_are("f", 1, 1000000000, 123456789, 1600000000, 1), "atime kept");

    struct timespec omit_mtime[2] = { { 1200000000, 999999999 }, { 0, UTIME_OMIT } };
    OK(utimensat(AT_FDCWD, "f", omit_mtime, 0));
    show("new atime, UTIME_OMIT for mtime", "f", 1);
    CHECK(times_are("f", 1, 1200000000, 999999999, 1600000000, 1), "mtime kept");

    struct timespec before;
    OK(clock_gettime(CLOCK_REALTIME, &before));
    struct timespec now_m[2] = { { 0, UTIME_OMIT }, { 0, UTIME_NOW } };
    OK(utimensat(AT_FDCWD, "f", now_m, 0));
    struct stat st;
    OK(stat("f", &st));
    EXPECT("UTIME_NOW sets mtime to about now", st.st_mtim.tv_sec >= before.tv_sec - 1 && st.st_mtim.tv_sec <= before.tv_sec + 5);
    EXPECT("and leaves atime", st.st_atim.tv_sec == 1200000000);

    OK(symlink("f", "link"));
    struct timespec lt[2] = { { 300000000, 3 }, { 400000000, 4 } };
    OK(utimensat(AT_FDCWD, "link", lt, AT_SYMLINK_NOFOLLOW));
    show("symlink after AT_SYMLINK_NOFOLLOW", "link", 0);
    CHECK(times_are("link", 0, 300000000, 3, 400000000, 4), "link times");
    EXPECT("the target kept its atime", times_are("f", 1, 1200000000, 999999999, st.st_mtim.tv_sec, st.st_mtim.tv_nsec));

    int fd = OK(open("f", O_RDONLY));
    struct timespec ft[2] = { { 86400, 0 }, { 172800, 42 } };
    OK(futimens(fd, ft));
    show("after futimens", "f", 1);
    CHECK(times_are("f", 1, 86400, 0, 172800, 42), "futimens");

    struct timespec bad[2] = { { 0, 1000000000 }, { 0, 0 } };
    EXPECT_ERRNO("tv_nsec of 1000000000", utimensat(AT_FDCWD, "f", bad, 0), EINVAL);
    EXPECT_ERRNO("missing file", utimensat(AT_FDCWD, "missing", t, 0), ENOENT);

    /* Writing to a file updates its mtime (to about now). */
    int w = OK(open("f", O_WRONLY));
    CHECK(write(w, "y", 1) == 1, "write");
    OK(stat("f", &st));
    EXPECT("write moves mtime to about now", st.st_mtim.tv_sec >= before.tv_sec - 1);
    ct_pass();
}
