/* What the test programs that run inside aramid share: a check that prints
 * what failed and counts it, and a guard for programs that must never run
 * on a host (they set its clock). */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

static int failures __attribute__((unused)); /* not every program checks */
#define CHECK(cond, what)                                        \
    do {                                                         \
        if (!(cond)) {                                           \
            printf("FAIL %s (line %d)\n", what, __LINE__);       \
            failures++;                                          \
        }                                                        \
    } while (0)

/* Exits (status 2) unless this runs in aramid, saying why it would not. */
static inline void require_aramid(char const *why)
{
    struct utsname u;
    if (uname(&u) != 0 || !strstr(u.release, "aramid")) {
        printf("refusing to run outside aramid: %s\n", why);
        exit(2);
    }
}
