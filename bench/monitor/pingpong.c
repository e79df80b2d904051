/*
 * pingpong: two processes pass one byte back and forth through two pipes,
 * so each round trip is two context switches between user processes (and
 * four syscalls). Prints the mean round trip:
 *
 *   PINGPONG <round trips> <ns per round trip>
 *
 * bench/monitor/switch_cost.py runs it in guests with and without the debug
 * table's switch ring. usage: pingpong [ROUND_TRIPS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char** argv)
{
    int const rounds = argc > 1 ? atoi(argv[1]) : 20000;
    int const warmup = 200;
    int down[2], up[2];
    if (rounds <= 0 || pipe(down) || pipe(up)) {
        perror("pingpong");
        return 1;
    }
    pid_t const child = fork();
    if (child < 0) {
        perror("fork");
        return 1;
    }
    char byte = 'x';
    if (child == 0) {
        for (int i = 0; i < warmup + rounds; i++)
            if (read(down[0], &byte, 1) != 1 || write(up[1], &byte, 1) != 1) _exit(1);
        _exit(0);
    }
    long long start = 0;
    for (int i = 0; i < warmup + rounds; i++) {
        if (i == warmup) start = now_ns();
        if (write(down[1], &byte, 1) != 1 || read(up[0], &byte, 1) != 1) {
            perror("pingpong");
            return 1;
        }
    }
    long long const elapsed = now_ns() - start;
    int status = 0;
    waitpid(child, &status, 0);
    printf("PINGPONG %d %.1f\n", rounds, (double)elapsed / rounds);
    return status == 0 ? 0 : 1;
}
