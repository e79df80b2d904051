// Reads files (or a device) front to back with a 64 KiB buffer and prints
// one line: "READ label files bytes seconds MB/s". Run inside the guest by
// read_throughput.py; the clock is the guest's CLOCK_MONOTONIC.
//
// usage: readbench LABEL [--limit BYTES] FILE...
// --limit stops after BYTES in all (for /dev/vda, whose end is not a file's).
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

int main(int argc, char** argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: readbench LABEL [--limit BYTES] FILE...\n");
        return 2;
    }
    char const* label = argv[1];
    int first = 2;
    long long limit = -1;
    if (argc > 3 && strcmp(argv[2], "--limit") == 0) {
        limit = atoll(argv[3]);
        first = 4;
    }
    long long total = 0;
    int files = 0;
    double start = now();
    for (int i = first; i < argc && (limit < 0 || total < limit); i++) {
        int fd = open(argv[i], O_RDONLY);
        if (fd < 0) {
            perror(argv[i]);
            return 1;
        }
        for (;;) {
            size_t want = sizeof(buffer);
            if (limit >= 0 && (long long)want > limit - total) want = (size_t)(limit - total);
            if (want == 0) break;
            ssize_t n = read(fd, buffer, want);
            if (n < 0) {
                perror(argv[i]);
                return 1;
            }
            if (n == 0) break;
            total += n;
        }
        close(fd);
        files++;
    }
    double seconds = now() - start;
    printf("READ %s %d %lld %.6f %.2f\n", label, files, total, seconds, total / seconds / 1e6);
    return 0;
}
