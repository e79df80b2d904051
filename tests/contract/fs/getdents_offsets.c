/* Contract: a directory's position is the d_off getdents64 hands out. A
 * 600-entry directory read with small buffers lists every entry exactly once
 * ("." and ".." included); lseek(fd, 0, SEEK_CUR) after a call is the last
 * entry's d_off; lseek to any returned d_off resumes with the entry that
 * followed it; lseek to 0 rewinds; telldir/seekdir (which use d_off) agree.
 * d_off values themselves are the file system's own cookies and are never
 * printed. */
#include "contract.h"
#include <stdint.h>
#include <sys/syscall.h>

#define FILES 600
#define ENTRIES (FILES + 2)

struct entry64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

static char names[ENTRIES][32];
static int64_t offsets[ENTRIES];
static int count;

/* Reads the next entry at fd's position into `name` (empty at the end). */
static void next_entry(int fd, char *name, size_t size)
{
    char buf[512] __attribute__((aligned(8)));
    long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
    CHECK(n >= 0, "getdents64");
    snprintf(name, size, "%s", n == 0 ? "" : ((struct entry64 *)buf)->d_name);
}

/* Lists fd from its position with a `size`-byte buffer, into names/offsets. */
static void list(int fd, size_t size, int *calls)
{
    char buf[512] __attribute__((aligned(8)));
    count = 0;
    *calls = 0;
    int position_matches = 1;
    for (;;) {
        long n = syscall(SYS_getdents64, fd, buf, size);
        CHECK(n >= 0, "getdents64");
        if (n == 0) break;
        ++*calls;
        struct entry64 *last = 0;
        for (long off = 0; off < n;) {
            struct entry64 *e = (struct entry64 *)(buf + off);
            CHECK(e->d_reclen > 0 && off + e->d_reclen <= n, "d_reclen within the buffer");
            CHECK(count < ENTRIES, "no more entries than the directory has");
            CHECK(strlen(e->d_name) < sizeof names[0], "name length");
            strcpy(names[count], e->d_name);
            offsets[count++] = e->d_off;
            last = e;
            off += e->d_reclen;
        }
        if (lseek(fd, 0, SEEK_CUR) != last->d_off) position_matches = 0;
    }
    CHECK(position_matches, "the position after each call is the last entry's d_off");
}

static int by_name(void const *a, void const *b) { return strcmp(a, b); }

/* Every name exactly once. */
static int complete(void)
{
    static char sorted[ENTRIES][32];
    if (count != ENTRIES) return 0;
    memcpy(sorted, names, sizeof sorted);
    qsort(sorted, ENTRIES, sizeof sorted[0], by_name);
    if (strcmp(sorted[0], ".") != 0 || strcmp(sorted[1], "..") != 0) return 0;
    for (int i = 0; i < FILES; i++) {
        char want[32];
        snprintf(want, sizeof want, "f%04d", i);
        if (strcmp(sorted[i + 2], want) != 0) return 0;
    }
    return 1;
}

int main(void)
{
    ct_enter_tmpdir();
    OK(mkdir("d", 0755));
    for (int i = 0; i < FILES; i++) {
        char name[32];
        snprintf(name, sizeof name, "d/f%04d", i);
        ct_write_file(name, "", 0644);
    }
    int fd = OK(open("d", O_RDONLY | O_DIRECTORY));
    int calls;
    list(fd, 64, &calls); /* a 32-byte record for "f0000": one or two a call */
    printf("64-byte buffer: %d entries, each once: %s\n", count, complete() ? "yes" : "no");
    CHECK(complete(), "complete listing");
    EXPECT("at least 300 calls", calls >= 300);
    int64_t const end = lseek(fd, 0, SEEK_CUR);

    /* Remember this order: seeking must follow it. */
    static char order[ENTRIES][32];
    static int64_t order_offsets[ENTRIES];
    memcpy(order, names, sizeof order);
    memcpy(order_offsets, offsets, sizeof order_offsets);

    int resumed = 1;
    for (int k = 0; k < ENTRIES; k += 7) {
        char name[32];
        OK(lseek(fd, order_offsets[k], SEEK_SET));
        next_entry(fd, name, sizeof name);
        if (strcmp(name, k + 1 < ENTRIES ? order[k + 1] : "") != 0) resumed = 0;
    }
    EXPECT("lseek to an entry's d_off resumes with the next entry", resumed);
    char name[32];
    OK(lseek(fd, order_offsets[ENTRIES - 1], SEEK_SET));
    next_entry(fd, name, sizeof name);
    EXPECT("lseek to the last entry's d_off is the end", name[0] == 0);
    EXPECT("which is where the listing ended", order_offsets[ENTRIES - 1] == end);

    /* Resume a listing from the middle with a bigger buffer. */
    OK(lseek(fd, order_offsets[299], SEEK_SET));
    list(fd, 512, &calls);
    int same = count == ENTRIES - 300;
    for (int i = 0; same && i < count; i++) same = strcmp(names[i], order[300 + i]) == 0;
    EXPECT("resuming at the 300th entry's d_off lists the rest in order", same);

    OK(lseek(fd, 0, SEEK_SET));
    list(fd, 200, &calls);
    same = count == ENTRIES;
    for (int i = 0; same && i < count; i++) same = strcmp(names[i], order[i]) == 0;
    EXPECT("lseek 0 rewinds: the same listing again", same);
    close(fd);

    /* telldir and seekdir are the same positions through libc. */
    DIR *dir = opendir("d");
    CHECK(dir != 0, "opendir");
    long mark = -1;
    char after_mark[32] = "";
    int seen = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != 0) {
        if (++seen == 123) mark = telldir(dir);
        if (seen == 124) snprintf(after_mark, sizeof after_mark, "%s", e->d_name);
    }
    printf("readdir: %d entries\n", seen);
    seekdir(dir, mark);
    e = readdir(dir);
    EXPECT("seekdir to a telldir position resumes there", e != 0 && strcmp(e->d_name, after_mark) == 0);
    rewinddir(dir);
    e = readdir(dir);
    EXPECT("rewinddir starts again", e != 0 && strcmp(e->d_name, order[0]) == 0);
    closedir(dir);
    ct_pass();
}
