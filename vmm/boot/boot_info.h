// Builds the boot information the kernel receives: an hvm_start_info (PVH,
// version 1) with the memory map, the command line and the initramfs as
// modlist[0] -- the same structure QEMU builds for the PVH entry.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace vmm {

class GuestMemory;

struct BootInfoSpec {
    std::string cmdline;
    uint64_t initrd_gpa = 0; // page aligned; ignored when initrd_size == 0
    uint64_t initrd_size = 0;
};

// Writes the structures at layout::kStartInfo and friends and returns the
// GPA of the HvmStartInfo. Throws VmmError for a command line longer than
// abi::kMaxCmdline - 1 or an initrd outside RAM or below 1 MiB.
uint64_t write_boot_info(GuestMemory& memory, BootInfoSpec const& spec);

// Where an initrd of `size` bytes goes: the top of RAM, page aligned, as
// Linux loaders do. Throws VmmError if it would overlap [0, lowest_free).
uint64_t place_initrd(uint64_t memory_size, uint64_t size, uint64_t lowest_free);

} // namespace vmm
