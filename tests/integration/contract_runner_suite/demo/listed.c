/* A known divergence, listed in xfail.txt: an extra line in the guest. */
#include "contract.h"
#include <unistd.h>
int main(void) { if (access("/.aramid/argv", F_OK) == 0) printf("guest only\n"); pass(); return 0; }
