/* Contract: a write to a page made PROT_READ by mprotect raises SIGSEGV
 * with si_code SEGV_ACCERR and si_addr the faulting address; reads still
 * work; PROT_NONE blocks reads too; restoring PROT_WRITE keeps the data. */
#include "contract.h"
#include <sys/mman.h>

static char const *code_name(int code)
{
    return code == SEGV_ACCERR ? "SEGV_ACCERR" : code == SEGV_MAPERR ? "SEGV_MAPERR" : "other";
}

int main(void)
{
    char *pages = OK(mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    memset(pages, 'a', 4096);
    memset(pages + 4096, 'b', 4096);
    char *second = pages + 4096;
    OK(mprotect(second, 4096, PROT_READ));

    char v = 0;
    EXPECT("read of the PROT_READ page works", ct_probe(second + 10, 0, &v) == 0 && v == 'b');
    char w = 'x';
    int sig = ct_probe(second, 1, &w);
    printf("write to the PROT_READ page: %s %s\n", signal_name(sig), code_name(ct_probe_info.si_code));
    CHECK(sig == SIGSEGV && ct_probe_info.si_code == SEGV_ACCERR, "SIGSEGV SEGV_ACCERR");
    EXPECT("fault at expected address", ct_probe_info.si_addr == second);
    sig = ct_probe(second + 123, 1, &w);
    EXPECT("fault address is the byte, not the page", sig == SIGSEGV && ct_probe_info.si_addr == second + 123);
    EXPECT("the page still holds its data", second[0] == 'b');
    EXPECT("the other page is still writable", ct_probe(pages + 5, 1, &w) == 0 && pages[5] == 'x');

    OK(mprotect(second, 4096, PROT_NONE));
    sig = ct_probe(second + 1, 0, &v);
    printf("read of a PROT_NONE page: %s %s\n", signal_name(sig), code_name(ct_probe_info.si_code));
    CHECK(sig == SIGSEGV && ct_probe_info.si_code == SEGV_ACCERR && ct_probe_info.si_addr == second + 1,
          "PROT_NONE read faults");

    OK(mprotect(second, 4096, PROT_READ | PROT_WRITE));
    EXPECT("write works after PROT_READ|PROT_WRITE", ct_probe(second, 1, &w) == 0 && second[0] == 'x');
    EXPECT("data survived", second[1] == 'b' && second[4095] == 'b');

    /* A mapping created read-only behaves the same. */
    char *ro = OK(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    EXPECT("read-only mapping reads zero", ct_probe(ro, 0, &v) == 0 && v == 0);
    sig = ct_probe(ro + 7, 1, &w);
    EXPECT("write to a read-only mapping faults at the byte",
           sig == SIGSEGV && ct_probe_info.si_code == SEGV_ACCERR && ct_probe_info.si_addr == ro + 7);
    ct_pass();
}
