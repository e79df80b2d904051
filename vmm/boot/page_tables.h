// The boot page tables aramid-vmm builds for the 64-bit entry.
//
// They map the first GiB twice with 2 MiB pages: identity (low memory, boot
// info) and at abi::kKernelVirtualBase (the kernel image, linked in the top
// 2 GiB). Every entry has U=1, because under PVM the kernel runs in hardware
// ring 3 and a U=0 page refaults forever (docs/pvm.md 2.1); on VMX hosts U=1
// is harmless with SMEP and SMAP off. Returns the CR3 value.
#pragma once

#include <cstdint>
#include <optional>

namespace vmm {

class GuestMemory;

uint64_t write_boot_page_tables(GuestMemory& memory);
void write_boot_gdt(GuestMemory& memory);
// The physical address those tables map `virtual_address` to, or nullopt
// where they map nothing.
std::optional<uint64_t> boot_map_physical(uint64_t virtual_address);

inline constexpr uint64_t kPtePresent = 1ull << 0;
inline constexpr uint64_t kPteWritable = 1ull << 1;
inline constexpr uint64_t kPteUser = 1ull << 2;
inline constexpr uint64_t kPteHuge = 1ull << 7;

} // namespace vmm
