/* /dev/vda, the virtio block device, as a program sees it. Run inside
 * aramid (or QEMU) with a disk whose byte i holds (i * 7 + 3) & 0xff:
 *   disk_check rw    reads, writes (test_disk.py checks the host file after)
 *   disk_check ro    a read-only disk: reads work, writing is refused
 *   disk_check none  no disk: no /dev/vda
 * Prints a FAIL line for each check that failed, and DISK_OK if none did. */
#include "guest_check.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* <linux/fs.h>'s, which musl's headers do not carry. */
#define BLKSSZGET 0x1268
#define BLKGETSIZE64 0x80081272

static int finish(void)
{
    if (failures == 0) printf("DISK_OK\n");
    return failures ? 1 : 0;
}

static unsigned char pattern(uint64_t offset) { return (unsigned char)(offset * 7 + 3); }

static int matches_pattern(unsigned char const* bytes, uint64_t offset, size_t length)
{
    for (size_t i = 0; i < length; i++)
        if (bytes[i] != pattern(offset + i)) return 0;
    return 1;
}

static void common_reads(int fd, uint64_t size)
{
    struct stat st;
    CHECK(fstat(fd, &st) == 0 && S_ISBLK(st.st_mode), "fstat: a block device");
    CHECK(major(st.st_rdev) == 254 && minor(st.st_rdev) == 0, "rdev 254:0");
    int sector = 0;
    CHECK(ioctl(fd, BLKSSZGET, &sector) == 0 && sector == 512, "BLKSSZGET 512");
    CHECK(lseek(fd, 0, SEEK_END) == (off_t)size, "SEEK_END is the capacity");

    unsigned char* buffer = malloc(300 * 1024);
    CHECK(pread(fd, buffer, 4096, 0) == 4096 && matches_pattern(buffer, 0, 4096), "pread the first 4 KiB");
    CHECK(pread(fd, buffer, 100, 1000) == 100 && matches_pattern(buffer, 1000, 100), "pread 100 bytes at 1000");
    CHECK(pread(fd, buffer, 300 * 1024, 4096) == 300 * 1024 && matches_pattern(buffer, 4096, 300 * 1024),
          "pread 300 KiB in one call");
    CHECK(lseek(fd, 777, SEEK_SET) == 777 && read(fd, buffer, 33) == 33 && matches_pattern(buffer, 777, 33)
              && lseek(fd, 0, SEEK_CUR) == 810,
          "read moves the offset");
    CHECK(pread(fd, buffer, 10, size) == 0, "pread at the end: 0");
    CHECK(pread(fd, buffer, 100, size - 10) == 10 && matches_pattern(buffer, size - 10, 10), "pread across the end: short");
    errno = 0;
    CHECK(pread(fd, (void*)8, 512, 0) == -1 && errno == EFAULT, "pread into a bad pointer: EFAULT");
    free(buffer);
}

int main(int argc, char** argv)
{
    require_aramid("it reads and writes /dev/vda, which on a host is a real disk");
    char const* mode = argc > 1 ? argv[1] : "rw";
    if (strcmp(mode, "none") == 0) {
        errno = 0;
        CHECK(open("/dev/vda", O_RDONLY) == -1 && errno == ENOENT, "no disk, no /dev/vda");
        return finish();
    }
    int fd = open("/dev/vda", strcmp(mode, "ro") == 0 ? O_RDONLY : O_RDWR);
    CHECK(fd >= 0, "open /dev/vda");
    if (fd < 0) return finish();
    uint64_t size = 0;
    CHECK(ioctl(fd, BLKGETSIZE64, &size) == 0 && size == 1 << 20, "BLKGETSIZE64 1 MiB");
    common_reads(fd, size);

    if (strcmp(mode, "ro") == 0) {
        errno = 0;
        CHECK(open("/dev/vda", O_RDWR) == -1 && errno == EROFS, "open read-write: EROFS");
        errno = 0;
        CHECK(pwrite(fd, "x", 1, 0) == -1 && errno == EBADF, "pwrite on the read-only fd: EBADF");
        return finish();
    }

    /* Writes: unaligned across a sector boundary, then 200 KiB at once; the
     * test reads the host file afterwards. */
    CHECK(pwrite(fd, "ARAMID-WAS-HERE", 15, 510) == 15, "pwrite 15 bytes across sectors 0 and 1");
    unsigned char* big = malloc(200 * 1024);
    for (int i = 0; i < 200 * 1024; i++) big[i] = (unsigned char)(i % 253);
    CHECK(pwrite(fd, big, 200 * 1024, 65536 + 100) == 200 * 1024, "pwrite 200 KiB at 65636");
    unsigned char* back = malloc(200 * 1024);
    CHECK(pread(fd, back, 200 * 1024, 65536 + 100) == 200 * 1024 && memcmp(back, big, 200 * 1024) == 0,
          "pread it back");
    char small[16] = { 0 };
    CHECK(pread(fd, small, 15, 510) == 15 && memcmp(small, "ARAMID-WAS-HERE", 15) == 0, "pread the small write back");
    CHECK(pread(fd, small, 2, 508) == 2 && matches_pattern((unsigned char*)small, 508, 2), "the bytes before it kept");
    CHECK(fsync(fd) == 0 && fdatasync(fd) == 0, "fsync and fdatasync");
    CHECK(pwrite(fd, "END", 3, size - 3) == 3, "pwrite the last 3 bytes");
    errno = 0;
    CHECK(pwrite(fd, "x", 1, size) == -1 && errno == ENOSPC, "pwrite at the end: ENOSPC");
    CHECK(pwrite(fd, "TAIL", 4, size - 2) == 2, "pwrite across the end: short");
    errno = 0;
    CHECK(pwrite(fd, (void*)8, 512, 0) == -1 && errno == EFAULT, "pwrite from a bad pointer: EFAULT");
    CHECK(close(fd) == 0, "close");
    free(big);
    free(back);
    return finish();
}
