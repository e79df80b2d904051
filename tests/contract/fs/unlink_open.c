/* Contract: unlinking an open file removes its name at once (stat ENOENT,
 * absent from the directory, a new file may take the name) while the open
 * fd keeps reading and writing it, with fstat st_nlink 0. */
#include "contract.h"

int main(void)
{
    ct_enter_tmpdir();
    ct_write_file("f", "data", 0644);
    int fd = OK(open("f", O_RDWR));
    OK(unlink("f"));
    struct stat st;
    EXPECT_ERRNO("stat after unlink", stat("f", &st), ENOENT);
    OK(fstat(fd, &st));
    printf("fstat after unlink: nlink %lu, size %ld\n", (unsigned long)st.st_nlink, (long)st.st_size);
    CHECK(st.st_nlink == 0 && st.st_size == 4, "nlink 0, size 4");

    DIR *dir = opendir(".");
    CHECK(dir, "opendir");
    int entries = 0;
    struct dirent *e;
    while ((e = readdir(dir)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) entries++;
    closedir(dir);
    printf("directory entries after unlink: %d\n", entries);
    CHECK(entries == 0, "gone from the directory");

    char buf[16] = { 0 };
    CHECK(read(fd, buf, sizeof buf - 1) == 4, "read via the fd");
    printf("read via the fd: %s\n", buf);
    CHECK(strcmp(buf, "data") == 0, "data");
    CHECK(write(fd, "+more", 5) == 5, "write via the fd");
    memset(buf, 0, sizeof buf);
    CHECK(pread(fd, buf, sizeof buf - 1, 0) == 9, "pread");
    printf("after writing via the fd: %s\n", buf);

    ct_write_file("f", "new", 0644);
    int fresh = OK(open("f", O_RDONLY));
    memset(buf, 0, sizeof buf);
    CHECK(read(fresh, buf, sizeof buf - 1) == 3 && strcmp(buf, "new") == 0, "new file");
    memset(buf, 0, sizeof buf);
    CHECK(pread(fd, buf, sizeof buf - 1, 0) == 9, "pread the old file");
    EXPECT("a new file takes the name; the old one is intact", strcmp(buf, "data+more") == 0);

    /* With a second hard link, unlinking one name leaves nlink 1. */
    ct_write_file("g", "g", 0644);
    OK(link("g", "h"));
    OK(unlink("g"));
    OK(stat("h", &st));
    EXPECT("unlinking one of two links leaves nlink 1", st.st_nlink == 1);
    ct_pass();
}
