/* Contract: timeouts shorter than a scheduler tick are kept to the
 * microsecond, as Linux's high-resolution timers keep them -- a 100 us
 * nanosleep and a 200 us poll timeout each take about that long, never
 * less, and not a whole tick (4 ms at 250 Hz). The bound is the
 * median of several tries, well above the request, so a loaded host does
 * not make the test fail. */
#include "contract.h"

#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

enum { kTries = 9 };

static int64_t now_ns(void)
{
    struct timespec t;
    OK(clock_gettime(CLOCK_MONOTONIC, &t));
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static int compare(void const *a, void const *b)
{
    int64_t x = *(int64_t const *)a, y = *(int64_t const *)b;
    return x < y ? -1 : x > y;
}

/* Each try's length, sorted: [0] the shortest, [kTries / 2] the median. */
static void sorted(int64_t *t) { qsort(t, kTries, sizeof(*t), compare); }

int main(void)
{
    int64_t const us = 1000, bound = 2000 * us; /* half a tick */
    int64_t took[kTries];

    for (int i = 0; i < kTries; i++) {
        struct timespec request = { 0, 100 * us };
        int64_t start = now_ns();
        OK(nanosleep(&request, NULL));
        took[i] = now_ns() - start;
    }
    sorted(took);
    EXPECT("nanosleep(100 us) never returns early", took[0] >= 100 * us);
    EXPECT("nanosleep(100 us) takes well under a tick", took[kTries / 2] < bound);

    int fds[2];
    OK(pipe(fds));
    for (int i = 0; i < kTries; i++) {
        struct timespec timeout = { 0, 200 * us };
        struct pollfd p = { fds[0], POLLIN, 0 };
        int64_t start = now_ns();
        CHECK(ppoll(&p, 1, &timeout, NULL) == 0, "ppoll(200 us) on an empty pipe times out");
        took[i] = now_ns() - start;
    }
    sorted(took);
    EXPECT("ppoll(200 us) never returns early", took[0] >= 200 * us);
    EXPECT("ppoll(200 us) takes well under a tick", took[kTries / 2] < bound);

    ct_pass();
}
