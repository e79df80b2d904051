// The kernel ELF: parsed and validated from untrusted bytes, then loaded at
// its physical addresses (p_paddr), as the boot contract says.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace vmm {

class GuestMemory;

struct LoadSegment {
    uint64_t file_offset;
    uint64_t file_size;
    uint64_t memory_size;
    uint64_t physical_address;
    uint64_t virtual_address;
};

struct KernelImage {
    uint64_t entry;                    // e_entry: 64-bit virtual entry
    uint64_t entry_physical;           // where the segment holding e_entry puts its bytes
    std::optional<uint64_t> pvh_entry; // XEN_ELFNOTE_PHYS32_ENTRY, if present
    std::vector<LoadSegment> segments;
    uint64_t physical_start; // lowest p_paddr of a PT_LOAD
    uint64_t physical_end;   // highest p_paddr + p_memsz
};

// Parses an x86-64 ELF executable. Throws VmmError naming the problem for
// anything malformed: bad magic or class, wrong machine, headers or segments
// outside the file, overflowing sizes, no loadable segment, an entry point
// outside every segment.
KernelImage parse_kernel_elf(std::span<uint8_t const> file);

// Copies the segments into guest memory and zeroes their .bss tails. Throws
// VmmError if a segment does not fit in RAM or starts below `lowest_gpa`
// (where the VMM keeps its boot structures).
void load_kernel(KernelImage const& image, std::span<uint8_t const> file, GuestMemory& memory,
                 uint64_t lowest_gpa);

} // namespace vmm
