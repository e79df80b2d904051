#include <kernel/boot_info.h>
#include <kernel/debug/panic.h>
#include <proto/vm_abi.h>

using namespace aramid::abi;

namespace {

BootInfo g_boot_info;
char g_command_line[kMaxCmdline];

// The boot page tables identity-map the first GiB; the boot structures
// must lie inside it.
constexpr u64 kIdentityMapped = 1ull << 30;

template<typename T>
T const* identity(u64 gpa, u64 count = 1) {
    if (gpa >= kIdentityMapped || count * sizeof(T) > kIdentityMapped - gpa)
        panic("boot info: structure at %#lx is outside the identity-mapped first GiB", gpa);
    return reinterpret_cast<T const*>(gpa);
}

} // namespace

BootInfo const& parse_boot_info(u64 gpa) {
    auto const* start = identity<HvmStartInfo>(gpa);
    if (start->magic != kHvmStartMagic) panic("boot info: bad hvm_start_info magic %#x", start->magic);
    if (start->version < 1) panic("boot info: hvm_start_info version %u has no memory map", start->version);

    if (start->cmdline_paddr) {
        char const* text = identity<char>(start->cmdline_paddr, sizeof(g_command_line));
        usize n = 0;
        while (n + 1 < sizeof(g_command_line) && text[n]) {
            g_command_line[n] = text[n];
            n++;
        }
        g_command_line[n] = 0;
        g_boot_info.command_line = StringView(g_command_line, n);
    }

    auto const* memmap = identity<HvmMemmapEntry>(start->memmap_paddr, start->memmap_entries);
    for (u32 i = 0; i < start->memmap_entries; i++) {
        if (memmap[i].type != kMemmapRam || memmap[i].size == 0) continue;
        if (g_boot_info.ram_count == BootInfo::kMaxRamRanges) break;
        g_boot_info.ram[g_boot_info.ram_count++] = { memmap[i].addr, memmap[i].size };
    }
    if (g_boot_info.ram_count == 0) panic("boot info: the memory map has no RAM");

    if (start->nr_modules > 0) {
        auto const* module = identity<HvmModlistEntry>(start->modlist_paddr);
        g_boot_info.initrd = { module->paddr, module->size };
    }
    return g_boot_info;
}
