/* Contract: /proc/self/maps names each file mapping with the file's device
 * (major:minor, as stat's st_dev) and inode number, and the file offset it
 * starts at; anonymous memory shows 00:00 0. The program's own text is its
 * executable's (/proc/self/exe). */
#include "contract.h"

#include <sys/mman.h>
#include <sys/sysmacros.h>

/* The maps line holding `address`: device, inode and offset; false if none. */
static int find(void const *address, unsigned *major_out, unsigned *minor_out, unsigned long *inode,
                unsigned long *offset)
{
    FILE *f = fopen("/proc/self/maps", "r");
    CHECK(f, "open maps");
    char line[512];
    int found = 0;
    while (!found && fgets(line, sizeof line, f)) {
        unsigned long start, end;
        char perms[8];
        if (sscanf(line, "%lx-%lx %7s %lx %x:%x %lu", &start, &end, perms, offset, major_out, minor_out, inode) != 7)
            continue;
        found = (unsigned long)address >= start && (unsigned long)address < end;
    }
    fclose(f);
    return found;
}

static void check(char const *what, void const *address, struct stat const *st, unsigned long offset)
{
    unsigned major_, minor_;
    unsigned long inode, at;
    CHECK(find(address, &major_, &minor_, &inode, &at), "the mapping is listed");
    printf("%s: device %s, inode %s", what, major_ == major(st->st_dev) && minor_ == minor(st->st_dev) ? "as stat" : "differs",
           inode == st->st_ino ? "as stat" : "differs");
    if (offset != ~0ul) printf(", offset %s", at == offset ? "right" : "wrong");
    printf("\n");
}

int main(void)
{
    ct_enter_tmpdir();
    char page[4096];
    memset(page, 'x', sizeof page);
    int fd = OK(open("data", O_RDWR | O_CREAT, 0644));
    for (int i = 0; i < 4; i++) CHECK(write(fd, page, sizeof page) == (ssize_t)sizeof page, "write");
    struct stat st;
    OK(fstat(fd, &st));
    char *whole = mmap(NULL, 4 * 4096, PROT_READ, MAP_PRIVATE, fd, 0);
    CHECK(whole != MAP_FAILED, "mmap");
    check("a private mapping", whole + 4096, &st, 0);
    char *tail = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 2 * 4096);
    CHECK(tail != MAP_FAILED, "mmap");
    check("a shared mapping from offset 8192", tail, &st, 2 * 4096);

    struct stat exe;
    OK(stat("/proc/self/exe", &exe));
    check("the program's text", (void const *)&main, &exe, ~0ul); /* its offset is the linker's */

    char *anonymous = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(anonymous != MAP_FAILED, "mmap");
    unsigned major_, minor_;
    unsigned long inode, at;
    CHECK(find(anonymous, &major_, &minor_, &inode, &at), "listed");
    printf("anonymous memory: %u:%u %lu\n", major_, minor_, inode);
    ct_pass();
}
