// What the loader told the kernel: command line, RAM ranges and the
// initramfs. Filled once at boot from the PVH hvm_start_info (both boot
// paths use that format) and read-only afterwards.
#pragma once

#include <lib/string_view.h>
#include <lib/types.h>

struct PhysicalRange {
    u64 base { 0 };
    u64 size { 0 };
    u64 end() const { return base + size; }
};

struct BootInfo {
    static constexpr usize kMaxRamRanges = 32;
    StringView command_line;
    PhysicalRange ram[kMaxRamRanges];
    usize ram_count { 0 };
    PhysicalRange initrd; // size 0: none
};

// Parses and copies the PVH start info at `gpa` (identity-mapped at boot).
// Panics with a clear message if it is malformed: nothing can boot then.
BootInfo const& parse_boot_info(u64 gpa);

[[noreturn]] void kernel_main(BootInfo const& boot_info);
