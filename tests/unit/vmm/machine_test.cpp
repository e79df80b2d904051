// Machine::load_guest: everything the VMM puts in guest RAM before the vCPU
// starts -- kernel, initrd, boot info, page tables -- checked without KVM.
#include "elf_image.h"

#include <vmm/boot/layout.h>
#include <vmm/kvm/guest_memory.h>
#include <vmm/machine.h>
#include <vmm/util/error.h>

#include <proto/vm_abi.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <span>
#include <string>
#include <vector>

using namespace vmm;
using namespace vmm_test;
using namespace aramid::abi;

namespace {

constexpr uint64_t kTestMemory = 4ull << 20;

std::string load_error(std::vector<uint8_t> const& kernel, std::vector<uint8_t> const& initrd,
                       uint64_t memory_size = kTestMemory) {
    GuestMemory memory(memory_size);
    MachineConfig config;
    config.kernel_elf = kernel;
    config.initrd = initrd;
    config.memory_bytes = memory_size;
    try {
        Machine::load_guest(config, memory);
    } catch (VmmError const& e) {
        return e.what();
    }
    return "";
}

} // namespace

TEST(LoadGuest, KernelInitrdAndBootInfo) {
    GuestMemory memory(kTestMemory);
    auto const kernel = minimal_kernel({ 0xf4, 0x90 }, 0x1234).build();
    std::vector<uint8_t> const initrd(0x2345, 0xab);
    MachineConfig config;
    config.kernel_elf = kernel;
    config.initrd = initrd;
    config.cmdline = "quiet init=/bin/sh";
    config.memory_bytes = kTestMemory;
    Machine::BootState const boot = Machine::load_guest(config, memory);

    EXPECT_EQ(boot.entry, kLinkAddress);
    EXPECT_EQ(boot.cr3, layout::kPml4);
    EXPECT_EQ(boot.boot_info_gpa, layout::kStartInfo);
    EXPECT_EQ(memory.host_base()[kLoadAddress], 0xf4);

    auto info = memory.read<HvmStartInfo>(boot.boot_info_gpa);
    ASSERT_TRUE(info);
    EXPECT_EQ(info->magic, kHvmStartMagic);
    EXPECT_EQ(std::string(reinterpret_cast<char const*>(memory.host_base() + info->cmdline_paddr)), config.cmdline);
    ASSERT_EQ(info->nr_modules, 1u);
    auto module = memory.read<HvmModlistEntry>(info->modlist_paddr);
    ASSERT_TRUE(module);
    EXPECT_EQ(module->paddr, kTestMemory - 0x3000);
    EXPECT_EQ(module->size, initrd.size());
    uint8_t const* at = memory.host_base() + module->paddr;
    EXPECT_TRUE(std::all_of(at, at + initrd.size(), [](uint8_t b) { return b == 0xab; }));

    auto gdt_code = memory.read<uint64_t>(layout::kGdt + 0x10);
    ASSERT_TRUE(gdt_code);
    EXPECT_NE(*gdt_code, 0u);
}

TEST(LoadGuest, NoInitrdMeansNoModule) {
    GuestMemory memory(kTestMemory);
    auto const kernel = minimal_kernel().build();
    MachineConfig config;
    config.kernel_elf = kernel;
    auto boot = Machine::load_guest(config, memory);
    EXPECT_EQ(memory.read<HvmStartInfo>(boot.boot_info_gpa)->nr_modules, 0u);
}

TEST(LoadGuest, AcceptsIdentityLinkedKernel) {
    EXPECT_EQ(load_error(ElfImage().load(kLoadAddress, kLoadAddress, { 0xf4 }, 1).entry(kLoadAddress).build(), {}),
              "");
}

TEST(LoadGuest, RejectsEntryTheBootTablesDoNotMapToItsCode) {
    // Linked at 4 MiB, loaded at 1 MiB: the boot tables map 0x400000 to 0x400000.
    auto skewed = ElfImage().load(kLoadAddress, 0x400000, { 0xf4 }, 1).entry(0x400000).build();
    EXPECT_EQ(load_error(skewed, {}),
              "kernel ELF: entry point 0x400000 (loaded at 0x100000) is not mapped there by the boot page tables "
              "(the first GiB at 0 and at 0xffffffff80000000)");
    // Outside both windows of the boot map.
    auto unmapped = ElfImage().load(kLoadAddress, 0x7f0000000000, { 0xf4 }, 1).entry(0x7f0000000000).build();
    EXPECT_NE(load_error(unmapped, {}).find("is not mapped there by the boot page tables"), std::string::npos);
}

TEST(LoadGuest, RejectsEntryAboveTheBootMap) {
    uint64_t const physical = layout::kBootMapSize + 0x100000;
    uint64_t const linked = kKernelVirtualBase + physical;
    auto high = ElfImage().load(physical, linked, { 0xf4 }, 1).entry(linked).build();
    std::string const error = load_error(high, {}, layout::kBootMapSize + (4 << 20));
    EXPECT_NE(error.find("is not mapped there by the boot page tables"), std::string::npos) << error;
}

TEST(LoadGuest, InitrdGoesAboveTheKernel) {
    GuestMemory memory(kTestMemory);
    // The kernel ends at 0x100000 + 0x2fff1: the initrd may start at 0x130000, no lower.
    auto const kernel = minimal_kernel({ 0xf4 }, 0x2fff0).build();
    std::vector<uint8_t> const initrd(kTestMemory - 0x130000, 1);
    MachineConfig config;
    config.kernel_elf = kernel;
    config.initrd = initrd;
    config.memory_bytes = kTestMemory;
    auto boot = Machine::load_guest(config, memory);
    EXPECT_EQ(memory.read<HvmModlistEntry>(layout::kModlist)->paddr, 0x130000u);
    EXPECT_EQ(boot.entry, kLinkAddress);

    std::vector<uint8_t> const one_more(initrd.size() + 1, 1);
    EXPECT_EQ(load_error(kernel, one_more),
              "initrd (2949121 bytes) does not fit in guest RAM (4 MiB) above the kernel; raise --mem");
}

TEST(LoadGuest, PassesOnLoaderErrors) {
    EXPECT_EQ(load_error({ 1, 2, 3, 4 }, {}), "kernel: not an ELF file (bad magic)");
    auto beyond = ElfImage().load(kTestMemory, kLinkAddress, { 0xf4 }, 1).build();
    EXPECT_NE(load_error(beyond, {}).find("is outside guest RAM (4 MiB); raise --mem"), std::string::npos);
}

// ---- GuestMemory::map_from_executable: the embedded initramfs's pages are
// mapped, not copied. This test binary's own page-aligned .rodata stands in.

namespace {
// Non-zero, so in .rodata (file pages), not .bss.
struct ExecutablePages {
    alignas(4096) uint8_t bytes[8192];
};
constexpr ExecutablePages make_pages() {
    ExecutablePages p {};
    for (unsigned i = 0; i < sizeof(p.bytes); i++) p.bytes[i] = uint8_t(i * 7 + 1);
    return p;
}
constexpr ExecutablePages kExecutable = make_pages();
uint8_t const* const kExecutablePages = kExecutable.bytes;
constexpr size_t kExecutablePagesSize = sizeof(kExecutable.bytes);
}

TEST(GuestMemoryMapFromExecutable, MapsThePagesCopyOnWrite) {
    vmm::GuestMemory memory(16 << 20);
    std::span<uint8_t const> const pages(kExecutablePages, kExecutablePagesSize);
    ASSERT_TRUE(memory.map_from_executable(0x200000, pages));
    EXPECT_EQ(std::memcmp(memory.host_base() + 0x200000, kExecutablePages, kExecutablePagesSize), 0);
    // The guest's writes stay in the guest.
    ASSERT_TRUE(memory.write<uint8_t>(0x200000, 0x99));
    EXPECT_EQ(memory.read<uint8_t>(0x200000), 0x99);
    EXPECT_EQ(kExecutablePages[0], 1);
    // The RAM around it is untouched.
    EXPECT_EQ(memory.read<uint8_t>(0x1fffff), 0);
    EXPECT_EQ(memory.read<uint8_t>(0x202000), 0);
}

TEST(GuestMemoryMapFromExecutable, RefusesWhatIsNotAPageAlignedRangeOfTheExecutable) {
    vmm::GuestMemory memory(16 << 20);
    std::span<uint8_t const> const pages(kExecutablePages, kExecutablePagesSize);
    EXPECT_FALSE(memory.map_from_executable(0x200100, pages));             // unaligned GPA
    EXPECT_FALSE(memory.map_from_executable(0x200000, pages.subspan(16))); // unaligned source
    EXPECT_FALSE(memory.map_from_executable((16 << 20) - 4096, pages));    // past the end of RAM
    EXPECT_FALSE(memory.map_from_executable(0x200000, {}));
    std::vector<uint8_t> heap(8192 + 4096, 7);
    auto const* aligned = reinterpret_cast<uint8_t const*>((uintptr_t(heap.data()) + 4095) & ~uintptr_t(4095));
    EXPECT_FALSE(memory.map_from_executable(0x200000, std::span<uint8_t const>(aligned, 4096))); // anonymous memory
    EXPECT_EQ(memory.read<uint8_t>(0x200000), 0);
}
