#include "contract.h"
#include <unistd.h>
int main(void) { printf("pid>0: %d\n", getpid() > 0); pass(); return 0; }
