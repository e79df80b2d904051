// The kernel's virtual address layout (4-level paging, 48-bit).
//
//   0 .. 0x00007fffffffefff      user space (the last user page is kept free,
//                                as on Linux: TASK_SIZE_MAX)
//   0xffff888000000000           direct map of all RAM, 2 MiB pages (PML4 slot 273)
//   0xffffc90000000000           kernel stacks: 16 KiB each above an unmapped
//                                4 KiB guard page (slot 402)
//   0xffffc98000000000           MMIO mappings, uncached (slot 403)
//   0xffffffff80000000           the kernel image (slot 511), at its physical
//                                address + KERNEL_VMA
// PML4 slot 256 is never used: this PVM host keeps it for itself.
#pragma once

#include <kernel/arch/x86_64/asm_defs.h>
#include <lib/types.h>

namespace mm {

inline constexpr u64 kPageSize = 4096;
inline constexpr u64 kLargePageSize = 2 * 1024 * 1024;
inline constexpr u64 kUserEnd = 0x00007ffffffff000;
// Regions (mmap, brk, stacks) end here; above are the vDSO's pages and the
// PVM return trampoline, kernel pages no region may replace (mm/vdso.h).
inline constexpr u64 kUserMapEnd = 0x00007ffffffef000;
inline constexpr u64 kLowerHalfEnd = 0x0000800000000000; // PML4 slots 0-255: shared by a root pair
inline constexpr u64 kDirectMapBase = 0xffff888000000000;
inline constexpr u64 kDirectMapSize = 1ull << 39; // one PML4 slot: 512 GiB
inline constexpr u64 kKernelStackBase = 0xffffc90000000000;
inline constexpr u64 kKernelStackAreaSize = 1ull << 39;
inline constexpr u64 kMmioBase = 0xffffc98000000000;
inline constexpr u64 kMmioAreaSize = 1ull << 39;
inline constexpr u64 kKernelImageBase = KERNEL_VMA;

inline u64 phys_to_virt(u64 paddr) { return paddr + kDirectMapBase; }
template<typename T = void>
inline T* phys_to_ptr(u64 paddr) { return reinterpret_cast<T*>(paddr + kDirectMapBase); }
// For direct-map and kernel-image addresses only.
inline u64 virt_to_phys(void const* p) {
    u64 v = reinterpret_cast<u64>(p);
    return v >= kKernelImageBase ? v - kKernelImageBase : v - kDirectMapBase;
}
inline bool is_direct_map(u64 v) { return v >= kDirectMapBase && v < kDirectMapBase + kDirectMapSize; }

} // namespace mm
