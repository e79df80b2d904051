/* Contract: touching a file mapping beyond the page holding EOF raises
 * SIGBUS (BUS_ADRERR at the address); the partial last page reads zeros
 * past EOF; extending the file makes the page accessible. */
#include "contract.h"
#include <sys/mman.h>

int main(void)
{
    ct_enter_tmpdir();
    int fd = OK(open("f", O_RDWR | O_CREAT | O_TRUNC, 0644));
    char data[100];
    memset(data, 'd', sizeof data);
    CHECK(write(fd, data, sizeof data) == 100, "write 100 bytes");

    for (int shared = 0; shared <= 1; shared++) {
        char *p = OK(mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, shared ? MAP_SHARED : MAP_PRIVATE, fd, 0));
        char const *kind = shared ? "MAP_SHARED" : "MAP_PRIVATE";
        char v = 1;
        int ok = ct_probe(p + 99, 0, &v) == 0 && v == 'd';
        ok &= ct_probe(p + 100, 0, &v) == 0 && v == 0;
        ok &= ct_probe(p + 4095, 0, &v) == 0 && v == 0;
        printf("%s: first page readable, zero past EOF: %s\n", kind, ok ? "yes" : "no");
        CHECK(ok, "partial page");
        int sig = ct_probe(p + 4096 + 5, 0, &v);
        printf("%s: read of the page past EOF: %s %s\n", kind, signal_name(sig),
               ct_probe_info.si_code == BUS_ADRERR ? "BUS_ADRERR" : "other");
        CHECK(sig == SIGBUS && ct_probe_info.si_code == BUS_ADRERR, "SIGBUS BUS_ADRERR");
        EXPECT("fault at expected address", ct_probe_info.si_addr == p + 4096 + 5);
        OK(munmap(p, 2 * 4096));
    }

    char *p = OK(mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
    OK(ftruncate(fd, 2 * 4096));
    char v = 1;
    EXPECT("after ftruncate the second page reads zero", ct_probe(p + 4096 + 5, 0, &v) == 0 && v == 0);
    p[4096] = 'x';
    CHECK(pread(fd, &v, 1, 4096) == 1, "pread");
    EXPECT("and writes reach the file", v == 'x');
    OK(ftruncate(fd, 100));
    EXPECT("shrinking the file brings SIGBUS back", ct_probe(p + 4096, 0, &v) == SIGBUS);
    ct_pass();
}
