/* Contract: for a non-root user, permission bits decide open/access
 * (EACCES), a directory without search permission blocks paths through it,
 * a non-writable directory blocks creation, and only the owner may chmod
 * (EPERM); root bypasses read/write checks but needs an x bit to pass X_OK. */
#include "contract.h"

/* Each returns 0 if allowed, else the errno. */
static int read_secret(void) { return open("secret", O_RDONLY) >= 0 ? 0 : errno; }
static int access_secret(void) { return access("secret", R_OK) == 0 ? 0 : errno; }
static int read_public(void) { return open("public", O_RDONLY) >= 0 ? 0 : errno; }
static int write_public(void) { return open("public", O_WRONLY) >= 0 ? 0 : errno; }
static int access_public_w(void) { return access("public", W_OK) == 0 ? 0 : errno; }
static int through_closed(void)
{
    struct stat st;
    return stat("closed/inside", &st) == 0 ? 0 : errno;
}
static int list_closed(void) { return open("closed", O_RDONLY | O_DIRECTORY) >= 0 ? 0 : errno; }
static int create_in_readonly(void) { return open("readonly/new", O_WRONLY | O_CREAT, 0644) >= 0 ? 0 : errno; }
static int chmod_public(void) { return chmod("public", 0777) == 0 ? 0 : errno; }
static int chmod_own(void) { return chmod("owned", 0600) == 0 ? 0 : errno; }
static int exec_check(void) { return faccessat(AT_FDCWD, "script", X_OK, AT_EACCESS) == 0 ? 0 : errno; }
static int unlink_in_sticky(void) { return unlink("sticky/roots") == 0 ? 0 : errno; }
static int unlink_own_in_sticky(void) { return unlink("sticky/mine") == 0 ? 0 : errno; }

int main(void)
{
    ct_enter_tmpdir();
    umask(0);
    ct_write_file("secret", "s", 0600);
    ct_write_file("public", "p", 0644);
    ct_write_file("owned", "o", 0644);
    OK(chown("owned", 1000, 1000));
    ct_write_file("script", "#!/bin/sh\n", 0744);
    OK(mkdir("closed", 0700));
    ct_write_file("closed/inside", "i", 0644);
    OK(mkdir("readonly", 0755));
    OK(mkdir("sticky", 01777));
    ct_write_file("sticky/roots", "r", 0666);
    ct_write_file("sticky/mine", "m", 0666);
    OK(chown("sticky/mine", 1000, 1000));

    ct_as_user("open 0600 root file for reading", read_secret);
    ct_as_user("access(R_OK) on it", access_secret);
    ct_as_user("open 0644 root file for reading", read_public);
    ct_as_user("open 0644 root file for writing", write_public);
    ct_as_user("access(W_OK) on it", access_public_w);
    ct_as_user("stat through a 0700 root directory", through_closed);
    ct_as_user("open the 0700 root directory", list_closed);
    ct_as_user("create in a 0755 root directory", create_in_readonly);
    ct_as_user("chmod a root file", chmod_public);
    ct_as_user("chmod its own file", chmod_own);
    ct_as_user("X_OK on a 0744 root file", exec_check);
    ct_as_user("unlink root's file in a sticky directory", unlink_in_sticky);
    ct_as_user("unlink its own file in a sticky directory", unlink_own_in_sticky);

    /* Root: read/write regardless of bits; X_OK needs some x bit. */
    ct_write_file("none", "n", 0644);
    OK(chmod("none", 0000));
    EXPECT("root opens a mode 0000 file for reading and writing", open("none", O_RDWR) >= 0);
    EXPECT("root: access(R_OK|W_OK) on mode 0000", access("none", R_OK | W_OK) == 0);
    EXPECT_ERRNO("root: access(X_OK) on mode 0000", access("none", X_OK), EACCES);
    OK(chmod("none", 0010));
    EXPECT("root: access(X_OK) with only group x", access("none", X_OK) == 0);
    EXPECT_ERRNO("access of a missing file", access("missing", F_OK), ENOENT);
    EXPECT_ERRNO("access with a bad mode", access("none", 0100), EINVAL);
    ct_pass();
}
