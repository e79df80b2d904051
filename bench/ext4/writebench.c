// Writes files (or a device) and makes them durable, timing the whole, and
// prints one line: "WRITE label files bytes seconds MB/s". Run in the guest
// and on the host by write_throughput.py; the clock is CLOCK_MONOTONIC.
//
// usage: writebench big PATH BYTES     one file, 64 KiB writes, fsync
//        writebench small DIR COUNT    COUNT new files of 1-8 KiB, syncfs
//        writebench raw DEVICE BYTES   a device from offset 0, fsync
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char buffer[64 * 1024];

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int fail(char const* what)
{
    perror(what);
    return 1;
}

// Writes `bytes` to fd in 64 KiB pieces.
static int write_all(int fd, long long bytes, char const* what)
{
    for (long long done = 0; done < bytes;) {
        size_t want = sizeof(buffer);
        if ((long long)want > bytes - done) want = (size_t)(bytes - done);
        ssize_t n = write(fd, buffer, want);
        if (n <= 0) return fail(what);
        done += n;
    }
    return 0;
}

int main(int argc, char** argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: writebench big|small|raw PATH BYTES|COUNT\n");
        return 2;
    }
    char const* mode = argv[1];
    char const* path = argv[2];
    long long const amount = atoll(argv[3]);
    for (size_t i = 0; i < sizeof(buffer); i++) buffer[i] = (char)(i * 131 + 7);
    long long total = 0;
    int files = 0;
    double start = now();
    if (strcmp(mode, "small") == 0) {
        unsigned seed = 1;
        for (long long i = 0; i < amount; i++) {
            char name[4096];
            snprintf(name, sizeof(name), "%s/file%05lld", path, i);
            seed = seed * 1103515245 + 12345;
            long long const size = 1024 + (seed >> 8) % 7169;
            int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (fd < 0 || write_all(fd, size, name)) return fail(name);
            close(fd);
            total += size;
            files++;
        }
        int dir = open(path, O_RDONLY | O_DIRECTORY);
        if (dir < 0 || syncfs(dir) < 0) return fail("syncfs");
        close(dir);
    } else {
        int const flags = strcmp(mode, "raw") == 0 ? O_WRONLY : O_WRONLY | O_CREAT | O_TRUNC;
        int fd = open(path, flags, 0644);
        if (fd < 0 || write_all(fd, amount, path)) return fail(path);
        if (fsync(fd) < 0) return fail("fsync");
        close(fd);
        total = amount;
        files = 1;
    }
    double seconds = now() - start;
    printf("WRITE %s %d %lld %.6f %.2f\n", mode, files, total, seconds, total / seconds / 1e6);
    return 0;
}
