/* Contract: a trailing slash requires a directory: on a regular file it is
 * ENOTDIR (stat, open, unlink, rename), creating "name/" with open is EISDIR,
 * mkdir "name/" works, and a symlink to a directory is followed even by
 * lstat when the path ends in a slash. */
#include "contract.h"

int main(void)
{
    ct_enter_tmpdir();
    ct_write_file("f", "x", 0644);
    OK(mkdir("d", 0755));
    OK(symlink("d", "ld"));
    OK(symlink("f", "lf"));
    struct stat st;

    EXPECT_ERRNO("stat f/", stat("f/", &st), ENOTDIR);
    EXPECT_ERRNO("open f/", open("f/", O_RDONLY), ENOTDIR);
    EXPECT_ERRNO("open f/.", open("f/.", O_RDONLY), ENOTDIR);
    EXPECT_ERRNO("unlink f/", unlink("f/"), ENOTDIR);
    EXPECT_ERRNO("rename f/ g", rename("f/", "g"), ENOTDIR);
    EXPECT_ERRNO("stat lf/ (link to a file)", stat("lf/", &st), ENOTDIR);
    EXPECT_ERRNO("open(new/, O_CREAT)", open("new/", O_WRONLY | O_CREAT, 0644), EISDIR);
    EXPECT_ERRNO("open(d/, O_WRONLY)", open("d/", O_WRONLY), EISDIR);

    EXPECT("stat d/ works", stat("d/", &st) == 0 && S_ISDIR(st.st_mode));
    EXPECT("stat d/// works", stat("d///", &st) == 0 && S_ISDIR(st.st_mode));
    EXPECT("lstat ld is the link", lstat("ld", &st) == 0 && S_ISLNK(st.st_mode));
    EXPECT("lstat ld/ follows to the directory", lstat("ld/", &st) == 0 && S_ISDIR(st.st_mode));
    EXPECT("mkdir n/ creates n", mkdir("n/", 0755) == 0 && stat("n", &st) == 0 && S_ISDIR(st.st_mode));
    EXPECT("rmdir n/ removes it", rmdir("n/") == 0 && stat("n", &st) == -1);
    EXPECT_ERRNO("unlink d/", unlink("d/"), EISDIR);
    EXPECT_ERRNO("unlink ld/ (the link itself is not a directory)", unlink("ld/"), ENOTDIR);
    EXPECT("rename d/ e/ works", rename("d/", "e/") == 0 && stat("e", &st) == 0);
    EXPECT_ERRNO("rmdir e/.", rmdir("e/."), EINVAL);
    ct_pass();
}
