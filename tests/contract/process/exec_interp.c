/* Contract: execve of a dynamic program (one with a PT_INTERP header)
 * checks its interpreter as Linux's ELF loader does: the path must be
 * NUL-terminated and 2..PATH_MAX bytes (ENOEXEC), exist (ENOENT), be an
 * executable regular file (EACCES), be long enough for an ELF header (EIO)
 * and be an x86-64 ELF (ELIBBAD). Only the first PT_INTERP counts. The
 * programs are written here by hand; none of them gets to run. */
#include "contract.h"

#include <elf.h>

enum { kLoadAddress = 0x400000 };

/* A program whose PT_INTERP holds `interp_size` bytes of `interp`, with a
 * second PT_INTERP holding `second` if it is not NULL. */
static void write_program(char const *path, char const *interp, size_t interp_size, char const *second)
{
    unsigned char image[1024];
    memset(image, 0, sizeof image);
    int const phnum = second ? 3 : 2;
    size_t const strings = sizeof(Elf64_Ehdr) + phnum * sizeof(Elf64_Phdr);
    Elf64_Ehdr *eh = (Elf64_Ehdr *)image;
    memcpy(eh->e_ident, ELFMAG, SELFMAG);
    eh->e_ident[EI_CLASS] = ELFCLASS64;
    eh->e_ident[EI_DATA] = ELFDATA2LSB;
    eh->e_ident[EI_VERSION] = EV_CURRENT;
    eh->e_type = ET_EXEC;
    eh->e_machine = EM_X86_64;
    eh->e_version = EV_CURRENT;
    eh->e_entry = kLoadAddress + strings;
    eh->e_phoff = sizeof(Elf64_Ehdr);
    eh->e_ehsize = sizeof(Elf64_Ehdr);
    eh->e_phentsize = sizeof(Elf64_Phdr);
    eh->e_phnum = phnum;
    Elf64_Phdr *ph = (Elf64_Phdr *)(image + sizeof(Elf64_Ehdr));
    ph[0].p_type = PT_INTERP;
    ph[0].p_offset = strings;
    ph[0].p_filesz = ph[0].p_memsz = interp_size;
    ph[0].p_flags = PF_R;
    memcpy(image + strings, interp, interp_size);
    size_t end = strings + interp_size;
    if (second) {
        ph[2].p_type = PT_INTERP;
        ph[2].p_offset = end;
        ph[2].p_filesz = ph[2].p_memsz = strlen(second) + 1;
        ph[2].p_flags = PF_R;
        memcpy(image + end, second, strlen(second) + 1);
        end += strlen(second) + 1;
    }
    ph[1].p_type = PT_LOAD;
    ph[1].p_offset = 0;
    ph[1].p_vaddr = ph[1].p_paddr = kLoadAddress;
    ph[1].p_filesz = ph[1].p_memsz = end;
    ph[1].p_flags = PF_R | PF_X;
    ph[1].p_align = 4096;
    int fd = OK(open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755));
    CHECK(write(fd, image, end) == (ssize_t)end, "write the program");
    OK(close(fd));
}

static void write_bytes(char const *path, void const *data, size_t size, mode_t mode)
{
    int fd = OK(open(path, O_WRONLY | O_CREAT | O_TRUNC, mode));
    CHECK(write(fd, data, size) == (ssize_t)size, "write");
    OK(close(fd));
}

/* execve's errno for a program whose interpreter is `interp` (a string). */
static void try_interp(char const *what, char const *interp, int expected)
{
    write_program("prog", interp, strlen(interp) + 1, NULL);
    char *argv[] = { "prog", NULL };
    EXPECT_ERRNO(what, execve("prog", argv, environ), expected);
}

int main(void)
{
    ct_enter_tmpdir();
    char here[512];
    CHECK(getcwd(here, sizeof here), "getcwd");
    char path[700];
    char *argv[] = { "prog", NULL };

    try_interp("a missing interpreter", "/nonexistent-aramid/ld.so", ENOENT);
    try_interp("a directory as interpreter", here, EACCES);

    write_bytes("short", "#!/bin/sh\n", 10, 0755);
    snprintf(path, sizeof path, "%s/short", here);
    try_interp("an interpreter shorter than an ELF header", path, EIO);

    char text[128];
    memset(text, 'x', sizeof text);
    write_bytes("text", text, sizeof text, 0755);
    snprintf(path, sizeof path, "%s/text", here);
    try_interp("a text file as interpreter", path, ELIBBAD);

    Elf64_Ehdr other;
    memset(&other, 0, sizeof other);
    memcpy(other.e_ident, ELFMAG, SELFMAG);
    other.e_ident[EI_CLASS] = ELFCLASS32;
    other.e_ident[EI_DATA] = ELFDATA2LSB;
    other.e_machine = EM_386;
    unsigned char padded[256] = { 0 };
    memcpy(padded, &other, sizeof other);
    write_bytes("elf32", padded, sizeof padded, 0755);
    snprintf(path, sizeof path, "%s/elf32", here);
    try_interp("a 32-bit ELF as interpreter", path, ELIBBAD);

    write_bytes("noexec", text, sizeof text, 0644);
    snprintf(path, sizeof path, "%s/noexec", here);
    try_interp("an interpreter without execute permission", path, EACCES);

    write_program("prog", "/nonexistent", 12, NULL); /* no NUL */
    EXPECT_ERRNO("an interpreter path without its NUL", execve("prog", argv, environ), ENOEXEC);
    write_program("prog", "", 1, NULL);
    EXPECT_ERRNO("an empty interpreter path", execve("prog", argv, environ), ENOEXEC);

    snprintf(path, sizeof path, "%s/text", here);
    write_program("prog", "/nonexistent-aramid/ld.so", 26, path);
    EXPECT_ERRNO("two PT_INTERP headers (the first counts)", execve("prog", argv, environ), ENOENT);
    write_program("prog", path, strlen(path) + 1, "/nonexistent-aramid/ld.so");
    EXPECT_ERRNO("two PT_INTERP headers, the first a text file", execve("prog", argv, environ), ELIBBAD);
    ct_pass();
}
