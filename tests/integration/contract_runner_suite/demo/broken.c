/* Prints an extra line only in the guest, where /.aramid/argv exists. */
#include "contract.h"
#include <unistd.h>
int main(void) { printf("one\n"); if (access("/.aramid/argv", F_OK) == 0) printf("guest only\n"); printf("two\n"); pass(); return 0; }
