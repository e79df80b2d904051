// The boot information aramid-vmm writes for the kernel (an hvm_start_info,
// version 1) and where the initrd goes.
#include <vmm/boot/boot_info.h>
#include <vmm/boot/layout.h>
#include <vmm/kvm/guest_memory.h>
#include <vmm/util/error.h>

#include <proto/vm_abi.h>

#include <gtest/gtest.h>

#include <cstring>
#include <string>

using namespace vmm;
using namespace aramid::abi;

namespace {

constexpr uint64_t kTestMemory = 2ull << 20;

std::string error_of(auto&& function) {
    try {
        function();
    } catch (VmmError const& e) {
        return e.what();
    }
    return "";
}

} // namespace

TEST(BootInfo, WritesStartInfoWithoutInitrd) {
    GuestMemory memory(kTestMemory);
    BootInfoSpec spec;
    spec.cmdline = "aramid.fastcon=1 quiet";
    uint64_t const gpa = write_boot_info(memory, spec);
    EXPECT_EQ(gpa, layout::kStartInfo);
    EXPECT_LT(gpa, kLowMemoryEnd);

    auto info = memory.read<HvmStartInfo>(gpa);
    ASSERT_TRUE(info);
    EXPECT_EQ(info->magic, kHvmStartMagic);
    EXPECT_EQ(info->version, 1u);
    EXPECT_EQ(info->nr_modules, 0u);
    EXPECT_EQ(info->modlist_paddr, 0u);
    EXPECT_EQ(info->rsdp_paddr, 0u);

    char const* cmdline = reinterpret_cast<char const*>(memory.host_base() + info->cmdline_paddr);
    EXPECT_EQ(std::string(cmdline), spec.cmdline); // NUL-terminated
    EXPECT_LT(info->cmdline_paddr + kMaxCmdline, kLowMemoryEnd + 1);

    ASSERT_EQ(info->memmap_entries, 2u);
    auto low = memory.read<HvmMemmapEntry>(info->memmap_paddr);
    auto ram = memory.read<HvmMemmapEntry>(info->memmap_paddr + sizeof(HvmMemmapEntry));
    ASSERT_TRUE(low && ram);
    EXPECT_EQ(low->addr, 0u);
    EXPECT_EQ(low->size, kLowMemoryEnd);
    EXPECT_EQ(low->type, kMemmapReserved);
    EXPECT_EQ(ram->addr, kLowMemoryEnd);
    EXPECT_EQ(ram->size, kTestMemory - kLowMemoryEnd);
    EXPECT_EQ(ram->type, kMemmapRam);
}

TEST(BootInfo, WritesInitrdAsFirstModule) {
    GuestMemory memory(kTestMemory);
    BootInfoSpec spec;
    spec.initrd_gpa = 0x1ff000;
    spec.initrd_size = 0x800;
    write_boot_info(memory, spec);
    auto info = memory.read<HvmStartInfo>(layout::kStartInfo);
    ASSERT_TRUE(info);
    ASSERT_EQ(info->nr_modules, 1u);
    auto module = memory.read<HvmModlistEntry>(info->modlist_paddr);
    ASSERT_TRUE(module);
    EXPECT_EQ(module->paddr, 0x1ff000u);
    EXPECT_EQ(module->size, 0x800u);
    EXPECT_EQ(module->cmdline_paddr, 0u);
}

TEST(BootInfo, EmptyAndLongestCommandLines) {
    GuestMemory memory(kTestMemory);
    std::memset(memory.host_base() + layout::kCmdline, 'x', kMaxCmdline);
    write_boot_info(memory, {});
    EXPECT_EQ(memory.host_base()[layout::kCmdline], 0);

    BootInfoSpec longest;
    longest.cmdline = std::string(kMaxCmdline - 1, 'a');
    write_boot_info(memory, longest);
    EXPECT_EQ(memory.host_base()[layout::kCmdline + kMaxCmdline - 2], 'a');
    EXPECT_EQ(memory.host_base()[layout::kCmdline + kMaxCmdline - 1], 0);
}

TEST(BootInfo, RejectsCommandLineTooLong) {
    GuestMemory memory(kTestMemory);
    BootInfoSpec spec;
    spec.cmdline = std::string(kMaxCmdline, 'a');
    EXPECT_EQ(error_of([&] { write_boot_info(memory, spec); }), "command line too long (4096 bytes, at most 4095)");
}

TEST(BootInfo, RejectsInitrdOutsideRam) {
    GuestMemory memory(kTestMemory);
    BootInfoSpec spec;
    spec.initrd_size = 0x2000;
    for (uint64_t gpa : { kTestMemory - 0x1000, kTestMemory, uint64_t(1) << 40, ~uint64_t(0) - 0xfff }) {
        spec.initrd_gpa = gpa;
        EXPECT_EQ(error_of([&] { write_boot_info(memory, spec); }), "initrd outside guest RAM") << std::hex << gpa;
    }
    spec.initrd_gpa = 0x1000; // among the boot structures
    EXPECT_EQ(error_of([&] { write_boot_info(memory, spec); }), "initrd outside guest RAM");
}

TEST(BootInfo, RejectsMemoryWithoutRamAboveLowMemory) {
    GuestMemory memory(kLowMemoryEnd);
    EXPECT_EQ(error_of([&] { write_boot_info(memory, {}); }), "guest memory too small");
}

TEST(PlaceInitrd, TopOfRamPageAligned) {
    EXPECT_EQ(place_initrd(16ull << 20, 0x1000, 0x200000), (16ull << 20) - 0x1000);
    EXPECT_EQ(place_initrd(16ull << 20, 0x1001, 0x200000), (16ull << 20) - 0x2000);
    EXPECT_EQ(place_initrd(16ull << 20, 1, 0x200000), (16ull << 20) - 0x1000);
    uint64_t const gpa = place_initrd(16ull << 20, 123457, 0x200000);
    EXPECT_EQ(gpa % 4096, 0u);
    EXPECT_LE(gpa + 123457, 16ull << 20);
    EXPECT_GT(gpa + 123457 + 4096, 16ull << 20);
}

TEST(PlaceInitrd, FillsRamExactlyAboveTheKernel) {
    EXPECT_EQ(place_initrd(16ull << 20, (16ull << 20) - 0x200000, 0x200000), 0x200000u);
}

TEST(PlaceInitrd, RejectsTooBigForRam) {
    EXPECT_EQ(error_of([] { place_initrd(16ull << 20, 17ull << 20, 0x200000); }),
              "initrd (17825792 bytes) does not fit in guest RAM (16 MiB) above the kernel; raise --mem");
    EXPECT_NE(error_of([] { place_initrd(16ull << 20, ~uint64_t(0), 0x200000); }), "");
}

TEST(PlaceInitrd, RejectsOverlappingTheKernel) {
    // Fits in RAM, but only by reaching down into the kernel image.
    EXPECT_NE(error_of([] { place_initrd(16ull << 20, (16ull << 20) - 0x200000 + 1, 0x200000); }), "");
    // The page alignment would move it into the kernel.
    EXPECT_NE(error_of([] { place_initrd(16ull << 20, (16ull << 20) - 0x200800, 0x200800); }), "");
}
