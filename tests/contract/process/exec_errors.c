/* Contract: execve fails without replacing the caller: ENOENT for a missing
 * file, EACCES for a file without execute permission or a directory, ENOEXEC
 * for an executable file of no known format, ENOTDIR for a file used as a
 * directory. */
#include "contract.h"

int main(void)
{
    ct_enter_tmpdir();
    char *args[] = { "x", NULL };
    char *env[] = { NULL };

    ct_write_file("plain", "#not an executable\n", 0644);
    ct_write_file("garbage", "\x01\x02\x03\x04 not an ELF or script\n", 0755);
    OK(mkdir("dir", 0755));

    EXPECT_ERRNO("execve missing file", execve("./missing", args, env), ENOENT);
    EXPECT_ERRNO("execve mode 0644 file", execve("./plain", args, env), EACCES);
    EXPECT_ERRNO("execve directory", execve("./dir", args, env), EACCES);
    EXPECT_ERRNO("execve unknown format", execve("./garbage", args, env), ENOEXEC);
    EXPECT_ERRNO("execve file/x", execve("./plain/x", args, env), ENOTDIR);
    EXPECT_ERRNO("execve empty path", execve("", args, env), ENOENT);
    printf("still running after failed execs: yes\n");
    ct_pass();
}
