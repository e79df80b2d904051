#include <stdio.h>
#include <stdlib.h>
#define CHECK(c, what) do { if (!(c)) { printf("CONTRACT_FAIL %s\n", what); exit(1); } } while (0)
static void pass(void) { printf("CONTRACT_PASS\n"); }
