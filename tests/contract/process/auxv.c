/* Contract: the ELF auxiliary vector of a static x86-64 program carries
 * AT_PAGESZ 4096, AT_CLKTCK 100, a non-null AT_RANDOM with 16 bytes, AT_PHDR,
 * AT_ENTRY, the real/effective ids, AT_SECURE 0 and AT_EXECFN. */
#include "contract.h"
#include <elf.h>
#include <sys/auxv.h>

int main(int argc, char **argv)
{
    (void)argc;
    printf("AT_PAGESZ=%lu\n", getauxval(AT_PAGESZ));
    CHECK(getauxval(AT_PAGESZ) == 4096, "AT_PAGESZ is 4096");
    CHECK(getauxval(AT_PAGESZ) == (unsigned long)sysconf(_SC_PAGESIZE), "sysconf agrees");
    printf("AT_CLKTCK=%lu\n", getauxval(AT_CLKTCK));
    CHECK(getauxval(AT_CLKTCK) == 100, "AT_CLKTCK is 100");

    unsigned char const *random = (unsigned char const *)getauxval(AT_RANDOM);
    EXPECT("AT_RANDOM non-null", random != NULL);
    int nonzero = 0;
    for (int i = 0; i < 16; i++) nonzero |= random[i];
    EXPECT("AT_RANDOM bytes not all zero", nonzero);

    EXPECT("AT_PHDR non-null", getauxval(AT_PHDR) != 0);
    EXPECT("AT_PHENT is sizeof(Elf64_Phdr)", getauxval(AT_PHENT) == sizeof(Elf64_Phdr));
    EXPECT("AT_PHNUM > 0", getauxval(AT_PHNUM) > 0);
    EXPECT("AT_ENTRY non-null", getauxval(AT_ENTRY) != 0);
    EXPECT("AT_UID matches getuid", getauxval(AT_UID) == getuid());
    EXPECT("AT_EUID matches geteuid", getauxval(AT_EUID) == geteuid());
    EXPECT("AT_GID matches getgid", getauxval(AT_GID) == getgid());
    EXPECT("AT_EGID matches getegid", getauxval(AT_EGID) == getegid());
    errno = 0;
    unsigned long secure = getauxval(AT_SECURE);
    EXPECT("AT_SECURE present and 0", secure == 0 && errno == 0);

    char const *execfn = (char const *)getauxval(AT_EXECFN);
    EXPECT("AT_EXECFN non-null", execfn != NULL);
    EXPECT("AT_EXECFN is the path given to execve", strcmp(execfn, argv[0]) == 0);

    /* The program headers AT_PHDR points at describe this image. */
    Elf64_Phdr const *ph = (Elf64_Phdr const *)getauxval(AT_PHDR);
    int loads = 0;
    for (unsigned long i = 0; i < getauxval(AT_PHNUM); i++) loads += ph[i].p_type == PT_LOAD;
    EXPECT("AT_PHDR has a PT_LOAD", loads > 0);
    ct_pass();
}
