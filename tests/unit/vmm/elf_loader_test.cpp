// The kernel ELF loader against valid images and every kind of malformed one.
// The bytes come from a user's file, so each defect must become a one-line
// VmmError naming it, never a crash or an out-of-bounds read.
#include "elf_image.h"

#include <vmm/boot/elf_loader.h>
#include <vmm/kvm/guest_memory.h>
#include <vmm/util/error.h>

#include <proto/vm_abi.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

using namespace vmm;
using namespace vmm_test;

namespace {

constexpr uint64_t kTestMemory = 2ull << 20;

// Parsing `file` throws a one-line VmmError mentioning `expected`.
void expect_rejected(std::vector<uint8_t> const& file, std::string const& expected) {
    try {
        parse_kernel_elf(file);
        ADD_FAILURE() << "accepted an image that should fail with '" << expected << "'";
    } catch (VmmError const& e) {
        std::string const message = e.what();
        EXPECT_NE(message.find(expected), std::string::npos) << "message: " << message;
        EXPECT_EQ(message.find('\n'), std::string::npos) << "not one line: " << message;
    }
}

std::string load_error(std::vector<uint8_t> const& file, GuestMemory& memory, uint64_t lowest_gpa) {
    KernelImage image = parse_kernel_elf(file);
    try {
        load_kernel(image, file, memory, lowest_gpa);
    } catch (VmmError const& e) {
        return e.what();
    }
    return "";
}

} // namespace

TEST(ElfLoader, ParsesValidKernel) {
    auto file = minimal_kernel({ 1, 2, 3, 4 }, 0x1000).build();
    KernelImage image = parse_kernel_elf(file);
    EXPECT_EQ(image.entry, kLinkAddress);
    EXPECT_EQ(image.entry_physical, kLoadAddress);
    EXPECT_FALSE(image.pvh_entry);
    ASSERT_EQ(image.segments.size(), 1u);
    EXPECT_EQ(image.segments[0].physical_address, kLoadAddress);
    EXPECT_EQ(image.segments[0].virtual_address, kLinkAddress);
    EXPECT_EQ(image.segments[0].file_size, 4u);
    EXPECT_EQ(image.segments[0].memory_size, 0x1004u);
    EXPECT_EQ(image.physical_start, kLoadAddress);
    EXPECT_EQ(image.physical_end, kLoadAddress + 0x1004);
}

TEST(ElfLoader, PhysicalRangeSpansAllSegments) {
    auto file = ElfImage()
                    .load(0x300000, kLinkAddress + 0x200000, { 1 }, 0x10)
                    .load(kLoadAddress, kLinkAddress, { 2 }, 0x10)
                    .build();
    KernelImage image = parse_kernel_elf(file);
    EXPECT_EQ(image.segments.size(), 2u);
    EXPECT_EQ(image.physical_start, kLoadAddress);
    EXPECT_EQ(image.physical_end, 0x300010u);
}

TEST(ElfLoader, EntryPhysicalComesFromTheSegmentHoldingTheEntry) {
    auto file = ElfImage()
                    .load(kLoadAddress, kLinkAddress, { 1 }, 0x10)
                    .load(0x300000, 0x400000, { 2, 3, 4 }, 0x100)
                    .entry(0x400002)
                    .build();
    EXPECT_EQ(parse_kernel_elf(file).entry_physical, 0x300002u);
}

TEST(ElfLoader, PvhNoteWithFourByteDescriptor) {
    auto file = minimal_kernel().pvh_note32(0x100040).build();
    KernelImage image = parse_kernel_elf(file);
    ASSERT_TRUE(image.pvh_entry);
    EXPECT_EQ(*image.pvh_entry, 0x100040u);
}

TEST(ElfLoader, PvhNoteWithEightByteDescriptor) {
    auto file = minimal_kernel().pvh_note64(0x123456789ull).build();
    KernelImage image = parse_kernel_elf(file);
    ASSERT_TRUE(image.pvh_entry);
    EXPECT_EQ(*image.pvh_entry, 0x123456789ull);
}

TEST(ElfLoader, PvhNoteFoundAmongOtherNotes) {
    uint32_t const entry = 0x100080;
    uint8_t const build_id[] = { 0xde, 0xad, 0xbe, 0xef, 0x01 }; // 5 bytes: exercises padding
    auto file = minimal_kernel()
                    .notes({
                        { NT_GNU_BUILD_ID, "GNU", std::vector<uint8_t>(std::begin(build_id), std::end(build_id)) },
                        { aramid::abi::kXenElfNotePhys32Entry, "NotXen", { 1, 2, 3, 4 } }, // right type, wrong owner
                        ElfImage::pvh_note(&entry, sizeof(entry)),
                    })
                    .build();
    KernelImage image = parse_kernel_elf(file);
    ASSERT_TRUE(image.pvh_entry);
    EXPECT_EQ(*image.pvh_entry, entry);
}

TEST(ElfLoader, RejectsPvhNoteOfOddSize) {
    uint8_t const desc[6] = {};
    expect_rejected(minimal_kernel().notes({ ElfImage::pvh_note(desc, sizeof(desc)) }).build(),
                    "PVH entry note has a bad size");
}

TEST(ElfLoader, RejectsTooShort) {
    auto file = minimal_kernel().build();
    expect_rejected({}, "not an ELF file (too short)");
    expect_rejected({ 0x7f, 'E', 'L' }, "not an ELF file (too short)");
    expect_rejected(std::vector<uint8_t>(file.begin(), file.begin() + sizeof(Elf64_Ehdr) - 1),
                    "not an ELF file (too short)");
}

TEST(ElfLoader, RejectsBadMagic) {
    auto file = minimal_kernel().build();
    file[1] = 'X';
    expect_rejected(file, "not an ELF file (bad magic)");
    std::vector<uint8_t> text(100, 'a');
    expect_rejected(text, "not an ELF file (bad magic)");
    // Shorter than an ELF header, but the magic already tells.
    std::string const script = "#!/bin/sh\necho hi\n";
    expect_rejected(std::vector<uint8_t>(script.begin(), script.end()), "not an ELF file (bad magic)");
}

TEST(ElfLoader, RejectsElfClass32) {
    auto file = minimal_kernel().build();
    edit_header(file, [](Elf64_Ehdr& e) { e.e_ident[EI_CLASS] = ELFCLASS32; });
    expect_rejected(file, "not 64-bit");
}

TEST(ElfLoader, RejectsBigEndian) {
    auto file = minimal_kernel().build();
    edit_header(file, [](Elf64_Ehdr& e) { e.e_ident[EI_DATA] = ELFDATA2MSB; });
    expect_rejected(file, "not little-endian");
}

TEST(ElfLoader, RejectsWrongMachine) {
    auto file = minimal_kernel().build();
    edit_header(file, [](Elf64_Ehdr& e) { e.e_machine = EM_AARCH64; });
    expect_rejected(file, "wrong architecture (machine 183, x86-64 expected)");
}

TEST(ElfLoader, RejectsSharedObject) {
    auto file = minimal_kernel().build();
    edit_header(file, [](Elf64_Ehdr& e) { e.e_type = ET_DYN; });
    expect_rejected(file, "not an executable");
}

TEST(ElfLoader, RejectsBadProgramHeaderSize) {
    auto file = minimal_kernel().build();
    edit_header(file, [](Elf64_Ehdr& e) { e.e_phentsize = sizeof(Elf32_Phdr); });
    expect_rejected(file, "bad program header size");
}

TEST(ElfLoader, RejectsNoProgramHeaders) {
    auto file = minimal_kernel().build();
    edit_header(file, [](Elf64_Ehdr& e) { e.e_phnum = 0; });
    expect_rejected(file, "no program headers");
}

TEST(ElfLoader, RejectsProgramHeadersBeyondTheFile) {
    auto file = minimal_kernel().build();
    uint64_t const size = file.size();
    edit_header(file, [&](Elf64_Ehdr& e) { e.e_phoff = size - sizeof(Elf64_Phdr) + 1; });
    expect_rejected(file, "program headers outside the file");
    edit_header(file, [](Elf64_Ehdr& e) { e.e_phoff = ~uint64_t(0) - 8; }); // offset + size overflows
    expect_rejected(file, "program headers outside the file");
    edit_header(file, [](Elf64_Ehdr& e) {
        e.e_phoff = sizeof(Elf64_Ehdr);
        e.e_phnum = 0xffff;
    });
    expect_rejected(file, "program headers outside the file");
}

TEST(ElfLoader, RejectsSegmentContentsBeyondTheFile) {
    auto file = minimal_kernel().build();
    uint64_t const size = file.size();
    edit_segment(file, 0, [&](Elf64_Phdr& p) { p.p_offset = size - 1; });
    expect_rejected(file, "segment 0: contents outside the file");
    edit_segment(file, 0, [](Elf64_Phdr& p) { p.p_offset = ~uint64_t(0); });
    expect_rejected(file, "segment 0: contents outside the file");
}

TEST(ElfLoader, RejectsFileSizeLargerThanMemorySize) {
    auto file = minimal_kernel({ 1, 2, 3, 4 }, 0).build();
    edit_segment(file, 0, [](Elf64_Phdr& p) { p.p_memsz = 2; });
    expect_rejected(file, "segment 0: file size larger than memory size");
}

TEST(ElfLoader, RejectsFileBytesInASegmentWithoutMemory) {
    // p_memsz == 0 but p_filesz > 0: still a malformed segment, not an empty one.
    auto file = minimal_kernel().load(0x200000, kLinkAddress + 0x100000, { 1, 2, 3 }, 3).build();
    edit_segment(file, 1, [](Elf64_Phdr& p) { p.p_memsz = 0; });
    expect_rejected(file, "segment 1: file size larger than memory size");
}

TEST(ElfLoader, IgnoresEmptySegments) {
    auto file = minimal_kernel().load(0x200000, kLinkAddress + 0x100000, {}, 0).build();
    KernelImage image = parse_kernel_elf(file);
    EXPECT_EQ(image.segments.size(), 1u);
}

TEST(ElfLoader, RejectsPhysicalOverflow) {
    auto file = minimal_kernel().build();
    edit_segment(file, 0, [](Elf64_Phdr& p) { p.p_paddr = ~uint64_t(0) - 0x10; });
    expect_rejected(file, "segment 0: physical range overflows");
}

TEST(ElfLoader, RejectsVirtualOverflow) {
    auto file = minimal_kernel().build();
    edit_segment(file, 0, [](Elf64_Phdr& p) { p.p_vaddr = ~uint64_t(0) - 0x10; });
    expect_rejected(file, "segment 0: virtual range overflows");
}

TEST(ElfLoader, RejectsNoLoadableSegment) {
    expect_rejected(ElfImage().pvh_note32(0x100000).build(), "no loadable segment");
    auto file = minimal_kernel().build();
    edit_segment(file, 0, [](Elf64_Phdr& p) { p.p_type = PT_GNU_STACK; });
    expect_rejected(file, "no loadable segment");
}

TEST(ElfLoader, RejectsEntryOutsideEverySegment) {
    expect_rejected(minimal_kernel({ 1 }, 0x0f).entry(kLinkAddress + 0x10).build(),
                    "entry point 0xffffffff80100010 is outside every loadable segment");
    expect_rejected(minimal_kernel().entry(kLinkAddress - 1).build(), "is outside every loadable segment");
    // The physical address of the entry is not enough: e_entry is virtual.
    expect_rejected(minimal_kernel().entry(kLoadAddress).build(), "is outside every loadable segment");
}

TEST(ElfLoader, RejectsMalformedNotes) {
    auto huge_name = minimal_kernel().pvh_note32(0x100000).build();
    size_t const note_at = [&] {
        Elf64_Phdr ph;
        std::memcpy(&ph, huge_name.data() + sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr), sizeof(ph));
        return ph.p_offset;
    }();
    auto edit_note = [&](std::vector<uint8_t>& file, auto edit) {
        Elf64_Nhdr n;
        std::memcpy(&n, file.data() + note_at, sizeof(n));
        edit(n);
        std::memcpy(file.data() + note_at, &n, sizeof(n));
    };
    auto huge_desc = huge_name;
    auto wrapping = huge_name;
    edit_note(huge_name, [](Elf64_Nhdr& n) { n.n_namesz = 0xffffffff; });
    expect_rejected(huge_name, "malformed note");
    edit_note(huge_desc, [](Elf64_Nhdr& n) { n.n_descsz = 0xfffffffd; });
    expect_rejected(huge_desc, "malformed note");
    edit_note(wrapping, [](Elf64_Nhdr& n) { n.n_namesz = 5; }); // runs into the descriptor and past the end
    expect_rejected(wrapping, "malformed note");
}

TEST(ElfLoader, RejectsNoteSegmentBeyondTheFile) {
    auto file = minimal_kernel().pvh_note32(0x100000).build();
    uint64_t const size = file.size();
    edit_segment(file, 1, [&](Elf64_Phdr& p) { p.p_filesz = size; });
    expect_rejected(file, "segment 1: note outside the file");
}

TEST(ElfLoader, TruncatedNoteHeaderEndsTheScan) {
    // A note segment too short for a note header holds no note at all.
    auto file = minimal_kernel().pvh_note32(0x100000).build();
    edit_segment(file, 1, [](Elf64_Phdr& p) { p.p_filesz = sizeof(Elf64_Nhdr) - 1; });
    EXPECT_FALSE(parse_kernel_elf(file).pvh_entry);
}

TEST(ElfLoader, LoadsSegmentsAndZeroesBss) {
    GuestMemory memory(kTestMemory);
    auto const code = std::vector<uint8_t> { 0x11, 0x22, 0x33, 0x44, 0x55 };
    auto file = minimal_kernel(code, 0x800).build();
    // Dirty the .bss range first: the loader must clear it, not rely on fresh memory.
    std::fill_n(memory.host_base() + kLoadAddress, 0x1000, 0xcc);
    KernelImage image = parse_kernel_elf(file);
    load_kernel(image, file, memory, aramid::abi::kLowMemoryEnd);

    uint8_t const* at = memory.host_base() + kLoadAddress;
    EXPECT_TRUE(std::equal(code.begin(), code.end(), at));
    EXPECT_TRUE(std::all_of(at + code.size(), at + code.size() + 0x800, [](uint8_t b) { return b == 0; }));
    EXPECT_EQ(at[code.size() + 0x800], 0xcc) << "zeroed past p_memsz";
    EXPECT_EQ(memory.host_base()[kLoadAddress - 1], 0) << "wrote below the segment";
}

TEST(ElfLoader, LoadsSegmentEndingAtTheEndOfRam) {
    GuestMemory memory(kTestMemory);
    uint64_t const size = 0x100;
    auto file = ElfImage()
                    .load(kTestMemory - size, kLinkAddress + kTestMemory - size - kLoadAddress, { 7 }, size)
                    .entry(kLinkAddress + kTestMemory - size - kLoadAddress)
                    .build();
    EXPECT_EQ(load_error(file, memory, aramid::abi::kLowMemoryEnd), "");
    EXPECT_EQ(memory.host_base()[kTestMemory - size], 7);
}

TEST(ElfLoader, RejectsSegmentOutsideRam) {
    GuestMemory memory(kTestMemory);
    auto beyond = ElfImage().load(0x40000000, kLinkAddress, { 1 }, 0x10).build();
    std::string error = load_error(beyond, memory, aramid::abi::kLowMemoryEnd);
    EXPECT_NE(error.find("segment 0x40000000-0x40000010 is outside guest RAM (2 MiB); raise --mem"), std::string::npos)
        << error;

    auto straddling = ElfImage().load(kTestMemory - 0x10, kLinkAddress, { 1 }, 0x20).build();
    error = load_error(straddling, memory, aramid::abi::kLowMemoryEnd);
    EXPECT_NE(error.find("is outside guest RAM"), std::string::npos) << error;
}

TEST(ElfLoader, RejectsSegmentBelowTheLowMemoryLimit) {
    GuestMemory memory(kTestMemory);
    auto file = ElfImage().load(0xff000, kLinkAddress, { 1 }, 0x2000).build();
    std::string error = load_error(file, memory, aramid::abi::kLowMemoryEnd);
    EXPECT_NE(error.find("segment at 0xff000 is below 0x100000"), std::string::npos) << error;
    EXPECT_EQ(memory.host_base()[0xff000], 0) << "loaded part of a rejected segment";
}
