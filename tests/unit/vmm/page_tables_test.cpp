// The boot page tables and GDT, checked the way the CPU reads them: the test
// walks the four levels itself instead of trusting the layout constants.
#include <vmm/boot/layout.h>
#include <vmm/boot/page_tables.h>
#include <vmm/kvm/guest_memory.h>
#include <vmm/util/error.h>

#include <proto/vm_abi.h>

#include <gtest/gtest.h>

#include <cstring>
#include <initializer_list>
#include <optional>

using namespace vmm;
using aramid::abi::kKernelVirtualBase;

namespace {

constexpr uint64_t kTestMemory = 2ull << 20;
constexpr uint64_t kAddressMask = 0x000ffffffffff000ull;

struct Translation {
    uint64_t physical;
    bool user;     // U=1 at every level
    bool writable; // W=1 at every level
};

// A 4-level walk from `cr3`, honouring 1 GiB and 2 MiB pages.
std::optional<Translation> walk(GuestMemory const& memory, uint64_t cr3, uint64_t virtual_address) {
    uint64_t table = cr3 & kAddressMask;
    Translation t { 0, true, true };
    for (int level = 3; level >= 0; level--) {
        unsigned const index = (virtual_address >> (12 + 9 * level)) & 511;
        auto entry = memory.read<uint64_t>(table + index * 8);
        if (!entry || !(*entry & kPtePresent)) return std::nullopt;
        t.user &= (*entry & kPteUser) != 0;
        t.writable &= (*entry & kPteWritable) != 0;
        bool const leaf = level == 0 || ((level == 1 || level == 2) && (*entry & kPteHuge));
        if (leaf) {
            uint64_t const page_size = uint64_t(1) << (12 + 9 * level);
            t.physical = (*entry & kAddressMask & ~(page_size - 1)) | (virtual_address & (page_size - 1));
            return t;
        }
        table = *entry & kAddressMask;
    }
    return std::nullopt;
}

struct Descriptor {
    uint64_t raw;
    bool present() const { return raw >> 47 & 1; }
    unsigned dpl() const { return raw >> 45 & 3; }
    bool code_or_data() const { return raw >> 44 & 1; } // S
    unsigned type() const { return raw >> 40 & 15; }
    bool long_mode() const { return raw >> 53 & 1; } // L
    bool default_32() const { return raw >> 54 & 1; } // D/B
    bool granular() const { return raw >> 55 & 1; }   // G
    bool code() const { return type() & 8; }
};

} // namespace

TEST(PageTables, Cr3HasBit12Clear) {
    GuestMemory memory(kTestMemory);
    uint64_t const cr3 = write_boot_page_tables(memory);
    EXPECT_EQ(cr3 & 0x1000, 0u) << "PVM reads CR3 bit 12 as the user half of a KPTI pair";
    EXPECT_EQ(cr3 & 0xfff, 0u);
    EXPECT_LT(cr3, aramid::abi::kLowMemoryEnd);
}

TEST(PageTables, EveryPresentEntryHasUserBit) {
    GuestMemory memory(kTestMemory);
    uint64_t const cr3 = write_boot_page_tables(memory);
    // Walk every table reachable from CR3, not just the ones the layout names.
    unsigned present = 0;
    auto visit = [&](auto&& self, uint64_t table, int level) -> void {
        for (unsigned i = 0; i < 512; i++) {
            auto entry = memory.read<uint64_t>(table + i * 8);
            ASSERT_TRUE(entry) << "table at " << std::hex << table << " is outside RAM";
            if (!(*entry & kPtePresent)) continue;
            present++;
            EXPECT_TRUE(*entry & kPteUser) << "level " << level << " table " << std::hex << table << " index " << i;
            bool const leaf = level == 0 || (level < 3 && (*entry & kPteHuge));
            if (!leaf) self(self, *entry & kAddressMask, level - 1);
        }
    };
    visit(visit, cr3 & kAddressMask, 3);
    // Two PML4 slots, each leading to a PDPT slot and then to the shared PD.
    EXPECT_EQ(present, 2u + 2u * (1u + 512u));
}

TEST(PageTables, IdentityAndKernelAliasMapTheSameMemory) {
    GuestMemory memory(kTestMemory);
    uint64_t const cr3 = write_boot_page_tables(memory);
    for (uint64_t physical : std::initializer_list<uint64_t> { 0, 0x1000, 0x100000, 0x1fffff, 0x200000, 0x12345678,
                                                               layout::kBootMapSize - 1 }) {
        auto low = walk(memory, cr3, physical);
        auto high = walk(memory, cr3, kKernelVirtualBase + physical);
        ASSERT_TRUE(low) << std::hex << physical;
        ASSERT_TRUE(high) << std::hex << physical;
        EXPECT_EQ(low->physical, physical);
        EXPECT_EQ(high->physical, physical);
        EXPECT_TRUE(low->user && high->user);
        EXPECT_TRUE(low->writable && high->writable);
    }
}

TEST(PageTables, MapsOnlyTheFirstGibTwice) {
    GuestMemory memory(kTestMemory);
    uint64_t const cr3 = write_boot_page_tables(memory);
    EXPECT_FALSE(walk(memory, cr3, layout::kBootMapSize));
    EXPECT_FALSE(walk(memory, cr3, kKernelVirtualBase + layout::kBootMapSize));
    EXPECT_FALSE(walk(memory, cr3, kKernelVirtualBase - 1));
    EXPECT_FALSE(walk(memory, cr3, 0xffff800000000000ull)); // PML4 slot 256: the direct map's, not ours
}

TEST(PageTables, BootMapPhysicalAgreesWithTheWalk) {
    GuestMemory memory(kTestMemory);
    uint64_t const cr3 = write_boot_page_tables(memory);
    for (uint64_t virtual_address : std::initializer_list<uint64_t> {
             0, 0xfff, 0x100000, layout::kBootMapSize - 1, layout::kBootMapSize, 0x7fffffffffffull,
             0xffff800000000000ull, kKernelVirtualBase - 1, kKernelVirtualBase, kKernelVirtualBase + 0x100082,
             kKernelVirtualBase + layout::kBootMapSize - 1, kKernelVirtualBase + layout::kBootMapSize,
             ~uint64_t(0) }) {
        auto walked = walk(memory, cr3, virtual_address);
        auto computed = boot_map_physical(virtual_address);
        ASSERT_EQ(walked.has_value(), computed.has_value()) << std::hex << virtual_address;
        if (walked) {
            EXPECT_EQ(walked->physical, *computed) << std::hex << virtual_address;
        }
    }
}

TEST(PageTables, ClearsStaleEntries) {
    GuestMemory memory(kTestMemory);
    std::memset(memory.host_base() + layout::kPml4, 0xff, 0x4000);
    uint64_t const cr3 = write_boot_page_tables(memory);
    EXPECT_FALSE(walk(memory, cr3, 0x0000008000000000ull)); // PML4 slot 1
    EXPECT_FALSE(walk(memory, cr3, 0x40000000)); // PDPT slot 1
}

TEST(PageTables, GdtHasTheLinuxLayout) {
    GuestMemory memory(kTestMemory);
    write_boot_gdt(memory);
    auto at = [&](unsigned selector) { return Descriptor { *memory.read<uint64_t>(layout::kGdt + (selector & ~7u)) }; };

    EXPECT_EQ(at(0x00).raw, 0u);
    EXPECT_EQ(at(0x08).raw, 0u);

    Descriptor const kernel_code = at(0x10);
    EXPECT_TRUE(kernel_code.present() && kernel_code.code_or_data() && kernel_code.code());
    EXPECT_EQ(kernel_code.dpl(), 0u);
    EXPECT_TRUE(kernel_code.long_mode());
    EXPECT_FALSE(kernel_code.default_32()) << "L=1 requires D=0";

    Descriptor const kernel_data = at(0x18);
    EXPECT_TRUE(kernel_data.present() && kernel_data.code_or_data() && !kernel_data.code());
    EXPECT_TRUE(kernel_data.type() & 2) << "writable";
    EXPECT_EQ(kernel_data.dpl(), 0u);

    Descriptor const user32_code = at(0x23);
    EXPECT_TRUE(user32_code.present() && user32_code.code());
    EXPECT_EQ(user32_code.dpl(), 3u);
    EXPECT_FALSE(user32_code.long_mode());
    EXPECT_TRUE(user32_code.default_32());

    Descriptor const user_data = at(0x2b);
    EXPECT_TRUE(user_data.present() && !user_data.code() && (user_data.type() & 2));
    EXPECT_EQ(user_data.dpl(), 3u);

    Descriptor const user_code = at(0x33);
    EXPECT_TRUE(user_code.present() && user_code.code());
    EXPECT_EQ(user_code.dpl(), 3u);
    EXPECT_TRUE(user_code.long_mode());

    for (unsigned selector : { 0x10u, 0x18u, 0x23u, 0x2bu, 0x33u }) {
        Descriptor const d = at(selector);
        EXPECT_TRUE(d.granular()) << selector;
        EXPECT_EQ(d.raw & 0xffff, 0xffffu) << "limit " << selector;
        EXPECT_EQ((d.raw >> 16) & 0xffffff, 0u) << "base " << selector;
    }
    EXPECT_EQ(at(0x38).raw, 0u);
}

TEST(PageTables, RejectMemoryTooSmall) {
    GuestMemory memory(layout::kPml4 + 0x1000);
    EXPECT_THROW(write_boot_page_tables(memory), vmm::VmmError);
    GuestMemory tiny(0x1000);
    EXPECT_THROW(write_boot_gdt(tiny), vmm::VmmError);
}
