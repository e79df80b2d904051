#include <vmm/boot/layout.h>
#include <vmm/boot/page_tables.h>
#include <vmm/kvm/guest_memory.h>
#include <vmm/util/error.h>

#include <proto/vm_abi.h>

namespace vmm {

uint64_t write_boot_page_tables(GuestMemory& memory) {
    static_assert((layout::kPml4 & 0x1000) == 0, "PVM: CR3 bit 12 must be clear");
    if (!memory.contains(layout::kPml4, 0x4000)) throw VmmError("guest memory too small for page tables");
    uint64_t const table = kPtePresent | kPteWritable | kPteUser;
    auto entry = [&](uint64_t table_gpa, unsigned index, uint64_t value) {
        memory.write(table_gpa + index * 8, value);
    };
    for (uint64_t gpa = layout::kPml4; gpa < layout::kPd + 0x1000; gpa += 8) memory.write<uint64_t>(gpa, 0);
    unsigned const high_pml4 = (aramid::abi::kKernelVirtualBase >> 39) & 511;
    unsigned const high_pdpt = (aramid::abi::kKernelVirtualBase >> 30) & 511;
    entry(layout::kPml4, 0, layout::kPdptLow | table);
    entry(layout::kPml4, high_pml4, layout::kPdptHigh | table);
    entry(layout::kPdptLow, 0, layout::kPd | table);
    entry(layout::kPdptHigh, high_pdpt, layout::kPd | table);
    for (unsigned i = 0; i < 512; i++) entry(layout::kPd, i, (uint64_t(i) << 21) | table | kPteHuge);
    return layout::kPml4;
}

std::optional<uint64_t> boot_map_physical(uint64_t virtual_address) {
    uint64_t const kernel_base = aramid::abi::kKernelVirtualBase;
    if (virtual_address < layout::kBootMapSize) return virtual_address;
    if (virtual_address >= kernel_base && virtual_address - kernel_base < layout::kBootMapSize)
        return virtual_address - kernel_base;
    return std::nullopt;
}

void write_boot_gdt(GuestMemory& memory) {
    // Linux layout: 0x10 kernel CS (64-bit), 0x18 kernel DS, 0x23 user32 CS,
    // 0x2b user DS, 0x33 user CS.
    uint64_t const gdt[] = {
        0, 0, 0x00af9b000000ffffull, 0x00cf93000000ffffull,
        0x00cffb000000ffffull, 0x00cff3000000ffffull, 0x00affb000000ffffull, 0,
    };
    if (!memory.write_bytes(layout::kGdt, gdt, sizeof(gdt))) throw VmmError("guest memory too small for the GDT");
}

} // namespace vmm
